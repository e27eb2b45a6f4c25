/**
 * What the projector needs from where it runs. The page (`api/http-host.ts`) fetches from the
 * FastAPI server under `/api` and keeps the view in the URL; a Jupyter widget supplies the same
 * two interfaces from its model (messages for the data, a synced trait for the view), and the
 * state, renderer and UI stay the same code.
 */

/** One column's facts, as `GET /api/dataset` lists them. */
export interface ColumnInfo {
  name: string;
  kind: "text" | "real";
  /** Whether the page may relabel it (never for computed columns). */
  editable: boolean;
  /** Written by a command (scores, nearest ids, copy flags). */
  computed?: boolean;
}

/** A stored projection's metadata (`WS/projections/<id>.json`). */
export interface ProjectionMeta {
  id: string;
  method: string;
  dims: number;
  feature?: string;
  seed?: number;
  name?: string;
  summary?: string;
  created?: string;
  kl?: number | null;
  iterations?: number;
  stopped?: boolean;
  params?: { explained_variance_ratio?: number[]; [key: string]: unknown };
  request?: Record<string, unknown>;
  [key: string]: unknown;
}

/** How thumbnails are packed into atlas tiles. */
export interface AtlasLayout {
  n_points: number;
  thumb: number;
  per_row: number;
  per_tile: number;
  n_tiles: number;
  tile_px: number;
}

/** What the page needs to start. */
export interface Dataset {
  name: string;
  count: number;
  columns: ColumnInfo[];
  features: string[];
  projections: ProjectionMeta[];
  thumbs: AtlasLayout;
  realism: boolean;
  /** Features with a realism report. */
  scored?: string[];
  /** Whether `synthscope utility` has stored a study. */
  utility?: boolean;
}

/** One column as typed arrays: float32 values (NaN = missing) or int32 category codes (-1). */
export interface Column {
  name: string;
  kind: "text" | "real";
  n: number;
  values: Float32Array | Int32Array;
  categories: string[];
  counts: number[];
  min: number | null;
  max: number | null;
}

/** Coordinates, row-major `n x dims`. */
export interface Coordinates {
  coords: Float32Array;
  n: number;
  dims: number;
}

/** A PCA projection's first principal components, with each one's share of the variance. */
export interface Components extends Coordinates {
  variance: number[];
}

/** The fields of `synthscope.projection.ProjectionRequest`; omitted ones take its defaults. */
export interface ProjectionRequest {
  method: "pca" | "tsne" | "umap";
  dims: 2 | 3;
  feature?: string;
  perplexity?: number;
  learning_rate?: number | "auto";
  iterations?: number;
  pca_dims?: number | null;
  seed?: number;
  n_neighbors?: number;
  min_dist?: number;
  metric?: "euclidean" | "cosine";
}

/** One accepted kind of value of a request field (JSON-schema-like, from the server's table). */
export interface FieldConstraint {
  type?: "integer" | "number" | "string" | "null";
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** Defaults and limits of a projection request: the page's inputs are set and checked by these. */
export interface ProjectionSchema {
  defaults: Record<string, unknown>;
  constraints: Record<string, FieldConstraint[]>;
  method_fields: Record<string, string[]>;
}

/** A projection job's state, as the stream reports it. */
export interface JobStatus {
  id: string;
  state: "running" | "paused" | "done" | "stopped" | "error";
  iteration: number;
  total: number;
  error?: string | null;
  request?: Record<string, unknown>;
}

/** The answer to starting a projection: done at once (stored) or running. */
export interface Started {
  id: string;
  state: JobStatus["state"];
  meta?: ProjectionMeta;
}

/** Callbacks of a projection stream. */
export interface StreamHandlers {
  onFrame: (frame: Coordinates & { iteration: number; total: number }) => void;
  onStatus: (status: JobStatus) => void;
  /** A message the other end refused, or a stream that closed abnormally. */
  onError?: (message: string) => void;
}

/** Control of a running projection. */
export interface StreamHandle {
  send: (action: "pause" | "resume" | "stop") => void;
  close: () => void;
}

/** The acknowledgement of a committed relabel. */
export interface EditAck {
  batch: number;
  count: number;
  column: string;
  value: string | number | null;
}

/** One batch of the workspace's edit log. */
export interface Batch {
  batch: number;
  time: string;
  kind: string;
  column: string;
  target: number | null;
  undone: number;
  points: number;
  value: string | null;
}

/** Nearest neighbours of a point in one feature space. */
export interface Neighbors {
  id: number;
  feature: string;
  metric: string;
  ids: number[];
  distances: number[];
}

/** Where an image export went. */
export interface ExportAck {
  name: string;
  folder: string;
  relative: string;
  count: number;
}

/** Data, edits and computations: everything the page reads or asks for. */
export interface DataSource {
  dataset(): Promise<Dataset>;
  column(name: string): Promise<Column>;
  projection(id: string): Promise<Coordinates>;
  /** A PCA projection's first `k` components (for choosing the axes). */
  components(id: string, k: number): Promise<Components>;
  projectionSchema(): Promise<ProjectionSchema>;
  startProjection(request: ProjectionRequest): Promise<Started>;
  streamProjection(id: string, handlers: StreamHandlers): StreamHandle;
  renameProjection(id: string, name: string): Promise<ProjectionMeta>;
  deleteProjection(id: string): Promise<void>;
  point(id: number): Promise<{ id: number; values: Record<string, string | number | null> }>;
  neighbors(id: number, k: number, metric: string, feature: string | null): Promise<Neighbors>;
  /** One feature's realism report (the first scored when omitted). */
  realism(feature?: string): Promise<Record<string, unknown>>;
  /** The last `synthscope utility` study: verdict, arms with means and intervals, comparisons. */
  utility(): Promise<Record<string, unknown>>;
  relabel(ids: number[], column: string, value: string | number | null): Promise<EditAck>;
  undo(): Promise<{ batch: number | null }>;
  redo(): Promise<{ batch: number | null }>;
  history(): Promise<{ batches: Batch[] }>;
  /** Stable palette slots of `values` under `key`: kept for the life of the workspace. */
  palette(key: string, values: string[]): Promise<Record<string, number>>;
  exportImages(ids: number[], name?: string): Promise<ExportAck>;
  selectionTsv(ids: number[]): Promise<Blob>;
  /**
   * An `<img src>` for point `id`'s full image: a URL the host serves, or an object URL the
   * caller gives back with `URL.revokeObjectURL` once the image has loaded (a no-op for others).
   */
  imageSrc(id: number): Promise<string>;
  /** Point `id`'s label map as an image file, or null when it has none. */
  labelMap(id: number): Promise<Blob | null>;
  /** An image source for atlas tile `tile` (revoked by the caller once decoded, as `imageSrc`). */
  thumbTileSrc(tile: number): Promise<string>;
  /** Download links, where the host serves files (the page does; a widget does not). */
  links: { metadata(): string; coordinates(id: string): string } | null;
}

/** What a link or a notebook cell keeps of the view. */
export interface ViewState {
  projection?: string;
  color?: string;
  /** Selected ids as ranges (`3,5,10-12`) or a compressed bitmask (`z...`). */
  selection?: string;
  filters?: string;
  filterMode?: string;
  camera?: number[];
  axes?: number[];
}

/** Where the view is kept between visits. */
export interface ViewStore {
  read(): ViewState;
  write(state: ViewState): void;
}

/** A place the projector runs in: its data and where its view is kept. */
export interface Host {
  data: DataSource;
  view: ViewStore;
}
