/**
 * The controller: loads data through the API client, keeps the store, drives the renderer, and
 * answers the UI's actions (select, relabel, run a projection, download).
 */
import * as api from "./api/client";
import type { Column, Dataset } from "./api/client";
import { colorize, type LegendEntry } from "./state/colors";
import { combine, inBox, inLasso, normalize, pick, projectToScreen } from "./state/selection";
import { Store } from "./state/store";
import { ScatterRenderer } from "./renderer/scatter";
import type { Combine, Shape } from "./ui/overlay";
import { ThumbAtlas } from "./ui/thumbs";

export class App {
  readonly store = new Store();
  readonly renderer: ScatterRenderer;
  atlas: ThumbAtlas | null = null;
  legend: LegendEntry[] = [];
  private columns = new Map<string, Column>();
  private screen: Float32Array = new Float32Array(0);
  private screenVersion = -1;
  private stream: ReturnType<typeof api.streamProjection> | null = null;
  /** Time of the first frame drawn with data (load benchmark). */
  firstFrameAt = 0;

  constructor(container: HTMLElement) {
    this.renderer = new ScatterRenderer(container);
  }

  get n(): number {
    return this.store.get().dataset?.count ?? 0;
  }

  async load(): Promise<Dataset> {
    const dataset = await api.getDataset();
    this.atlas = dataset.thumbs.n_points ? new ThumbAtlas(dataset.thumbs) : null;
    this.store.set({ dataset, selected: new Uint8Array(dataset.count), selectedCount: 0 });
    const colorBy = dataset.columns.some((c) => c.name === "label") ? "label" : dataset.columns[0]?.name;
    const preferred = [...dataset.projections].reverse();
    const first = preferred.find((p) => p.dims === 3 && !p.stopped) ?? preferred[0];
    await Promise.all([
      first ? this.showProjection(first.id) : Promise.resolve(),
      colorBy ? this.colorBy(colorBy) : Promise.resolve(),
    ]);
    return dataset;
  }

  async refreshDataset(): Promise<Dataset> {
    const dataset = await api.getDataset();
    this.store.set({ dataset });
    return dataset;
  }

  /** Show a stored projection. */
  async showProjection(id: string): Promise<void> {
    const { coords, dims } = await api.getProjection(id);
    this.setCoordinates(coords, dims as 2 | 3, id);
    this.renderer.resetCamera();
  }

  private setCoordinates(coords: Float32Array, dims: 2 | 3, id: string): void {
    const positions = normalize(coords, dims);
    this.store.set({ positions, dims, projectionId: id });
    this.renderer.setProps({ positions, dims, ...this.pointProps() });
    this.screenVersion = -1;
    if (!this.firstFrameAt) requestAnimationFrame(() => (this.firstFrameAt = performance.now()));
  }

  private pointProps() {
    const { selected, isolate } = this.store.get();
    return { selected, visible: isolate ? selected : null };
  }

  private async fetchColumn(name: string, fresh = false): Promise<Column> {
    let column = this.columns.get(name);
    if (!column || fresh) {
      column = await api.getColumn(name);
      this.columns.set(name, column);
    }
    return column;
  }

  async colorBy(name: string, fresh = false): Promise<void> {
    const column = await this.fetchColumn(name, fresh);
    const coloring = colorize(column, this.n);
    this.legend = coloring.legend;
    this.store.set({ colorBy: name, column });
    this.renderer.setProps({ colors: coloring.rgb });
  }

  /** Screen positions of every point for the current camera (cached until it moves). */
  screenPositions(): Float32Array {
    if (this.screenVersion !== this.renderer.cameraVersion) {
      const { width, height } = this.renderer.size();
      this.screen = projectToScreen(
        this.store.get().positions,
        this.renderer.viewProjection(),
        width,
        height,
        this.screen,
      );
      this.screenVersion = this.renderer.cameraVersion;
    }
    return this.screen;
  }

  private visibleMask(): Uint8Array | undefined {
    const { isolate, selected } = this.store.get();
    return isolate ? selected : undefined;
  }

  setSelection(mask: Uint8Array): void {
    this.store.select(mask);
    this.renderer.setProps({ selected: mask, visible: this.store.get().isolate ? mask : null });
  }

  selectShape(shape: Shape, mode: Combine): void {
    const screen = this.screenPositions();
    const visible = this.visibleMask();
    const hit = shape.kind === "box" ? inBox(screen, shape.rect, visible) : inLasso(screen, shape.poly, visible);
    this.setSelection(combine(this.store.get().selected, hit, mode));
  }

  pickAt(x: number, y: number, radius = 8): number {
    if (!this.store.get().positions.length) return -1;
    return pick(this.screenPositions(), x, y, radius, this.visibleMask());
  }

  selectIds(ids: Iterable<number>, mode: Combine = "replace"): void {
    const hit = new Uint8Array(this.n);
    for (const id of ids) hit[id] = 1;
    this.setSelection(combine(this.store.get().selected, hit, mode));
  }

  /** Select points whose `column` value matches `query`: substring, or regex when /.../. */
  async search(columnName: string, query: string): Promise<number> {
    const column = await this.fetchColumn(columnName);
    const regex = /^\/(.*)\/([a-z]*)$/.exec(query);
    const test = regex
      ? ((re: RegExp) => (s: string) => re.test(s))(new RegExp(regex[1], regex[2].includes("i") ? regex[2] : regex[2] + "i"))
      : (s: string) => s.toLowerCase().includes(query.toLowerCase());
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
  async selectTop(scoreName: string, count: number, source: string): Promise<void> {
    const score = await this.fetchColumn(scoreName);
    const values = score.values as Float32Array;
    let allowed: ((i: number) => boolean) | null = null;
    if (source) {
      const src = await this.fetchColumn("source");
      const code = src.categories.indexOf(source);
      const codes = src.values as Int32Array;
      allowed = (i) => codes[i] === code;
    }
    const ids: number[] = [];
    for (let i = 0; i < this.n; i++) if (Number.isFinite(values[i]) && (!allowed || allowed(i))) ids.push(i);
    ids.sort((a, b) => values[b] - values[a] || a - b);
    this.selectIds(ids.slice(0, count));
  }

  setIsolate(isolate: boolean): void {
    this.store.set({ isolate });
    this.renderer.setProps({ visible: isolate ? this.store.get().selected : null });
  }

  /** Relabel the selection; resolves once the server has committed the edit. */
  async relabel(column: string, value: string): Promise<api.EditAck> {
    const ids = this.store.selectedIds();
    if (!ids.length) throw new Error("select points first");
    const ack = await api.relabel(ids, column, value === "" ? null : value);
    await this.afterEdit(column);
    return ack;
  }

  async afterEdit(column?: string): Promise<void> {
    if (column) this.columns.delete(column);
    else this.columns.clear();
    await this.colorBy(this.store.get().colorBy, true);
  }

  async undo(): Promise<number | null> {
    const { batch } = await api.undo();
    await this.afterEdit();
    return batch;
  }

  async redo(): Promise<number | null> {
    const { batch } = await api.redo();
    await this.afterEdit();
    return batch;
  }

  /** Start (or reuse) a projection and stream its iterates into the view. */
  async runProjection(
    request: api.ProjectionRequest,
    onStatus: (status: api.JobStatus) => void,
  ): Promise<void> {
    this.stream?.close();
    const started = await api.startProjection(request);
    if (started.state === "done") {
      await this.showProjection(started.id);
      onStatus({ id: started.id, state: "done", iteration: Number(started.meta?.iterations ?? 0), total: 0 });
      return;
    }
    let first = true;
    this.stream = api.streamProjection(started.id, {
      onFrame: (frame) => {
        this.setCoordinates(frame.coords, frame.dims as 2 | 3, started.id);
        if (first) this.renderer.resetCamera();
        first = false;
        this.store.set({ iteration: frame.iteration });
      },
      onStatus: (status) => {
        this.store.set({ iteration: status.iteration, jobState: status.state });
        onStatus(status);
      },
    });
  }

  controlProjection(action: "pause" | "resume" | "stop"): void {
    this.stream?.send(action);
  }
}
