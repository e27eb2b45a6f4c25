/**
 * Column filters and cross-filtering (as Embedding Atlas's linked charts): each filter is a range
 * of a numeric column or a set of values of a categorical one; a point passes when it passes
 * every filter. Each chart counts the points that pass the *other* filters, so brushing one shows
 * at once what is left in the rest. Everything is typed-array loops: one pass per filter.
 */
import type { Column } from "../host";
import type { CategoricalView } from "./columns";

/** A range of a numeric column (inclusive), or a set of category names. */
export type Filter = { kind: "range"; lo: number; hi: number } | { kind: "values"; values: string[] };

/** A filtered column: the data, its categorical view (null for a histogram) and the filter. */
export interface FilterInput {
  column: Column;
  view: CategoricalView | null;
  filter: Filter | null;
}

/** 1 where point i passes `filter` on this column. */
export function passMask(input: FilterInput, out?: Uint8Array): Uint8Array {
  const { column, view, filter } = input;
  const n = column.n;
  const mask = out && out.length === n ? out : new Uint8Array(n);
  if (!filter) return mask.fill(1);
  if (filter.kind === "range") {
    const values = column.values as Float32Array;
    const { lo, hi } = filter;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      mask[i] = v >= lo && v <= hi ? 1 : 0;
    }
    return mask;
  }
  const codes = view ? view.codes : (column.values as Int32Array);
  const categories = view ? view.categories : column.categories;
  const wanted = new Uint8Array(categories.length + 1);
  const set = new Set(filter.values);
  categories.forEach((c, k) => (wanted[k + 1] = set.has(c) ? 1 : 0));
  wanted[0] = set.has("") ? 1 : 0; // missing values, ticked as "(missing)"
  for (let i = 0; i < n; i++) mask[i] = wanted[codes[i] + 1];
  return mask;
}

/** The result of every filter together. */
export interface CrossFilter {
  /** 1 where a point passes every filter; null when no filter is set. */
  mask: Uint8Array | null;
  /** How many filters each point passes (only counted with two filters or more). */
  passes: Uint8Array | null;
  /** Each filtered column's own pass mask. */
  own: Map<string, Uint8Array>;
  /** Number of active filters. */
  active: number;
}

/**
 * Combine the filters of `inputs`: one pass per active filter, plus one to count passes when
 * there are several (a single filter's mask is the result as it is).
 */
export function crossFilter(inputs: Map<string, FilterInput>, n: number): CrossFilter {
  const own = new Map<string, Uint8Array>();
  for (const [name, input] of inputs) if (input.filter) own.set(name, passMask(input));
  const active = own.size;
  if (active === 0) return { mask: null, passes: null, own, active };
  if (active === 1) return { mask: [...own.values()][0], passes: null, own, active };
  const passes = new Uint8Array(n);
  for (const mask of own.values()) for (let i = 0; i < n; i++) passes[i] += mask[i];
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = passes[i] === active ? 1 : 0;
  return { mask, passes, own, active };
}

/** 1 where a point passes every filter but `name`'s (what `name`'s chart counts); null: all. */
export function othersMask(cf: CrossFilter, name: string, n: number): Uint8Array | null {
  const mine = cf.own.get(name);
  if (!mine) return cf.mask; // a card without a filter counts what every filter lets through
  if (cf.active === 1 || !cf.passes) return null;
  const need = cf.active - 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = cf.passes[i] - mine[i] === need ? 1 : 0;
  return out;
}

/** Counts of finite `values` in `bins` equal bins over [lo, hi], among `mask` when given. */
export function histogram(values: Float32Array, lo: number, hi: number, bins: number, mask?: Uint8Array | null): Uint32Array {
  const counts = new Uint32Array(bins);
  const scale = hi > lo ? bins / (hi - lo) : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi) || (mask && !mask[i])) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) * scale))]++;
  }
  return counts;
}

/** Counts per category code (last slot: missing), among `mask` when given. */
export function valueCounts(codes: Int32Array, k: number, mask?: Uint8Array | null): Uint32Array {
  const counts = new Uint32Array(k + 1);
  for (let i = 0; i < codes.length; i++) {
    if (mask && !mask[i]) continue;
    const code = codes[i];
    counts[code < 0 ? k : code]++;
  }
  return counts;
}

/** Filters as text for a link: JSON `[[column, "r", lo, hi] | [column, "v", [values]]]`. */
export function encodeFilters(filters: Record<string, Filter>): string {
  const rows = Object.entries(filters).map(([name, f]) =>
    f.kind === "range" ? [name, "r", +f.lo.toPrecision(6), +f.hi.toPrecision(6)] : [name, "v", f.values],
  );
  return rows.length ? JSON.stringify(rows) : "";
}

/** The inverse of `encodeFilters`; throws a readable error for text it cannot read. */
export function decodeFilters(text: string): Record<string, Filter> {
  const out: Record<string, Filter> = {};
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch {
    throw new Error("the link's filters are not readable");
  }
  if (!Array.isArray(rows)) throw new Error("the link's filters are not readable");
  for (const row of rows) {
    if (!Array.isArray(row) || typeof row[0] !== "string") throw new Error("the link's filters are not readable");
    if (row[1] === "r" && Number.isFinite(row[2]) && Number.isFinite(row[3]) && row[2] <= row[3])
      out[row[0]] = { kind: "range", lo: row[2], hi: row[3] };
    else if (row[1] === "v" && Array.isArray(row[2])) out[row[0]] = { kind: "values", values: row[2].map(String) };
    else throw new Error(`the link's filter on ${row[0]} is not readable`);
  }
  return out;
}
