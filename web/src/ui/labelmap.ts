/**
 * A point's label map in the class palette (0 black, then Tol's "bright"), separate from the
 * scatter's categorical colours, with its own legend: each class present and its share of pixels.
 */
import { classColor, css } from "../state/colors";
import { el } from "./dom";

/** Draw `file` (a label map image) into `canvas` in class colours; fill `legend`. */
export async function drawLabelMap(file: Blob | null, canvas: HTMLCanvasElement, legend: HTMLElement): Promise<void> {
  canvas.hidden = true;
  legend.hidden = true;
  if (!file) return;
  const bitmap = await createImageBitmap(file);
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) return;
  ctx.drawImage(bitmap, 0, 0);
  const image = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  const px = image.data;
  const counts = new Map<number, number>();
  for (let k = 0; k < px.length; k += 4) {
    const label = px[k];
    counts.set(label, (counts.get(label) ?? 0) + 1);
    const c = classColor(label);
    px[k] = c[0];
    px[k + 1] = c[1];
    px[k + 2] = c[2];
  }
  ctx.putImageData(image, 0, 0);
  canvas.hidden = false;
  const total = px.length / 4;
  legend.replaceChildren(
    ...[...counts]
      .sort((a, b) => a[0] - b[0])
      .map(([label, count]) =>
        el(
          "span",
          { "data-testid": "labelmap-class", "data-class": String(label) },
          el("span", { class: "swatch", style: `background:${css(classColor(label))}` }),
          ` class ${label} · ${((100 * count) / total).toFixed(1)}%`,
        ),
      ),
  );
  legend.hidden = false;
}
