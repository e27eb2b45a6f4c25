/**
 * The controller: reads data through the `Host`, writes the store (which the renderer and the UI
 * follow), and answers the UI's actions: show, colour, select, relabel, run a projection.
 * Column filters live in `filtering.ts`, the link's view in `persist.ts`.
 */
import type { Column, Dataset, Host, JobStatus, ProjectionMeta, ProjectionRequest, StreamHandle } from "./host";
import { bindRenderer, pickableMask } from "./renderer/bind";
import { ScatterRenderer } from "./renderer/scatter";
import { colorCategories, colorGradient, paletteKey, uniform } from "./state/colors";
import { asCategories } from "./state/columns";
import { combine, inBox, inLasso, normalize, pick, projectToScreen } from "./state/selection";
import { Store } from "./state/store";
import type { Dom } from "./ui/dom";
import type { Combine, Shape } from "./ui/overlay";
import { ThumbAtlas } from "./ui/thumbs";

/** Text columns with more values than this are coloured by rank, not by stored palette slots. */
export const MAX_PALETTE_VALUES = 1000;

/** PCA components fetched for choosing the axes (as the TF Projector: ten). */
export const PCA_COMPONENTS = 10;

/** The projector's controller. */
export class App {
  readonly store = new Store();
  readonly renderer: ScatterRenderer;
  atlas: ThumbAtlas | null = null;
  private columns = new Map<string, Promise<Column>>();
  private slots = new Map<string, Record<string, number>>();
  private components = new Map<string, Promise<{ coords: Float32Array; dims: number; variance: number[] }>>();
  private screen: Float32Array = new Float32Array(0);
  private screenVersion = -1;
  private stream: StreamHandle | null = null;
  /** The live run whose iterates are drawn (null once the user shows another projection). */
  private following: string | null = null;
  private lastFrame: { coords: Float32Array; dims: number } | null = null;
  /** Time of the first frame drawn with data (load benchmark). */
  firstFrameAt = 0;

  constructor(
    /** The mounted projector's elements (the scatter goes into its `#scatter`). */
    readonly dom: Dom,
    readonly host: Host,
  ) {
    this.renderer = new ScatterRenderer(dom.$("scatter"));
    bindRenderer(this.store, this.renderer);
  }

  /** Stop streaming and free the renderer (a widget's view going away). */
  destroy(): void {
    this.stream?.close();
    this.stream = null;
    this.renderer.destroy();
  }

  /** Number of points. */
  get n(): number {
    return this.store.get().dataset?.count ?? 0;
  }

  /** The shown projection's feature (what neighbours and realism default to). */
  get feature(): string | null {
    const { projection, dataset } = this.store.get();
    return (projection?.feature as string | undefined) ?? dataset?.features[0] ?? null;
  }

  /** Load the dataset; show `projection` (or the newest 3-D one) coloured by `color`. */
  async load(projection?: string, color?: string): Promise<Dataset> {
    const dataset = await this.host.data.dataset();
    this.atlas = dataset.thumbs.n_points ? new ThumbAtlas(dataset.thumbs, this.host.data) : null;
    this.store.set({ dataset, selected: new Uint8Array(dataset.count), selectedCount: 0 });
    const names = new Set(dataset.columns.map((c) => c.name));
    const colorBy = color && names.has(color) ? color : names.has("label") ? "label" : dataset.columns[0]?.name;
    // Without a link: the newest finished 3-D projection of the default feature (pixels64, as
    // the server's default request), else the newest 3-D one, else the newest.
    const preferred = [...dataset.projections].reverse();
    const feature = dataset.features.includes("pixels64") ? "pixels64" : dataset.features[0];
    const first =
      dataset.projections.find((p) => p.id === projection) ??
      preferred.find((p) => p.dims === 3 && !p.stopped && p.feature === feature) ??
      preferred.find((p) => p.dims === 3 && !p.stopped) ??
      preferred[0];
    await Promise.all([first ? this.showProjection(first.id) : null, colorBy ? this.colorBy(colorBy) : null]);
    if (projection && first?.id !== projection) this.store.say(`the link's projection ${projection} is not stored here`, true);
    return dataset;
  }

  /** Fetch the dataset again (after a projection ends, is renamed or deleted). */
  async refreshDataset(): Promise<Dataset> {
    const dataset = await this.host.data.dataset();
    const { projectionId, running } = this.store.get();
    const meta = dataset.projections.find((p) => p.id === projectionId);
    this.store.set({ dataset, ...(meta && !running ? { projection: meta } : {}) });
    return dataset;
  }

  /** Show a stored projection (its stored axes); keeps the camera when `keepCamera`. */
  async showProjection(id: string, keepCamera = false): Promise<void> {
    const { running } = this.store.get();
    if (running && running.id === id) {
      // Back to the live run: its newest iterate, and the next ones as they come.
      this.following = id;
      this.store.set({ projection: running.meta, axes: null, neighbors: [] });
      if (this.lastFrame) this.setCoordinates(this.lastFrame.coords, this.lastFrame.dims as 2 | 3, id);
      return;
    }
    this.following = null;
    const { coords, dims } = await this.host.data.projection(id);
    const meta = this.store.get().dataset?.projections.find((p) => p.id === id) ?? ({ id, method: "?", dims } as ProjectionMeta);
    this.store.set({ projection: meta, axes: null, neighbors: [] });
    this.setCoordinates(coords, dims as 2 | 3, id);
    if (!keepCamera) this.renderer.resetCamera();
  }

  /** A PCA projection's first components, fetched once. */
  pcaComponents(id: string) {
    let found = this.components.get(id);
    if (!found) {
      found = this.host.data.components(id, PCA_COMPONENTS);
      found.catch(() => this.components.delete(id));
      this.components.set(id, found);
    }
    return found;
  }

  /** Put PCA components `axes` (0-based) on x, y (and z) of the shown PCA projection. */
  async setAxes(axes: number[]): Promise<void> {
    const { projectionId, dims } = this.store.get();
    if (!projectionId) return;
    if (axes.every((a, k) => a === k)) {
      await this.showProjection(projectionId, true);
      return;
    }
    const { coords, dims: k } = await this.pcaComponents(projectionId);
    const n = coords.length / k;
    const out = new Float32Array(n * dims);
    for (let i = 0; i < n; i++) for (let d = 0; d < dims; d++) out[i * dims + d] = coords[i * k + axes[d]];
    this.setCoordinates(out, dims, projectionId);
    this.store.set({ axes: axes.slice(0, dims) });
  }

  private setCoordinates(coords: Float32Array, dims: 2 | 3, id: string): void {
    const positions = normalize(coords, dims);
    this.screenVersion = -1;
    this.store.set({ positions, dims, projectionId: id });
    if (!this.firstFrameAt) requestAnimationFrame(() => (this.firstFrameAt = performance.now()));
  }

  /** One column, fetched once (again when `fresh`). */
  column(name: string, fresh = false): Promise<Column> {
    let column = this.columns.get(name);
    if (!column || fresh) {
      column = this.host.data.column(name);
      column.catch(() => this.columns.delete(name));
      this.columns.set(name, column);
    }
    return column;
  }

  /** Palette slots of `values` under `key`, asking the host only for values not seen yet. */
  async paletteSlots(key: string, values: string[]): Promise<Record<string, number>> {
    const known = this.slots.get(key) ?? {};
    if (values.some((v) => !(v in known))) {
      Object.assign(known, await this.host.data.palette(key, values));
      this.slots.set(key, known);
    }
    return known;
  }

  /**
   * Colour by column `name`: categories in their stable colours, numbers along viridis. A text
   * column with more than `MAX_PALETTE_VALUES` values (paths, ids) is coloured by rank instead:
   * no palette holds that many distinguishable colours anyway.
   */
  async colorBy(name: string, fresh = false): Promise<void> {
    const column = await this.column(name, fresh);
    const view = asCategories(column);
    const slots = view && view.categories.length > MAX_PALETTE_VALUES
      ? Object.fromEntries(view.categories.map((c, k) => [c, k]))
      : view && (await this.paletteSlots(paletteKey(name), view.categories));
    const coloring = view && slots
      ? colorCategories(view, slots)
      : column.kind === "real"
        ? colorGradient(column.values as Float32Array, column.min, column.max)
        : uniform(this.n);
    this.store.set({ colorBy: name, column, colors: coloring.rgb, legend: coloring.legend });
  }

  /** Screen positions of every point for the current camera (cached until it moves). */
  screenPositions(): Float32Array {
    if (this.screenVersion !== this.renderer.cameraVersion) {
      const { width, height } = this.renderer.size();
      this.screen = projectToScreen(this.store.get().positions, this.renderer.viewProjection(), width, height, this.screen);
      this.screenVersion = this.renderer.cameraVersion;
    }
    return this.screen;
  }

  /** Replace the selection. */
  setSelection(mask: Uint8Array): void {
    this.store.select(mask);
  }

  /** Select what a box or lasso encloses (hidden and occluded points included). */
  selectShape(shape: Shape, mode: Combine): void {
    const screen = this.screenPositions();
    const allowed = pickableMask(this.store.get());
    const hit = shape.kind === "box" ? inBox(screen, shape.rect, allowed) : inLasso(screen, shape.poly, allowed);
    this.setSelection(combine(this.store.get().selected, hit, mode));
  }

  /** The point under (x, y) CSS px of the scatter, or -1. */
  pickAt(x: number, y: number, radius = 8): number {
    if (!this.store.get().positions.length) return -1;
    return pick(this.screenPositions(), x, y, radius, pickableMask(this.store.get()));
  }

  /** Select `ids` (replace, add or remove). */
  selectIds(ids: Iterable<number>, mode: Combine = "replace"): void {
    const hit = new Uint8Array(this.n);
    for (const id of ids) if (id >= 0 && id < this.n) hit[id] = 1;
    this.setSelection(combine(this.store.get().selected, hit, mode));
  }

  /** Select points whose `column` value matches `query`: substring, or regex when /.../. */
  async search(columnName: string, query: string): Promise<number> {
    const column = await this.column(columnName);
    const regex = /^\/(.*)\/([a-z]*)$/.exec(query);
    let test: (s: string) => boolean;
    try {
      test = regex
        ? ((re: RegExp) => (s: string) => re.test(s))(new RegExp(regex[1], regex[2].includes("i") ? regex[2] : regex[2] + "i"))
        : (s: string) => s.toLowerCase().includes(query.toLowerCase());
    } catch (error) {
      throw new Error(`search: not a regular expression (${(error as Error).message})`);
    }
    const hit = new Uint8Array(this.n);
    if (column.kind === "text") {
      const matches = column.categories.map(test);
      const codes = column.values as Int32Array;
      for (let i = 0; i < this.n; i++) hit[i] = codes[i] >= 0 && matches[codes[i]] ? 1 : 0;
    } else {
      const values = column.values as Float32Array;
      for (let i = 0; i < this.n; i++) hit[i] = Number.isFinite(values[i]) && test(String(values[i])) ? 1 : 0;
    }
    this.setSelection(hit);
    return this.store.get().selectedCount;
  }

  /** Select the `count` points with the highest `score`, among those whose source is `source`. */
  async selectTop(scoreName: string, count: number, source: string): Promise<number> {
    if (!Number.isInteger(count) || count <= 0) throw new Error(`top N: N must be a whole number of at least 1 (got ${Number.isNaN(count) ? "nothing" : count})`);
    if (!scoreName) throw new Error("top N: there is no numeric column to rank by");
    const values = (await this.column(scoreName)).values as Float32Array;
    let allowed: ((i: number) => boolean) | null = null;
    if (source) {
      const src = await this.column("source");
      const code = src.categories.indexOf(source);
      const codes = src.values as Int32Array;
      allowed = (i) => codes[i] === code;
    }
    const ids: number[] = [];
    for (let i = 0; i < this.n; i++) if (Number.isFinite(values[i]) && (!allowed || allowed(i))) ids.push(i);
    ids.sort((a, b) => values[b] - values[a] || a - b);
    this.selectIds(ids.slice(0, count));
    return Math.min(count, ids.length);
  }

  /** Show only the selection, or everything again. */
  setIsolate(isolate: boolean): void {
    this.store.set({ isolate });
  }

  /** Relabel the selection; resolves once the host has committed the edit. */
  async relabel(column: string, value: string | null) {
    const ids = this.store.selectedIds();
    if (!ids.length) throw new Error("relabel: select points first");
    const ack = await this.host.data.relabel(ids, column, value);
    await this.afterEdit(column);
    return ack;
  }

  /** Drop cached columns an edit may have changed and recolour (`onEdit` listeners refresh). */
  async afterEdit(column?: string): Promise<void> {
    if (column) this.columns.delete(column);
    else this.columns.clear();
    await this.colorBy(this.store.get().colorBy, true);
    for (const listener of this.onEdit) await listener(column);
  }

  /** Called after every edit, undo and redo (filters and gallery refresh their columns). */
  readonly onEdit: ((column?: string) => Promise<void> | void)[] = [];

  /** Undo the last edit batch; its number, or null when there is nothing to undo. */
  async undo(): Promise<number | null> {
    const { batch } = await this.host.data.undo();
    await this.afterEdit();
    return batch;
  }

  /** Redo the last undone batch; its number, or null. */
  async redo(): Promise<number | null> {
    const { batch } = await this.host.data.redo();
    await this.afterEdit();
    return batch;
  }

  /** Start (or reuse) a projection and stream its iterates into the view. */
  async runProjection(request: ProjectionRequest, onStatus: (status: JobStatus) => void): Promise<void> {
    this.stream?.close();
    const started = await this.host.data.startProjection(request);
    if (started.state === "done") {
      await this.refreshDataset();
      await this.showProjection(started.id);
      onStatus({ id: started.id, state: "done", iteration: Number(started.meta?.iterations ?? 0), total: 0 });
      return;
    }
    const meta = { id: started.id, method: request.method, dims: request.dims, feature: request.feature, request: { ...request } } as ProjectionMeta;
    this.store.set({ running: { id: started.id, meta, state: started.state, iteration: 0, total: 0 }, projection: meta, axes: null });
    let first = true;
    this.following = started.id;
    this.lastFrame = null;
    this.stream = this.host.data.streamProjection(started.id, {
      onFrame: (frame) => {
        this.lastFrame = frame;
        if (this.following !== started.id) return;
        this.setCoordinates(frame.coords, frame.dims as 2 | 3, started.id);
        if (first) this.renderer.resetCamera();
        first = false;
        this.store.set({ iteration: frame.iteration });
      },
      onStatus: (status) => {
        const live = status.state === "running" || status.state === "paused";
        const running = live ? { id: started.id, meta, state: status.state, iteration: status.iteration, total: status.total } : null;
        this.store.set({ iteration: status.iteration, jobState: status.state, running });
        if (!live) this.lastFrame = null;
        onStatus(status);
      },
      onError: (message) => this.store.say(message, true),
    });
  }

  /** Pause, resume or stop the streaming projection. */
  controlProjection(action: "pause" | "resume" | "stop"): void {
    this.stream?.send(action);
  }
}
