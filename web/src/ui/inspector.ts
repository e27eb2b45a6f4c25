/**
 * The inspector card: a clicked point's full image, every column's value, and its nearest
 * neighbours in feature space with thumbnails (click one to move to it).
 */
import * as api from "../api/client";
import type { App } from "../app";
import { $, el } from "./dom";

// Label classes (phantom: 0 outside, 1 lumen, 2 plaque, 3 perivascular, 4 calcium) in the
// categorical palette's first colours; class 0 stays black.
const CLASS_COLORS: [number, number, number][] = [
  [0, 0, 0], [78, 121, 167], [242, 142, 43], [118, 183, 178], [237, 201, 72],
  [225, 87, 89], [89, 161, 79], [176, 122, 161],
];

/** Show the point's label map (when it has one) in class colours under its image. */
async function drawLabelMap(id: number): Promise<void> {
  const canvas = $<HTMLCanvasElement>("inspector-labels");
  canvas.hidden = true;
  const response = await fetch(api.labelMapUrl(id));
  if (!response.ok) return;
  const bitmap = await createImageBitmap(await response.blob());
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) return;
  ctx.drawImage(bitmap, 0, 0);
  const image = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  const px = image.data;
  for (let k = 0; k < px.length; k += 4) {
    const c = CLASS_COLORS[px[k] % CLASS_COLORS.length];
    px[k] = c[0];
    px[k + 1] = c[1];
    px[k + 2] = c[2];
  }
  ctx.putImageData(image, 0, 0);
  canvas.hidden = false;
}

export function createInspector(app: App): (id: number) => Promise<void> {
  const inspector = $("inspector");
  let inspected = -1;
  $("inspector-close").addEventListener("click", () => (inspector.hidden = true));
  $<HTMLSelectElement>("knn-metric").addEventListener("change", () => inspected >= 0 && void inspect(inspected));

  async function inspect(id: number): Promise<void> {
    inspected = id;
    inspector.hidden = false;
    $("inspector-title").textContent = `Point ${id}`;
    $<HTMLImageElement>("inspector-image").src = api.imageUrl(id);
    void drawLabelMap(id);
    const dataset = app.store.get().dataset;
    const { values } = await api.point(id);
    const rows = Object.entries(values).map(([name, value]) =>
      el("tr", {}, el("td", {}, name), el("td", {}, value === null ? "" : String(value))),
    );
    $("inspector-meta").replaceChildren(...rows);
    const metric = $<HTMLSelectElement>("knn-metric").value as "cosine" | "euclidean";
    const box = $("inspector-neighbors");
    box.replaceChildren();
    if (!dataset?.features.length) return;
    const knn = await api.neighbors(id, 12, metric);
    box.replaceChildren(
      ...knn.ids.map((nid, k) => {
        const figure = el("figure", { title: `point ${nid}` });
        figure.append(app.atlas ? app.atlas.canvas(nid) : el("canvas"), el("figcaption", {}, knn.distances[k].toFixed(3)));
        figure.addEventListener("click", () => {
          app.selectIds([nid]);
          void inspect(nid);
        });
        return figure;
      }),
    );
  }

  return inspect;
}
