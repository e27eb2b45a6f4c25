/**
 * The binary formats both hosts receive, decoded into typed arrays: a column container (the
 * server's `GET column/{name}` body, a widget's column reply) and a projection frame (a stream's
 * iterate). Python writes them in `synthscope.server._tables` and `synthscope.server._jobs`.
 */
import type { Column, Coordinates } from "../host";

/** Decode the column container: uint32 header length, JSON header, padding, typed payload. */
export function decodeColumn(buffer: ArrayBuffer): Column {
  const length = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
  const start = 4 + length + ((4 - ((4 + length) % 4)) % 4);
  const values = header.kind === "real" ? new Float32Array(buffer, start) : new Int32Array(buffer, start);
  return {
    name: header.name,
    kind: header.kind,
    n: header.n,
    values,
    categories: header.categories ?? [],
    counts: header.counts ?? [],
    min: header.min ?? null,
    max: header.max ?? null,
  };
}

/** Decode a stream frame: iteration, total, n, dims (uint32 LE), then float32 coordinates. */
export function decodeFrame(buffer: ArrayBuffer): Coordinates & { iteration: number; total: number } {
  const view = new DataView(buffer);
  const iteration = view.getUint32(0, true);
  const total = view.getUint32(4, true);
  const n = view.getUint32(8, true);
  const dims = view.getUint32(12, true);
  return { iteration, total, n, dims, coords: new Float32Array(buffer, 16, n * dims) };
}

