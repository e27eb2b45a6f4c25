/**
 * Column filters, controller side: which columns have a filter card, their data, and the
 * cross-filter result written to the store. In "filter" mode points outside fade and cannot be
 * picked (a box then takes the intersection); in "select" mode the filtered points become the
 * selection, and shift / alt with box or lasso add to or take from it.
 */
import type { App } from "./app";
import { asCategories } from "./state/columns";
import { crossFilter, othersMask, type CrossFilter, type Filter, type FilterInput } from "./state/filters";

/** Cards and filters of the filter panel. */
export class Filtering {
  /** Columns with a card, in the order they were added. */
  readonly inputs = new Map<string, FilterInput>();
  private result: CrossFilter | null = null;
  /** Called after every change (the panel redraws its cards). */
  onChange: (() => void) | null = null;

  constructor(private app: App) {
    app.onEdit.push(async (column) => {
      const stale = [...this.inputs.keys()].filter((name) => !column || name === column);
      for (const name of stale) await this.load(name, true);
      // The counts follow the edit; the selection an edit was made on stays as it is.
      if (stale.length) this.apply(false);
    });
  }

  private async load(name: string, fresh = false): Promise<FilterInput> {
    const column = await this.app.column(name, fresh);
    const old = this.inputs.get(name);
    const input: FilterInput = { column, view: asCategories(column), filter: old?.filter ?? null };
    this.inputs.set(name, input);
    return input;
  }

  /** Add a card for column `name` (no filter yet). */
  async add(name: string): Promise<void> {
    if (this.inputs.has(name)) return;
    await this.load(name);
    this.apply();
  }

  /** Remove column `name`'s card and its filter. */
  remove(name: string): void {
    if (!this.inputs.delete(name)) return;
    this.apply();
  }

  /** Set (or clear, with null) the filter of column `name`, adding its card if needed. */
  async set(name: string, filter: Filter | null): Promise<void> {
    const input = this.inputs.get(name) ?? (await this.load(name));
    input.filter = filter;
    this.apply();
  }

  /** Set the filter of a column whose card is already there, synchronously (benchmarks). */
  setNow(name: string, filter: Filter | null): void {
    const input = this.inputs.get(name);
    if (!input) throw new Error(`no filter card for ${name}`);
    input.filter = filter;
    this.apply();
  }

  /** Set every filter at once (a link's filters); unknown columns are reported, not fatal. */
  async setAll(filters: Record<string, Filter>): Promise<void> {
    const known = new Set(this.app.store.get().dataset?.columns.map((c) => c.name));
    const missing = Object.keys(filters).filter((name) => !known.has(name));
    for (const [name, filter] of Object.entries(filters)) if (known.has(name)) (await this.load(name)).filter = filter;
    this.apply();
    if (missing.length) throw new Error(`the link filters columns this workspace lacks: ${missing.join(", ")}`);
  }

  /** "filter" or "select" (see the module docstring). */
  setMode(mode: "filter" | "select"): void {
    this.app.store.set({ filterMode: mode });
    this.apply();
  }

  /** Recompute the cross-filter and write it to the store ("select" mode: and the selection). */
  apply(reselect = true): void {
    const n = this.app.n;
    const result = crossFilter(this.inputs, n);
    this.result = result;
    const filters: Record<string, Filter> = {};
    for (const [name, input] of this.inputs) if (input.filter) filters[name] = input.filter;
    this.app.store.set({ filters, filterMask: result.mask });
    // Clearing the last filter leaves the selection it made.
    if (reselect && this.app.store.get().filterMode === "select" && result.mask) this.app.setSelection(result.mask);
    this.onChange?.();
  }

  /** 1 where a point passes every filter but `name`'s (what that card's chart counts). */
  others(name: string): Uint8Array | null {
    return this.result ? othersMask(this.result, name, this.app.n) : null;
  }
}
