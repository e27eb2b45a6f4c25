/**
 * Point colours. Categories take their colour from a palette *slot* that the workspace keeps for
 * each value (first seen, first served: `POST /api/palette`), never from their rank by count, so
 * relabelling never repaints the rest. The categorical palette is Okabe & Ito's (2008) eight
 * colour-blind-safe colours (black left out: it vanishes on the dark theme), then Paul Tol's
 * "muted" set; numbers use viridis (perceptually uniform, legible in grey and to
 * colour-blind readers). Label maps use a separate class palette (Tol's "bright") so classes are
 * never read as categories of the scatter.
 */
import type { CategoricalView } from "./columns";

/** Colour-blind-safe categorical palette: Okabe-Ito, then Tol muted. */
export const CATEGORICAL = [
  "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7",
  "#cc6677", "#332288", "#ddcc77", "#117733", "#88ccee", "#882255", "#44aa99", "#999933", "#aa4499",
];
/** Label-map classes: 0 (outside) black, then Tol bright. */
export const CLASS_PALETTE = ["#000000", "#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb"];
const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];
/** Missing values. */
export const MISSING: [number, number, number] = [120, 120, 120];

/** A colour as three bytes. */
export type Rgb = [number, number, number];

/** `#rrggbb` to bytes. */
export function hexToRgb(hex: string): Rgb {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** The colour of palette slot `slot` (slots past the palette wrap around). */
export function slotColor(slot: number): Rgb {
  return slot < 0 ? MISSING : hexToRgb(CATEGORICAL[slot % CATEGORICAL.length]);
}

/** The colour of label-map class `k`. */
export function classColor(k: number): Rgb {
  return hexToRgb(CLASS_PALETTE[k % CLASS_PALETTE.length]);
}

/** Viridis at t in [0, 1], linearly between its ten stops. */
export function gradientColor(t: number): Rgb {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const a = hexToRgb(VIRIDIS[k]);
  const b = hexToRgb(VIRIDIS[k + 1]);
  const f = x - k;
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as Rgb;
}

/** One legend row. */
export interface LegendEntry {
  label: string;
  color: string;
  count: number;
  /** Category code in the categorical view; -1 for missing. */
  code: number;
  /** Palette slot (stable for the workspace); -1 for missing. */
  slot: number;
}

/** Colours of every point, and what the legend shows. */
export interface Coloring {
  rgb: Uint8Array;
  legend: LegendEntry[];
  gradient: { min: number; max: number } | null;
}

/** `rgb(r,g,b)` for CSS. */
export const css = (c: Rgb) => `rgb(${c[0]},${c[1]},${c[2]})`;

/** Every point the same colour (no column). */
export function uniform(n: number): Coloring {
  const rgb = new Uint8Array(n * 3);
  const [r, g, b] = hexToRgb(CATEGORICAL[4]);
  for (let i = 0; i < n; i++) rgb.set([r, g, b], i * 3);
  return { rgb, legend: [], gradient: null };
}

/**
 * Colours by category: each category's palette slot comes from `slots` (value -> slot); the
 * legend lists categories in slot order, so it too stays put when counts change.
 */
export function colorCategories(view: CategoricalView, slots: Record<string, number>): Coloring {
  const n = view.codes.length;
  const rgb = new Uint8Array(n * 3);
  const slotOf = view.categories.map((c) => slots[c] ?? -1);
  const table = slotOf.map(slotColor);
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const code = view.codes[i];
    if (code < 0) missing++;
    rgb.set(code < 0 ? MISSING : table[code], i * 3);
  }
  const legend: LegendEntry[] = view.categories.map((label, k) => ({
    label,
    color: css(table[k]),
    count: view.counts[k],
    code: k,
    slot: slotOf[k],
  }));
  legend.sort((a, b) => a.slot - b.slot || a.label.localeCompare(b.label));
  if (missing) legend.push({ label: "(missing)", color: css(MISSING), count: missing, code: -1, slot: -1 });
  return { rgb, legend, gradient: null };
}

/** Colours along viridis between the column's finite minimum and maximum. */
export function colorGradient(values: Float32Array, min: number | null, max: number | null): Coloring {
  const n = values.length;
  const rgb = new Uint8Array(n * 3);
  const lo = min ?? 0;
  const span = (max ?? 1) - lo || 1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    rgb.set(Number.isFinite(v) ? gradientColor((v - lo) / span) : MISSING, i * 3);
  }
  return { rgb, legend: [], gradient: { min: lo, max: lo + span } };
}

/** The viridis ramp as a CSS gradient (the legend's bar). */
export const gradientCss = () => `linear-gradient(to right, ${VIRIDIS.join(", ")})`;

/**
 * The palette key of a column: `label` shares `source`'s, since labels start as sources and a
 * `real` label should look like a `real` source.
 */
export const paletteKey = (column: string) => (column === "label" ? "source" : column);
