/**
 * Colour by any column: categories (text, or a few integers) get a legend in palette order with
 * counts (click an entry to select those points; shift adds, alt removes), numbers a viridis bar.
 * The options name each feature's scores (`realism_c2st:pixels64`) as they are, grouped.
 */
import type { App } from "../app";
import type { ColumnInfo } from "../host";
import { gradientCss } from "../state/colors";
import { asCategories, formatValue } from "../state/columns";
import { el } from "./dom";
import { guard } from "./status";

const MAX_LEGEND = 60;

/** Column options grouped: metadata first, then each feature's computed scores. */
export function columnOptions(select: HTMLSelectElement, columns: ColumnInfo[], value?: string): void {
  const keep = value ?? select.value;
  const plain = columns.filter((c) => !c.name.includes(":"));
  const byFeature = new Map<string, ColumnInfo[]>();
  for (const c of columns.filter((c) => c.name.includes(":"))) {
    const feature = c.name.slice(c.name.indexOf(":") + 1);
    byFeature.set(feature, [...(byFeature.get(feature) ?? []), c]);
  }
  const option = (c: ColumnInfo) => el("option", { value: c.name }, c.name);
  select.replaceChildren(
    ...plain.map(option),
    ...[...byFeature].map(([feature, group]) => el("optgroup", { label: `scores in ${feature}` }, ...group.map(option))),
  );
  if (columns.some((c) => c.name === keep)) select.value = keep;
}

/** Wire the colour select and the legend. */
export function mountColour(app: App): void {
  const { store } = app;
  const { $ } = app.dom;
  const colorBy = $<HTMLSelectElement>("color-by");
  const legend = $("legend");

  function drawLegend(): void {
    const { column, legend: entries } = store.get();
    if (!column) return legend.replaceChildren();
    const view = entries.length ? asCategories(column) : null;
    if (!view) {
      legend.replaceChildren(
        el("div", { class: "gradient", style: `background:${gradientCss()}` }),
        el(
          "div",
          { class: "gradient-labels" },
          el("span", {}, formatValue(column.min ?? NaN)),
          el("span", {}, formatValue(column.max ?? NaN)),
        ),
      );
      return;
    }
    const shown = entries.length > MAX_LEGEND ? [...entries].sort((a, b) => b.count - a.count).slice(0, MAX_LEGEND) : entries;
    legend.replaceChildren(
      ...shown.map((entry) => {
        const item = el(
          "div",
          { class: "legend-item", "data-testid": "legend-item", "data-label": entry.label, title: "Click: select these points (shift adds, alt removes)" },
          el("span", { class: "swatch", style: `background:${entry.color}` }),
          el("span", { class: "legend-label" }, entry.label),
          el("span", { class: "count" }, String(entry.count)),
        );
        item.addEventListener("click", (e) => {
          const ids: number[] = [];
          for (let i = 0; i < view.codes.length; i++) if (view.codes[i] === entry.code) ids.push(i);
          app.selectIds(ids, e.shiftKey ? "add" : e.altKey ? "remove" : "replace");
        });
        return item;
      }),
    );
    if (shown.length < entries.length) legend.append(el("div", { class: "muted" }, `${entries.length - shown.length} more values (the ${MAX_LEGEND} most common shown)`));
  }

  colorBy.addEventListener("change", guard(store, () => app.colorBy(colorBy.value)));
  store.subscribe((state, changed) => {
    if (changed.has("legend") || changed.has("column")) drawLegend();
    if (changed.has("dataset") && state.dataset) columnOptions(colorBy, state.dataset.columns, state.colorBy);
    if (changed.has("colorBy")) colorBy.value = state.colorBy;
  });
}
