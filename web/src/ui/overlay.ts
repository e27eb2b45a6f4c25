/**
 * Drawing a box or a lasso over the scatter. While a selection tool is active the overlay takes
 * the pointer; on release it reports the shape in CSS pixels of the scatter and the combine
 * mode from the modifiers (shift adds, alt or ctrl removes).
 */
import type { Rect } from "../state/selection";

/** A drawn box (CSS px of the scatter) or lasso (x0, y0, x1, y1, ...). */
export type Shape = { kind: "box"; rect: Rect } | { kind: "lasso"; poly: number[] };
/** How a new hit joins the selection: replace, add (shift) or remove (alt). */
export type Combine = "replace" | "add" | "remove";

const SVG = "http://www.w3.org/2000/svg";

/** The SVG layer a box or lasso is drawn on while a selection tool is active. */
export class SelectionOverlay {
  private tool: "rotate" | "box" | "lasso" = "rotate";
  private points: number[] = [];
  private shape: SVGElement | null = null;
  private drawing = false;

  constructor(
    private svg: SVGSVGElement,
    private onShape: (shape: Shape, mode: Combine) => void,
  ) {
    svg.addEventListener("pointerdown", (e) => this.down(e));
    svg.addEventListener("pointermove", (e) => this.move(e));
    svg.addEventListener("pointerup", (e) => this.up(e));
  }

  setTool(tool: "rotate" | "box" | "lasso"): void {
    this.tool = tool;
    this.svg.classList.toggle("drawing", tool !== "rotate");
  }

  private local(e: PointerEvent): [number, number] {
    const box = this.svg.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  }

  private down(e: PointerEvent): void {
    if (this.tool === "rotate") return;
    this.svg.setPointerCapture(e.pointerId);
    this.drawing = true;
    this.points = this.local(e);
    this.shape = document.createElementNS(SVG, this.tool === "box" ? "rect" : "path");
    this.svg.append(this.shape);
  }

  private move(e: PointerEvent): void {
    if (!this.drawing || !this.shape) return;
    const [x, y] = this.local(e);
    if (this.tool === "box") {
      this.points = [this.points[0], this.points[1], x, y];
      const [x0, y0] = this.points;
      this.shape.setAttribute("x", String(Math.min(x0, x)));
      this.shape.setAttribute("y", String(Math.min(y0, y)));
      this.shape.setAttribute("width", String(Math.abs(x - x0)));
      this.shape.setAttribute("height", String(Math.abs(y - y0)));
    } else {
      this.points.push(x, y);
      const d = this.points.map((v, k) => (k % 2 ? `${v}` : `${k ? "L" : "M"}${v},`)).join("");
      this.shape.setAttribute("d", `${d}Z`);
    }
  }

  private up(e: PointerEvent): void {
    if (!this.drawing) return;
    this.move(e);
    this.drawing = false;
    this.shape?.remove();
    this.shape = null;
    const mode: Combine = e.shiftKey ? "add" : e.altKey || e.ctrlKey ? "remove" : "replace";
    if (this.tool === "box" && this.points.length === 4) {
      const [x0, y0, x1, y1] = this.points;
      this.onShape({ kind: "box", rect: { x0, y0, x1, y1 } }, mode);
    } else if (this.tool === "lasso" && this.points.length >= 6) {
      this.onShape({ kind: "lasso", poly: this.points }, mode);
    }
  }
}
