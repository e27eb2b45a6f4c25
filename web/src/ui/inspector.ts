/**
 * The inspector card: a clicked point's full image, every column's value, and its nearest
 * neighbours in feature space with thumbnails (click one to move to it).
 */
import * as api from "../api/client";
import type { App } from "../app";
import { $, el } from "./dom";

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
