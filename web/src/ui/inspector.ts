/**
 * The inspector card: a clicked point's full image and label map (class legend), every column's
 * value, the link to a generated image's nearest real image, and its k nearest neighbours in a
 * feature space (the shown projection's feature unless another is chosen), each with its label
 * and source, highlighted in the plot.
 */
import type { App } from "../app";
import { cellText } from "../state/columns";
import { el, setOptions } from "./dom";
import { drawLabelMap } from "./labelmap";
import { errorText } from "./status";

/** Open the inspector on a point. */
export type Inspect = (id: number) => Promise<void>;

const MAX_K = 1000;

/** Wire the card; returns the function that opens it on a point. */
export function createInspector(app: App): { inspect: Inspect; close: () => void } {
  const { store } = app;
  const { $ } = app.dom;
  const card = $("inspector");
  const featureSelect = $<HTMLSelectElement>("knn-feature");
  const kInput = $<HTMLInputElement>("knn-k");
  let request = 0;

  function close(): void {
    card.hidden = true;
    store.set({ inspected: -1, neighbors: [] });
  }
  $("inspector-close").addEventListener("click", close);

  const again = () => {
    const id = store.get().inspected;
    if (id >= 0) void inspect(id);
  };
  featureSelect.addEventListener("change", again);
  $("knn-metric").addEventListener("change", again);
  kInput.addEventListener("change", again);

  async function nearestReal(id: number, feature: string): Promise<void> {
    const box = $("nearest-real");
    box.hidden = true;
    const names = new Set(store.get().dataset?.columns.map((c) => c.name));
    const idColumn = [`nearest_real_id:${feature}`, "nearest_real_id"].find((c) => names.has(c));
    if (!idColumn) return;
    const real = (await app.column(idColumn)).values[id];
    if (!Number.isFinite(real)) return;
    const ratioName = idColumn.replace("nearest_real_id", "nearest_real_ratio");
    const ratio = names.has(ratioName) ? (await app.column(ratioName)).values[id] : NaN;
    const link = el("a", { class: "link", "data-testid": "nearest-real-link", "data-id": String(real) }, `point ${real}`);
    link.addEventListener("click", () => {
      app.selectIds([real]);
      void inspect(real);
    });
    box.replaceChildren(
      `nearest real image${idColumn.includes(":") ? ` in ${feature}` : ""}: `,
      link,
      Number.isFinite(ratio) ? ` (distance ratio ${ratio.toFixed(2)})` : "",
    );
    box.hidden = false;
  }

  async function neighbours(id: number, feature: string, mine: number): Promise<void> {
    const box = $("inspector-neighbors");
    const k = Number(kInput.value);
    kInput.classList.toggle("invalid", !(Number.isInteger(k) && k >= 1 && k <= MAX_K));
    if (!(Number.isInteger(k) && k >= 1 && k <= MAX_K)) {
      box.replaceChildren();
      store.set({ neighbors: [] });
      return store.say(`neighbours: k must be a whole number from 1 to ${MAX_K} (got ${kInput.value || "nothing"})`, true);
    }
    const metric = $<HTMLSelectElement>("knn-metric").value;
    const [knn, label, source] = await Promise.all([
      app.host.data.neighbors(id, k, metric, feature),
      app.column("label").catch(() => null),
      app.column("source").catch(() => null),
    ]);
    if (mine !== request) return;
    store.set({ neighbors: knn.ids });
    box.replaceChildren(
      ...knn.ids.map((nid, j) => {
        const what = [label && cellText(label, nid), source && cellText(source, nid)].filter(Boolean).join(" · ");
        const figure = el("figure", { "data-testid": "neighbor", "data-id": String(nid), title: `point ${nid}: ${what}` });
        figure.append(
          app.atlas ? app.atlas.canvas(nid) : el("canvas"),
          el("figcaption", {}, what || `point ${nid}`),
          el("figcaption", {}, knn.distances[j].toFixed(3)),
        );
        figure.addEventListener("click", () => {
          app.selectIds([nid]);
          void inspect(nid);
        });
        return figure;
      }),
    );
  }

  async function inspect(id: number): Promise<void> {
    const mine = ++request;
    card.hidden = false;
    store.set({ inspected: id });
    $("inspector-title").textContent = `Point ${id}`;
    const image = $<HTMLImageElement>("inspector-image");
    void app.host.data.imageSrc(id).then(
      (src) => {
        if (mine !== request) return URL.revokeObjectURL(src);
        image.onload = image.onerror = () => URL.revokeObjectURL(src);
        image.src = src;
      },
      (error) => store.say(`point ${id}: ${errorText(error)}`, true),
    );
    const feature = featureSelect.value || app.feature || "";
    try {
      const [file, { values }] = await Promise.all([app.host.data.labelMap(id), app.host.data.point(id)]);
      if (mine !== request) return;
      void drawLabelMap(file, $<HTMLCanvasElement>("inspector-labels"), $("labelmap-legend"));
      $("inspector-meta").replaceChildren(
        ...Object.entries(values).map(([name, value]) =>
          el("tr", {}, el("td", {}, name), el("td", {}, value === null ? "" : String(value))),
        ),
      );
      if (!feature) return;
      await Promise.all([nearestReal(id, feature), neighbours(id, feature, mine)]);
    } catch (error) {
      store.say(`point ${id}: ${errorText(error)}`, true);
    }
  }

  store.subscribe((state, changed) => {
    if (changed.has("dataset") && state.dataset)
      setOptions(featureSelect, state.dataset.features.map((f) => [f, f]), app.feature ?? undefined);
    // Neighbours follow the shown projection's feature; the choice stays visible in the card.
    if (changed.has("projection") && app.feature && featureSelect.value !== app.feature) {
      featureSelect.value = app.feature;
      again();
    }
  });
  return { inspect, close };
}
