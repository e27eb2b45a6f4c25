/**
 * The view in the host's `ViewStore` (the page: the URL): shown projection, colour, selection,
 * filters and their mode, PCA axes and camera. Written a moment after anything changes, read once
 * at start, so a copied link reopens the same view.
 */
import type { App } from "./app";
import type { Filtering } from "./filtering";
import type { ViewState, ViewStore } from "./host";
import { decodeFilters, encodeFilters } from "./state/filters";
import { decodeSelection, encodeSelection, roundAll } from "./state/viewstate";

const DELAY_MS = 250;

/** Keeps the view in `store` and puts a stored one back. */
export class Persist {
  private timer = 0;
  private sequence = 0;
  private restoring = false;
  private stopped = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private app: App,
    private filtering: Filtering,
    private view: ViewStore,
  ) {}

  /** The view as it was kept (projection and colour are for `App.load`). */
  read(): ViewState {
    return this.view.read();
  }

  /** Put back filters, selection, axes and camera; problems are collected, not thrown midway. */
  async restore(state: ViewState): Promise<string[]> {
    const problems: string[] = [];
    this.restoring = true;
    try {
      if (state.filterMode === "select" || state.filterMode === "filter") this.app.store.set({ filterMode: state.filterMode });
      if (state.filters) {
        try {
          await this.filtering.setAll(decodeFilters(state.filters));
        } catch (error) {
          problems.push((error as Error).message);
        }
      }
      if (state.selection) {
        try {
          this.app.setSelection(await decodeSelection(state.selection, this.app.n));
        } catch (error) {
          problems.push(`the link's selection: ${(error as Error).message}`);
        }
      }
      const { projection, dims } = this.app.store.get();
      if (state.axes?.length && projection?.method === "pca" && state.axes.every((a) => Number.isInteger(a) && a >= 0 && a < 10)) {
        await this.app.setAxes(state.axes.slice(0, dims));
      }
      const camera = state.camera;
      if (camera?.length === 7 && camera.every(Number.isFinite)) {
        this.app.renderer.setCameraState({ position: camera.slice(0, 3), target: camera.slice(3, 6), zoom: camera[6] });
      }
    } finally {
      this.restoring = false;
    }
    return problems;
  }

  /** Start keeping the view whenever it changes. */
  start(): void {
    const watched = new Set(["projectionId", "colorBy", "selected", "filters", "filterMode", "axes"]);
    this.unsubscribe = this.app.store.subscribe((_, changed) => {
      if ([...changed].some((key) => watched.has(key))) this.schedule();
    });
    this.app.renderer.onCameraChange = () => this.schedule();
    this.schedule();
  }

  /** Stop keeping the view (the projector is going away). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
    this.app.renderer.onCameraChange = null;
  }

  private schedule(): void {
    if (this.restoring || this.stopped) return;
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.write(), DELAY_MS);
  }

  /** Write the view now (tests and "copy link" call this). */
  async write(): Promise<void> {
    const sequence = ++this.sequence;
    const state = this.app.store.get();
    const camera = this.app.renderer.cameraState();
    const view: ViewState = {
      projection: state.running ? undefined : (state.projectionId ?? undefined),
      color: state.colorBy,
      selection: state.selectedCount ? await encodeSelection(state.selected) : undefined,
      filters: encodeFilters(state.filters) || undefined,
      filterMode: state.filterMode === "select" ? "select" : undefined,
      camera: roundAll([...camera.position, ...camera.target, camera.zoom]),
      axes: state.axes ?? undefined,
    };
    if (sequence === this.sequence && !this.stopped) this.view.write(view);
  }
}
