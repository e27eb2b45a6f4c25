/**
 * The widget's public traits kept in step with the projector, both ways:
 *
 * - `selection` (point ids): a box, lasso, legend click or search here sets it; set from Python,
 *   it becomes the selection here.
 * - `color_by` (a column), `projection` (a stored projection's id): the shown ones.
 * - `filter`: the column filters, `{column: {"range": [lo, hi]}}` or `{column: {"values": [...]}}`.
 *
 * Python checks what it is given (unknown columns, projections, ids out of range) before a
 * change reaches this side; a change either way that equals the other side's state is dropped, so
 * nothing echoes back and forth.
 */
import type { Projector } from "../projector";
import type { Filter } from "../state/filters";
import { encodeFilters } from "../state/filters";
import { errorText } from "../ui/status";
import type { WidgetData, WidgetModel } from "./widget-host";

type TraitFilters = Record<string, { range?: [number, number]; values?: string[] }>;

/** The projector's filters as the `filter` trait holds them. */
export function filtersToTrait(filters: Record<string, Filter>): TraitFilters {
  const out: TraitFilters = {};
  for (const [name, f] of Object.entries(filters))
    out[name] = f.kind === "range" ? { range: [f.lo, f.hi] } : { values: [...f.values] };
  return out;
}

/** The `filter` trait as the projector's filters (entries it cannot read are left out). */
export function filtersFromTrait(value: unknown): Record<string, Filter> {
  const out: Record<string, Filter> = {};
  if (!value || typeof value !== "object") return out;
  for (const [name, f] of Object.entries(value as TraitFilters)) {
    if (Array.isArray(f?.range) && f.range.length === 2) out[name] = { kind: "range", lo: Number(f.range[0]), hi: Number(f.range[1]) };
    else if (Array.isArray(f?.values)) out[name] = { kind: "values", values: f.values.map(String) };
  }
  return out;
}

/** The `filter` trait as view text (what `Persist` restores at start). */
export const filtersText = (value: unknown): string => encodeFilters(filtersFromTrait(value));

const sameIds = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, k) => v === b[k]);
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Keep the traits and the projector in step; returns the function that stops it. */
export function bindTraits(model: WidgetModel, projector: Projector, data: WidgetData): () => void {
  const { app, filtering } = projector;
  const { store } = app;
  const off: (() => void)[] = [];
  const listen = (event: string, callback: () => void) => {
    model.on(event, callback);
    off.push(() => model.off(event, callback));
  };
  let live = false;
  /** Traits whose new value is being applied here: not published until it is. */
  const applying = new Set<string>();

  // ---- the projector → the traits ------------------------------------------------------------
  let timer = 0;
  const push = () => {
    timer = 0;
    if (!live) return;
    const state = store.get();
    let changed = false;
    const set = (name: string, value: unknown) => {
      if (applying.has(name) || sameJson(model.get(name), value)) return;
      model.set(name, value);
      changed = true;
    };
    set("selection", store.selectedIds());
    if (state.colorBy) set("color_by", state.colorBy);
    // A running projection is not stored yet: the trait names it once it is.
    if (state.projectionId && !(state.running && state.running.id === state.projectionId)) set("projection", state.projectionId);
    set("filter", filtersToTrait(state.filters));
    if (changed) model.save_changes();
  };
  // A box over 100,000 points is one message, not one per pointer event.
  const schedule = () => {
    if (!timer) timer = window.setTimeout(push, 30);
  };
  const watched = new Set(["selected", "colorBy", "projectionId", "running", "filters"]);
  off.push(store.subscribe((_, changed) => [...changed].some((key) => watched.has(key)) && schedule()));
  off.push(() => clearTimeout(timer));

  // ---- the traits → the projector ------------------------------------------------------------
  /** Apply trait `name` to the projector; errors go to the status line, one line. */
  const apply = (name: string, fn: () => Promise<unknown> | void) => () => {
    if (!live) return;
    applying.add(name);
    Promise.resolve()
      .then(fn)
      .catch((error: unknown) => store.say(errorText(error), true))
      .finally(() => {
        applying.delete(name);
        schedule();
      });
  };
  const applySelection = apply("selection", () => {
    const ids = (model.get("selection") ?? []) as number[];
    if (!sameIds(ids, store.selectedIds())) app.selectIds(ids);
  });
  const applyColor = apply("color_by", async () => {
    const name = model.get("color_by");
    if (name && name !== store.get().colorBy) await app.colorBy(String(name));
  });
  const applyProjection = apply("projection", async () => {
    const id = model.get("projection");
    if (!id || id === store.get().projectionId) return;
    if (!store.get().dataset?.projections.some((p) => p.id === id)) await app.refreshDataset(); // made in Python just now
    await app.showProjection(String(id));
  });
  const applyFilter = apply("filter", async () => {
    const wanted = filtersFromTrait(model.get("filter"));
    if (sameJson(filtersToTrait(store.get().filters), filtersToTrait(wanted))) return;
    for (const name of filtering.inputs.keys()) if (!(name in wanted)) await filtering.set(name, null);
    await filtering.setAll(wanted);
  });
  const heard: [string, () => void][] = [
    ["change:selection", applySelection],
    ["change:color_by", applyColor],
    ["change:projection", applyProjection],
    ["change:filter", applyFilter],
  ];
  for (const [event, callback] of heard) listen(event, callback);

  // Edits and new projections or scores made elsewhere (Python, another view) show here.
  data.onEdited = (column) => void app.afterEdit(column ?? undefined).catch((error: unknown) => store.say(errorText(error), true));
  data.onChanged = () =>
    void (async () => {
      const count = (await data.dataset()).count;
      // New points (an ingest) change every per-point array: only a fresh view shows them.
      if (count !== app.n) return store.say(`the workspace has ${count} points now (${app.n} shown): show the widget again`, true);
      await app.refreshDataset();
    })().catch((error: unknown) => store.say(errorText(error), true));

  // Traits set from Python while the projector was loading win; otherwise the projector's state
  // (the projection it chose, its colour) is published.
  const names = ["selection", "color_by", "projection", "filter"];
  const before = JSON.stringify(names.map((name) => model.get(name)));
  void projector.ready.then(
    () => {
      live = true;
      if (JSON.stringify(names.map((name) => model.get(name))) !== before) {
        for (const fn of [applySelection, applyColor, applyProjection, applyFilter]) fn();
      } else push();
    },
    () => undefined, // the status line says why
  );

  return () => {
    live = false;
    data.onEdited = null;
    data.onChanged = null;
    for (const stop of off) stop();
  };
}
