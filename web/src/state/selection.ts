/**
 * Selection by screen position. Every point is projected with the camera's matrix, so a box or
 * lasso takes all points inside it, those hidden behind others included (the TF Projector's
 * GPU picking only sees the front ones).
 */

/**
 * Project n points (x, y, z triples) through a column-major 4x4 view-projection matrix to CSS
 * pixels; points behind the camera get NaN.
 */
export function projectToScreen(
  positions: Float32Array,
  matrix: ArrayLike<number>,
  width: number,
  height: number,
  out?: Float32Array,
): Float32Array {
  const n = positions.length / 3;
  const screen = out && out.length === n * 2 ? out : new Float32Array(n * 2);
  const m = matrix;
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i];
    const y = positions[3 * i + 1];
    const z = positions[3 * i + 2];
    const w = m[3] * x + m[7] * y + m[11] * z + m[15];
    if (w <= 0) {
      screen[2 * i] = NaN;
      screen[2 * i + 1] = NaN;
      continue;
    }
    const cx = (m[0] * x + m[4] * y + m[8] * z + m[12]) / w;
    const cy = (m[1] * x + m[5] * y + m[9] * z + m[13]) / w;
    screen[2 * i] = (cx * 0.5 + 0.5) * width;
    screen[2 * i + 1] = (0.5 - cy * 0.5) * height;
  }
  return screen;
}

/** A rectangle by two corners, in any order. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Mask of points whose screen position lies in the rectangle (corners in any order). */
export function inBox(screen: Float32Array, rect: Rect, visible?: Uint8Array): Uint8Array {
  const n = screen.length / 2;
  const mask = new Uint8Array(n);
  const xa = Math.min(rect.x0, rect.x1);
  const xb = Math.max(rect.x0, rect.x1);
  const ya = Math.min(rect.y0, rect.y1);
  const yb = Math.max(rect.y0, rect.y1);
  for (let i = 0; i < n; i++) {
    const x = screen[2 * i];
    const y = screen[2 * i + 1];
    if (x >= xa && x <= xb && y >= ya && y <= yb && (!visible || visible[i])) mask[i] = 1;
  }
  return mask;
}

/** Even-odd test of one point against a polygon given as [x0, y0, x1, y1, ...]. */
export function pointInPolygon(x: number, y: number, poly: number[]): boolean {
  let inside = false;
  const m = poly.length / 2;
  for (let a = 0, b = m - 1; a < m; b = a++) {
    const xa = poly[2 * a];
    const ya = poly[2 * a + 1];
    const xb = poly[2 * b];
    const yb = poly[2 * b + 1];
    if (ya > y !== yb > y && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) inside = !inside;
  }
  return inside;
}

/**
 * Mask of points inside a lasso polygon. The polygon is rasterised once into a bitmap of its
 * bounding box, so each point costs one lookup however many vertices the lasso has.
 */
export function inLasso(screen: Float32Array, poly: number[], visible?: Uint8Array): Uint8Array {
  const n = screen.length / 2;
  const mask = new Uint8Array(n);
  if (poly.length < 6) return mask;
  let xa = Infinity, ya = Infinity, xb = -Infinity, yb = -Infinity;
  for (let k = 0; k < poly.length; k += 2) {
    xa = Math.min(xa, poly[k]);
    xb = Math.max(xb, poly[k]);
    ya = Math.min(ya, poly[k + 1]);
    yb = Math.max(yb, poly[k + 1]);
  }
  xa = Math.floor(xa);
  ya = Math.floor(ya);
  const w = Math.ceil(xb) - xa + 1;
  const h = Math.ceil(yb) - ya + 1;
  const raster = rasterize(poly, xa, ya, w, h);
  for (let i = 0; i < n; i++) {
    const px = Math.floor(screen[2 * i] - xa);
    const py = Math.floor(screen[2 * i + 1] - ya);
    if (px >= 0 && py >= 0 && px < w && py < h && raster[py * w + px] && (!visible || visible[i]))
      mask[i] = 1;
  }
  return mask;
}

/** Scanline fill (even-odd, pixel centres) of the polygon into a w x h bitmap at (x0, y0). */
function rasterize(poly: number[], x0: number, y0: number, w: number, h: number): Uint8Array {
  const bitmap = new Uint8Array(w * h);
  const m = poly.length / 2;
  const crossings: number[] = [];
  for (let row = 0; row < h; row++) {
    const y = y0 + row + 0.5;
    crossings.length = 0;
    for (let a = 0, b = m - 1; a < m; b = a++) {
      const ya = poly[2 * a + 1];
      const yb = poly[2 * b + 1];
      if (ya > y !== yb > y) {
        const xa = poly[2 * a];
        const xb = poly[2 * b];
        crossings.push(xa + ((y - ya) * (xb - xa)) / (yb - ya));
      }
    }
    crossings.sort((p, q) => p - q);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const from = Math.max(0, Math.ceil(crossings[k] - x0 - 0.5));
      const to = Math.min(w - 1, Math.floor(crossings[k + 1] - x0 - 0.5));
      bitmap.fill(1, row * w + from, row * w + to + 1);
    }
  }
  return bitmap;
}

/** Combine a new mask with the current selection: replace, add (shift) or remove (alt). */
export function combine(
  current: Uint8Array,
  hit: Uint8Array,
  mode: "replace" | "add" | "remove",
): Uint8Array {
  if (mode === "replace") return hit;
  const out = new Uint8Array(current);
  for (let i = 0; i < hit.length; i++) if (hit[i]) out[i] = mode === "add" ? 1 : 0;
  return out;
}

/** Nearest point to (x, y) within `radius` px; -1 when none. */
export function pick(
  screen: Float32Array,
  x: number,
  y: number,
  radius: number,
  visible?: Uint8Array,
): number {
  let best = -1;
  let bestD = radius * radius;
  const n = screen.length / 2;
  for (let i = 0; i < n; i++) {
    const dx = screen[2 * i] - x;
    const dy = screen[2 * i + 1] - y;
    const d = dx * dx + dy * dy;
    if (d <= bestD && (!visible || visible[i])) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

/** Normalise coordinates into a unit sphere around their bounding-box centre; n x 3 out. */
export function normalize(coords: Float32Array, dims: number): Float32Array {
  const n = coords.length / dims;
  const out = new Float32Array(n * 3);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dims; d++) {
      const v = coords[i * dims + d];
      if (Number.isFinite(v)) {
        lo[d] = Math.min(lo[d], v);
        hi[d] = Math.max(hi[d], v);
      }
    }
  let radius = 0;
  const centre = [0, 0, 0];
  for (let d = 0; d < dims; d++) {
    centre[d] = Number.isFinite(lo[d]) ? (lo[d] + hi[d]) / 2 : 0;
    radius = Math.max(radius, Number.isFinite(lo[d]) ? (hi[d] - lo[d]) / 2 : 0);
  }
  const scale = radius > 0 ? 1 / radius : 1;
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dims; d++) out[i * 3 + d] = (coords[i * dims + d] - centre[d]) * scale;
  return out;
}
