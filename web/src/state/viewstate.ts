/**
 * The view as text for a link: selections as id ranges (`3,5,10-12`, the server's `ids=` syntax,
 * with the same refusals) or, when that is long, as a deflated bitmask (`z` + base64url), which
 * keeps a 100,000-point selection of a few clusters to a few hundred characters.
 */

/** Ranges longer than this become a compressed bitmask. */
const MAX_RANGES = 1500;

/**
 * Point ids from `"3,5,10-12"` (ranges inclusive), checked against `n` points. Refuses what the
 * server refuses: non-integers, backwards ranges (`9-1`), ids out of range.
 */
export function parseIds(text: string, n: number): number[] {
  const ids: number[] = [];
  for (const raw of text.split(",")) {
    const part = raw.trim();
    if (!part) continue;
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (b < a) throw new Error(`ids: range ${part} runs backwards; write it low-high (${b}-${a})`);
      if (b >= n) throw new Error(`ids out of range 0..${n - 1}: ${part}`);
      for (let i = a; i <= b; i++) ids.push(i);
    } else if (/^\d+$/.test(part)) {
      const id = Number(part);
      if (id >= n) throw new Error(`ids out of range 0..${n - 1}: ${id}`);
      ids.push(id);
    } else {
      throw new Error(`ids must be integers or ranges like 3-7 (got ${JSON.stringify(part)})`);
    }
  }
  return ids;
}

/** The selected ids of `mask` as ranges. */
export function formatIds(mask: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    let j = i;
    while (j + 1 < mask.length && mask[j + 1]) j++;
    parts.push(j > i ? `${i}-${j}` : String(i));
    i = j;
  }
  return parts.join(",");
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

function toBase64Url(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A selection as link text: ranges when short, else `z` + deflated bitmask. */
export async function encodeSelection(mask: Uint8Array): Promise<string> {
  const ranges = formatIds(mask);
  if (ranges.length <= MAX_RANGES) return ranges;
  const bits = new Uint8Array(Math.ceil(mask.length / 8));
  for (let i = 0; i < mask.length; i++) if (mask[i]) bits[i >> 3] |= 1 << (i & 7);
  return "z" + toBase64Url(await pipe(bits, new CompressionStream("deflate-raw")));
}

/** The mask a link's selection text stands for (throws a readable error when it is not valid). */
export async function decodeSelection(text: string, n: number): Promise<Uint8Array> {
  const mask = new Uint8Array(n);
  if (text.startsWith("z")) {
    let bits: Uint8Array;
    try {
      bits = await pipe(fromBase64Url(text.slice(1)), new DecompressionStream("deflate-raw"));
    } catch {
      throw new Error("the link's selection is not readable");
    }
    for (let i = 0; i < n; i++) mask[i] = (bits[i >> 3] >> (i & 7)) & 1;
    return mask;
  }
  for (const id of parseIds(text, n)) mask[id] = 1;
  return mask;
}

/** Camera numbers rounded for a link. */
export const roundAll = (values: number[], digits = 4) => values.map((v) => +v.toFixed(digits));
