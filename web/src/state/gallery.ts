/**
 * Which points the gallery shows and in what order: the selection (or, without one, the points
 * passing the filters), sorted by any column, missing values last whichever the direction.
 */
import type { Column } from "../host";

/** Ids of the selection, or of the filtered points when nothing is selected. */
export function galleryIds(selected: Uint8Array, selectedCount: number, filterMask: Uint8Array | null): Uint32Array {
  const source = selectedCount > 0 ? selected : filterMask;
  if (!source) return new Uint32Array(0);
  let count = 0;
  for (let i = 0; i < source.length; i++) count += source[i];
  const ids = new Uint32Array(count);
  for (let i = 0, k = 0; i < source.length; i++) if (source[i]) ids[k++] = i;
  return ids;
}

/**
 * `ids` ordered by `column` (null: by id). Text sorts by name (natural order for digits),
 * numbers by value; ties keep id order; missing values go last.
 */
export function sortIds(ids: Uint32Array, column: Column | null, descending: boolean): Uint32Array {
  const out = Uint32Array.from(ids);
  if (!column) {
    if (descending) out.reverse();
    return out;
  }
  const n = column.values.length;
  const keys = new Float64Array(n);
  if (column.kind === "text") {
    const collator = new Intl.Collator(undefined, { numeric: true });
    const order = column.categories.map((_, k) => k).sort((a, b) => collator.compare(column.categories[a], column.categories[b]));
    const rank = new Float64Array(column.categories.length);
    order.forEach((k, r) => (rank[k] = r));
    const codes = column.values as Int32Array;
    for (let i = 0; i < n; i++) keys[i] = codes[i] < 0 ? NaN : rank[codes[i]];
  } else {
    keys.set(column.values as Float32Array);
  }
  const sign = descending ? -1 : 1;
  const sorted = Array.from(out).sort((a, b) => {
    const ka = keys[a];
    const kb = keys[b];
    const ma = Number.isNaN(ka);
    const mb = Number.isNaN(kb);
    if (ma || mb) return ma === mb ? a - b : ma ? 1 : -1;
    return ka === kb ? a - b : sign * (ka - kb);
  });
  out.set(sorted);
  return out;
}
