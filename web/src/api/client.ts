/**
 * The projector's HTTP client: one function per route of `synthscope.server`, binary where the
 * data is per point (coordinates, columns), JSON elsewhere. Every call throws `ApiError` with the
 * server's one-line message when the answer is not 2xx.
 */

/** An error answer from the server, carrying its `detail` message. */
export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ColumnInfo {
  name: string;
  kind: "text" | "real";
  editable: boolean;
}

export interface ProjectionMeta {
  id: string;
  method: string;
  dims: number;
  feature?: string;
  seed?: number;
  stopped?: boolean;
  [key: string]: unknown;
}

export interface AtlasLayout {
  n_points: number;
  thumb: number;
  per_row: number;
  per_tile: number;
  n_tiles: number;
  tile_px: number;
}

export interface Dataset {
  name: string;
  count: number;
  columns: ColumnInfo[];
  features: string[];
  projections: ProjectionMeta[];
  thumbs: AtlasLayout;
  realism: boolean;
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

export interface Coordinates {
  coords: Float32Array;
  n: number;
  dims: number;
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

/** Defaults and limits of a projection request: the page's inputs are set from these. */
export interface ProjectionSchema {
  defaults: Record<string, unknown>;
  constraints: Record<string, FieldConstraint[]>;
  method_fields: Record<string, string[]>;
}

export interface JobStatus {
  id: string;
  state: "running" | "paused" | "done" | "stopped" | "error";
  iteration: number;
  total: number;
  error?: string | null;
}

async function check(response: Response): Promise<Response> {
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (typeof body.detail === "string") message = body.detail;
    else if (body.detail) message = JSON.stringify(body.detail);
  } catch {
    /* not JSON: keep the status line */
  }
  throw new ApiError(response.status, message);
}

async function getJson<T>(path: string): Promise<T> {
  return (await check(await fetch(path))).json() as Promise<T>;
}

async function postJson<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await check(response)).json() as Promise<T>;
}

export const getDataset = () => getJson<Dataset>("api/dataset");
export const getProjectionSchema = () => getJson<ProjectionSchema>("api/projections/schema");

/** Decode the column container: uint32 header length, JSON header, padding, typed payload. */
export function decodeColumn(buffer: ArrayBuffer): Column {
  const length = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
  const start = 4 + length + ((4 - ((4 + length) % 4)) % 4);
  const values =
    header.kind === "real" ? new Float32Array(buffer, start) : new Int32Array(buffer, start);
  return {
    name: header.name,
    kind: header.kind,
    n: header.n,
    values,
    categories: header.categories ?? [],
    counts: header.counts ?? [],
    min: header.min ?? null,
    max: header.max ?? null,
  };
}

export async function getColumn(name: string): Promise<Column> {
  const response = await check(await fetch(`api/column/${encodeURIComponent(name)}`));
  return decodeColumn(await response.arrayBuffer());
}

export async function getProjection(id: string): Promise<Coordinates> {
  const response = await check(await fetch(`api/projection/${encodeURIComponent(id)}`));
  const dims = Number(response.headers.get("X-Dims"));
  const coords = new Float32Array(await response.arrayBuffer());
  return { coords, dims, n: coords.length / dims };
}

export const startProjection = (request: ProjectionRequest) =>
  postJson<{ id: string; state: JobStatus["state"]; meta?: ProjectionMeta }>(
    "api/projections",
    request,
  );

export const controlProjection = (id: string, action: "pause" | "resume" | "stop") =>
  postJson<JobStatus>(`api/projections/${id}/${action}`);

/** Decode a stream frame: iteration, total, n, dims (uint32 LE), then float32 coordinates. */
export function decodeFrame(buffer: ArrayBuffer): Coordinates & { iteration: number; total: number } {
  const view = new DataView(buffer);
  const iteration = view.getUint32(0, true);
  const total = view.getUint32(4, true);
  const n = view.getUint32(8, true);
  const dims = view.getUint32(12, true);
  return { iteration, total, n, dims, coords: new Float32Array(buffer, 16, n * dims) };
}

export interface StreamHandlers {
  onFrame: (frame: ReturnType<typeof decodeFrame>) => void;
  onStatus: (status: JobStatus) => void;
}

/** Watch a projection's iterates; returns a handle to pause, resume or stop it. */
export function streamProjection(id: string, handlers: StreamHandlers) {
  const url = new URL(`api/projections/${id}/stream`, document.baseURI);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  socket.onmessage = (event) => {
    if (event.data instanceof ArrayBuffer) handlers.onFrame(decodeFrame(event.data));
    else handlers.onStatus(JSON.parse(event.data));
  };
  return {
    send: (action: "pause" | "resume" | "stop") =>
      socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify({ action })),
    close: () => socket.close(),
  };
}

export interface EditAck {
  batch: number;
  count: number;
  column: string;
  value: string | number | null;
}

export const relabel = (ids: number[], column: string, value: string | number | null) =>
  postJson<EditAck>("api/labels", { ids, column, value });
export const undo = () => postJson<{ batch: number | null }>("api/labels/undo");
export const redo = () => postJson<{ batch: number | null }>("api/labels/redo");

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
export const history = () => getJson<{ batches: Batch[] }>("api/labels/history?limit=30");

export const neighbors = (id: number, k: number, metric: "cosine" | "euclidean") =>
  getJson<{ ids: number[]; distances: number[] }>(`api/neighbors/${id}?k=${k}&metric=${metric}`);

export const point = (id: number) =>
  getJson<{ id: number; values: Record<string, string | number | null> }>(`api/point/${id}`);

export const realism = () => getJson<Record<string, unknown>>("api/realism");

export async function selectionTsv(ids: number[]): Promise<Blob> {
  const response = await fetch("api/selection.tsv", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ids }),
  });
  return (await check(response)).blob();
}

export const thumbTileUrl = (tile: number) => `api/thumbs/${tile}`;
export const imageUrl = (id: number) => `api/image/${id}`;
export const labelMapUrl = (id: number) => `api/image/${id}/labels`;
export const metadataUrl = () => "api/metadata.tsv";
export const coordinatesUrl = (projection: string) =>
  `api/coordinates.csv?projection=${encodeURIComponent(projection)}`;
