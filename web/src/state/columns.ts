/**
 * Columns seen as categories: text columns as they come (codes into `categories`), and numeric
 * columns whose values are a few integers (flags, class ids, pullback numbers), which read better
 * as categories than as a gradient (the TF Projector's "use categorical colouring").
 */
import type { Column } from "../host";

/** Per-point category codes (-1 = missing) with each category's name and count. */
export interface CategoricalView {
  codes: Int32Array;
  categories: string[];
  counts: number[];
}

/** At most this many distinct integers make a numeric column categorical. */
export const MAX_INTEGER_CATEGORIES = 12;

/** Format a number as the page shows it. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return "";
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(3);
}

/**
 * The column as categories, or null for a numeric column with non-integers or more than
 * `maxCategories` distinct values. Integer categories are in numeric order.
 */
export function asCategories(column: Column, maxCategories = MAX_INTEGER_CATEGORIES): CategoricalView | null {
  if (column.kind === "text") {
    return { codes: column.values as Int32Array, categories: column.categories, counts: column.counts };
  }
  const values = column.values as Float32Array;
  const seen = new Map<number, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return null;
    if (!seen.has(v)) {
      if (seen.size >= maxCategories) return null;
      seen.set(v, 0);
    }
  }
  if (!seen.size) return null;
  const sorted = [...seen.keys()].sort((a, b) => a - b);
  sorted.forEach((v, k) => seen.set(v, k));
  const codes = new Int32Array(values.length);
  const counts = new Array<number>(sorted.length).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const code = Number.isNaN(v) ? -1 : (seen.get(v) as number);
    codes[i] = code;
    if (code >= 0) counts[code]++;
  }
  return { codes, categories: sorted.map(String), counts };
}

/** Point `i`'s value of `column` as text (empty when missing). */
export function cellText(column: Column, i: number): string {
  if (column.kind === "text") {
    const code = (column.values as Int32Array)[i];
    return code >= 0 ? column.categories[code] : "";
  }
  return formatValue((column.values as Float32Array)[i]);
}
