/**
 * Point colours: a categorical palette for text columns (legend with counts) and a gradient for
 * numbers (viridis, perceptually uniform, as matplotlib's default). Missing values are grey.
 */
import type { Column } from "../api/client";

// Tableau 10 then its lighter twins: 20 distinguishable colours before any repeats.
const CATEGORICAL = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
  "#9c755f", "#bab0ac", "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63",
  "#d4a6c8", "#fabfd2", "#d7b5a6", "#79706e",
];
const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];
const MISSING: [number, number, number] = [110, 110, 110];

export function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

export function categoryColor(code: number): [number, number, number] {
  return code < 0 ? MISSING : hexToRgb(CATEGORICAL[code % CATEGORICAL.length]);
}

/** Viridis at t in [0, 1], linearly between its ten stops. */
export function gradientColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const a = hexToRgb(VIRIDIS[k]);
  const b = hexToRgb(VIRIDIS[k + 1]);
  const f = x - k;
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as [number, number, number];
}

export interface LegendEntry {
  label: string;
  color: string;
  count: number;
  /** Category code (text columns) the entry stands for; -1 for missing. */
  code: number;
}

export interface Coloring {
  rgb: Uint8Array;
  legend: LegendEntry[];
  gradient: { min: number; max: number } | null;
}

const css = (c: [number, number, number]) => `rgb(${c[0]},${c[1]},${c[2]})`;

/** RGB bytes per point and the legend for `column` (null colours every point the same). */
export function colorize(column: Column | null, n: number): Coloring {
  const rgb = new Uint8Array(n * 3);
  if (!column) {
    rgb.fill(0);
    for (let i = 0; i < n; i++) rgb.set([78, 121, 167], i * 3);
    return { rgb, legend: [], gradient: null };
  }
  if (column.kind === "text") {
    const codes = column.values as Int32Array;
    const table = column.categories.map((_, k) => categoryColor(k));
    let missing = 0;
    for (let i = 0; i < n; i++) {
      const code = codes[i];
      if (code < 0) missing++;
      rgb.set(code < 0 ? MISSING : table[code], i * 3);
    }
    const legend = column.categories.map((label, k) => ({
      label,
      color: css(table[k]),
      count: column.counts[k],
      code: k,
    }));
    if (missing) legend.push({ label: "(missing)", color: css(MISSING), count: missing, code: -1 });
    return { rgb, legend, gradient: null };
  }
  const values = column.values as Float32Array;
  const lo = column.min ?? 0;
  const span = (column.max ?? 1) - lo || 1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    rgb.set(Number.isFinite(v) ? gradientColor((v - lo) / span) : MISSING, i * 3);
  }
  return { rgb, legend: [], gradient: { min: lo, max: lo + span } };
}

export const gradientCss = () => `linear-gradient(to right, ${VIRIDIS.join(", ")})`;
