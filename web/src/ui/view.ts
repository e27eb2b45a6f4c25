/**
 * `window.synthscope`: a frozen, read-only view of the page for tests, benchmarks and scripts
 * (point count, selection, camera, projection, legend), plus timing helpers for benchmarks.
 */
import type { App } from "../app";

export interface ViewFlags {
  ready: () => boolean;
  thumbnails: () => boolean;
}

export function exposeView(app: App, flags: ViewFlags): void {
  const view = {
    get ready() {
      return flags.ready();
    },
    get pointCount() {
      return app.n;
    },
    get selectedIds() {
      return app.store.selectedIds();
    },
    get selectedCount() {
      return app.store.get().selectedCount;
    },
    get camera() {
      return app.renderer.cameraState();
    },
    get projection() {
      const { projectionId, dims } = app.store.get();
      return { id: projectionId, dims };
    },
    get colorBy() {
      return app.store.get().colorBy;
    },
    get legend() {
      return app.legend.map((e) => ({ label: e.label, count: e.count, color: e.color }));
    },
    get thumbnails() {
      return flags.thumbnails();
    },
    get iteration() {
      return app.store.get().iteration;
    },
    get jobState() {
      return app.store.get().jobState;
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
  };
  Object.defineProperty(window, "synthscope", { value: Object.freeze(view), writable: false });
}
