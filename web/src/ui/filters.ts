/**
 * The filter panel (`data-testid="column-filter"` cards): a histogram per numeric column (drag to
 * brush a range, click to clear) and value counts per categorical one (tick values). Bars count
 * all points (pale) and the points passing the other filters (strong), as Embedding Atlas's
 * cross-filtering charts do.
 */
import type { App } from "../app";
import type { Filtering } from "../filtering";
import type { Column } from "../host";
import { formatValue } from "../state/columns";
import { histogram, valueCounts, type FilterInput } from "../state/filters";
import { columnOptions } from "./colour";
import { cssVar, el } from "./dom";
import { guard } from "./status";

const BINS = 32;
const MAX_VALUES = 60;

/** Wire the panel; cards redraw on every filter change. */
export function mountFilters(app: App, filtering: Filtering): void {
  const { store } = app;
  const { $ } = app.dom;
  const box = $("filters");
  const add = $<HTMLSelectElement>("filter-add");
  const mode = $<HTMLSelectElement>("filter-mode");
  const cards = new Map<string, { root: HTMLElement; draw: () => void; column: Column }>();

  function histogramCard(name: string, input: FilterInput, root: HTMLElement, label: HTMLElement) {
    const canvas = el("canvas", { "data-testid": "filter-histogram", width: "560", height: "112" });
    const values = input.column.values as Float32Array;
    const lo = input.column.min ?? 0;
    const hi = input.column.max ?? 1;
    const all = histogram(values, lo, hi, BINS);
    let preview: [number, number] | null = null;
    const toValue = (x: number) => lo + Math.min(1, Math.max(0, x / canvas.clientWidth)) * (hi - lo);
    root.append(canvas, el("div", { class: "axis" }, el("span", {}, formatValue(lo)), el("span", {}, formatValue(hi))));

    const draw = () => {
      const ctx = canvas.getContext("2d");
      if (!ctx) return;
      const { width: w, height: h } = canvas;
      const others = filtering.others(name);
      const cross = others ? histogram(values, lo, hi, BINS, others) : all;
      const peak = Math.max(1, ...all);
      const bar = w / BINS;
      ctx.clearRect(0, 0, w, h);
      const range = preview ?? (input.filter?.kind === "range" ? [input.filter.lo, input.filter.hi] : null);
      if (range) {
        const x0 = ((range[0] - lo) / (hi - lo || 1)) * w;
        const x1 = ((range[1] - lo) / (hi - lo || 1)) * w;
        ctx.fillStyle = cssVar(canvas, "--field");
        ctx.fillRect(x0, 0, Math.max(2, x1 - x0), h);
      }
      for (const [counts, colour] of [[all, cssVar(canvas, "--bar-all")], [cross, cssVar(canvas, "--bar")]] as const) {
        ctx.fillStyle = colour;
        counts.forEach((c, k) => {
          const bh = (c / peak) * (h - 2);
          ctx.fillRect(k * bar + 1, h - bh, bar - 2, bh);
        });
      }
      label.textContent = range ? `${formatValue(range[0])} – ${formatValue(range[1])}` : "";
    };

    let start: number | null = null;
    canvas.addEventListener("pointerdown", (e) => {
      canvas.setPointerCapture(e.pointerId);
      start = e.offsetX;
    });
    canvas.addEventListener("pointermove", (e) => {
      if (start === null) return;
      const [a, b] = [toValue(start), toValue(e.offsetX)].sort((p, q) => p - q);
      preview = [a, b];
      draw();
    });
    canvas.addEventListener(
      "pointerup",
      guard(store, async (e: PointerEvent) => {
        if (start === null) return;
        const moved = Math.abs(e.offsetX - start) > 3;
        const [a, b] = [toValue(start), toValue(e.offsetX)].sort((p, q) => p - q);
        start = null;
        preview = null;
        await filtering.set(name, moved ? { kind: "range", lo: a, hi: b } : null);
      }),
    );
    return draw;
  }

  function valuesCard(name: string, input: FilterInput, root: HTMLElement, label: HTMLElement) {
    const view = input.view!;
    const list = el("div", { class: "values" });
    root.append(list);
    const order = view.categories.map((_, k) => k).sort((a, b) => view.counts[b] - view.counts[a] || a - b);
    const totals = valueCounts(view.codes, view.categories.length);
    const shown = order.slice(0, MAX_VALUES);
    const draw = () => {
      const others = filtering.others(name);
      const cross = others ? valueCounts(view.codes, view.categories.length, others) : totals;
      const ticked = new Set(input.filter?.kind === "values" ? input.filter.values : []);
      const peak = Math.max(1, ...view.counts);
      const rows: HTMLElement[] = shown.map((k) => {
        const value = view.categories[k];
        const box = el("input", { type: "checkbox", "data-testid": "filter-value", "data-value": value });
        box.checked = ticked.has(value);
        box.addEventListener(
          "change",
          guard(store, async () => {
            const next = new Set(ticked);
            if (box.checked) next.add(value);
            else next.delete(value);
            await filtering.set(name, next.size ? { kind: "values", values: [...next] } : null);
          }),
        );
        return el(
          "label",
          { class: "value" },
          box,
          el("span", {}, value),
          el("span", { class: "bar", style: `width:${Math.round((40 * cross[k]) / peak)}px` }),
          el("span", { class: "count" }, `${cross[k]} / ${view.counts[k]}`),
        );
      });
      if (order.length > shown.length) rows.push(el("div", { class: "muted" }, `${order.length - shown.length} more values`));
      list.replaceChildren(...rows);
      label.textContent = ticked.size ? `${ticked.size} ticked` : "";
    };
    return draw;
  }

  function card(name: string, input: FilterInput) {
    const label = el("span", { class: "range", "data-testid": "filter-range" });
    const remove = el("button", { class: "close-inline", "data-testid": "filter-remove", title: "Remove this filter" }, "×");
    const root = el("div", { class: "filter-card", "data-testid": "column-filter", "data-column": name }, el("header", {}, el("span", {}, name), label, remove));
    remove.addEventListener("click", () => filtering.remove(name));
    const draw = input.view ? valuesCard(name, input, root, label) : histogramCard(name, input, root, label);
    return { root, draw };
  }

  function sync(): void {
    for (const name of [...cards.keys()]) if (!filtering.inputs.has(name)) cards.delete(name);
    for (const [name, input] of filtering.inputs) {
      // A column refetched after an edit gets a fresh card (its counts changed).
      if (cards.get(name)?.column !== input.column) cards.set(name, { ...card(name, input), column: input.column });
    }
    box.replaceChildren(...[...cards.values()].map((c) => c.root));
    for (const c of cards.values()) c.draw();
  }

  filtering.onChange = sync;
  add.addEventListener(
    "change",
    guard(store, async () => {
      if (add.value) await filtering.add(add.value);
      add.value = "";
    }),
  );
  mode.addEventListener("change", () => filtering.setMode(mode.value as "filter" | "select"));
  store.subscribe((state, changed) => {
    if (changed.has("dataset") && state.dataset) {
      columnOptions(add, state.dataset.columns.filter((c) => c.name !== "path"));
      add.prepend(el("option", { value: "" }, "choose…"));
      add.value = "";
    }
    if (changed.has("filterMode")) mode.value = state.filterMode;
    if (changed.has("theme")) for (const c of cards.values()) c.draw();
  });
}
