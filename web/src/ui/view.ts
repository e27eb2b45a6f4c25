/**
 * `window.synthscope`: a frozen, read-only view of the page for tests, benchmarks and scripts
 * (point count, selection, camera, projection, legend, filters, gallery), plus timing helpers.
 */
import type { App } from "../app";
import type { Filtering } from "../filtering";
import type { Persist } from "../persist";
import { encodeFilters } from "../state/filters";
import type { Gallery } from "./gallery";

/** What the view reads besides the app. */
export interface ViewParts {
  ready: () => boolean;
  thumbnails: () => boolean;
  filtering: Filtering;
  gallery: Gallery;
  persist: Persist;
}

/** Define `window.synthscope`. */
export function exposeView(app: App, parts: ViewParts): void {
  const state = () => app.store.get();
  const view = {
    get ready() {
      return parts.ready();
    },
    get pointCount() {
      return app.n;
    },
    get selectedIds() {
      return app.store.selectedIds();
    },
    get selectedCount() {
      return state().selectedCount;
    },
    get camera() {
      return app.renderer.cameraState();
    },
    get projection() {
      const { projectionId, dims, projection, axes } = state();
      return { id: projectionId, dims, feature: projection?.feature ?? null, method: projection?.method ?? null, axes };
    },
    /** Feature of the shown projection (neighbours and realism default to it). */
    get feature() {
      return app.feature;
    },
    get colorBy() {
      return state().colorBy;
    },
    get legend() {
      return state().legend.map((e) => ({ label: e.label, count: e.count, color: e.color, slot: e.slot }));
    },
    get thumbnails() {
      return parts.thumbnails();
    },
    get iteration() {
      return state().iteration;
    },
    get jobState() {
      return state().jobState;
    },
    get status() {
      return { ...state().status };
    },
    get filters() {
      return encodeFilters(state().filters);
    },
    get filterMode() {
      return state().filterMode;
    },
    /** Points passing every filter (-1 without filters). */
    get filteredCount() {
      const mask = state().filterMask;
      return mask ? mask.reduce((a, b) => a + b, 0) : -1;
    },
    get galleryIds() {
      return Array.from(parts.gallery.ids());
    },
    get galleryOpen() {
      return parts.gallery.isOpen();
    },
    get neighbors() {
      return [...state().neighbors];
    },
    get inspected() {
      return state().inspected;
    },
    get theme() {
      return state().theme;
    },
    get tool() {
      return state().tool;
    },
    get firstFrameAt() {
      return app.firstFrameAt;
    },
    /** Column-major view-projection matrix of the camera (a copy). */
    get viewProjection() {
      return Array.from(app.renderer.viewProjection());
    },
    /** Screen position (CSS px in the scatter) of point `id`, for tests that aim at points. */
    screenPosition(id: number): [number, number] {
      const screen = app.screenPositions();
      return [screen[2 * id], screen[2 * id + 1]];
    },
    /** Write the view into the URL now (it is written a moment after each change anyway). */
    writeView(): Promise<void> {
      return parts.persist.write();
    },
    /** Time `frames` synchronous draws while turning the camera (benchmark); ms per frame. */
    benchRotate(frames: number): number {
      const gl = app.renderer.canvas.getContext("webgl2");
      const pixel = new Uint8Array(4);
      const start = performance.now();
      for (let k = 0; k < frames; k++) {
        app.renderer.rotate((2 * Math.PI) / 240);
        app.renderer.drawNow();
        // Reading a pixel back waits for the frame to be drawn, which finish() alone may not.
        gl?.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
      }
      return (performance.now() - start) / frames;
    },
    /** Time a box selection over the given rectangle (benchmark); ms. */
    benchBox(x0: number, y0: number, x1: number, y1: number): number {
      app.renderer.cameraVersion++;
      const start = performance.now();
      app.selectShape({ kind: "box", rect: { x0, y0, x1, y1 } }, "replace");
      return performance.now() - start;
    },
    /** Time one histogram brush on `column` (its card must exist): filter, cross-counts, redraw; ms. */
    benchBrush(column: string, lo: number, hi: number): number {
      const start = performance.now();
      parts.filtering.setNow(column, { kind: "range", lo, hi });
      return performance.now() - start;
    },
    /** Add a filter card for `column` (benchmarks set one up before timing the brush). */
    addFilter(column: string): Promise<void> {
      return parts.filtering.add(column);
    },
    /** Scroll the open gallery `frames` frames by `rows` rows each (benchmark). */
    benchGallery(frames: number, rows: number) {
      return parts.gallery.bench(frames, rows);
    },
  };
  Object.defineProperty(window, "synthscope", { value: Object.freeze(view), writable: false });
}
