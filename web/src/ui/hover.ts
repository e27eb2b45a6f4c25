/**
 * The pointer over the scatter: hovering shows a point's thumbnail and colour value in a tooltip;
 * a click (not a drag) selects the point (shift adds, alt removes) and opens the inspector.
 */
import type { App } from "../app";
import { cellText } from "../state/columns";
import type { Inspect } from "./inspector";

/** Wire hover and click on the scatter's canvas. */
export function mountHover(app: App, inspect: Inspect): void {
  const { store } = app;
  const { $ } = app.dom;
  const tooltip = $("tooltip");
  const canvas = app.renderer.canvas;
  let hoverFrame = 0;
  let lastMove: PointerEvent | null = null;

  function describe(id: number): string {
    const lines = [`point ${id}`];
    const { column, colorBy } = store.get();
    if (column) lines.push(`${colorBy}: ${cellText(column, id) || "∅"}`);
    return lines.join("\n");
  }

  canvas.addEventListener("pointermove", (e) => {
    lastMove = e;
    if (hoverFrame) return;
    hoverFrame = requestAnimationFrame(() => {
      hoverFrame = 0;
      if (!lastMove || lastMove.buttons) return;
      const box = canvas.getBoundingClientRect();
      const x = lastMove.clientX - box.left;
      const y = lastMove.clientY - box.top;
      const id = app.pickAt(x, y);
      if (id !== store.get().hovered) store.set({ hovered: id });
      tooltip.hidden = id < 0;
      if (id >= 0) {
        tooltip.style.left = `${Math.min(x + 14, box.width - 200)}px`;
        tooltip.style.top = `${Math.min(y + 14, box.height - 90)}px`;
        $("tooltip-text").textContent = describe(id);
        void app.atlas?.draw($<HTMLCanvasElement>("tooltip-thumb"), id).catch(() => undefined);
      }
    });
  });
  canvas.addEventListener("pointerleave", () => {
    tooltip.hidden = true;
    if (store.get().hovered >= 0) store.set({ hovered: -1 });
  });

  let downAt: [number, number] | null = null;
  canvas.addEventListener("pointerdown", (e) => (downAt = [e.clientX, e.clientY]));
  canvas.addEventListener("pointerup", (e) => {
    if (!downAt || Math.hypot(e.clientX - downAt[0], e.clientY - downAt[1]) > 4) return;
    const box = canvas.getBoundingClientRect();
    const id = app.pickAt(e.clientX - box.left, e.clientY - box.top);
    if (id < 0) return;
    app.selectIds([id], e.shiftKey ? "add" : e.altKey ? "remove" : "replace");
    void inspect(id);
  });
}
