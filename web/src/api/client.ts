/**
 * The projector's HTTP client: one function per route of `synthscope.server`, binary where the
 * data is per point (coordinates, columns), JSON elsewhere. Every call throws `ApiError` with the
 * server's one-line message (`{"detail", "error", "parameter"}`) when the answer is not 2xx.
 * Only `api/http-host.ts` imports this module: the rest of the page talks to a `Host`.
 */
import type {
  Batch,
  Column,
  Components,
  Coordinates,
  Dataset,
  EditAck,
  ExportAck,
  JobStatus,
  Neighbors,
  ProjectionMeta,
  ProjectionRequest,
  ProjectionSchema,
  Started,
  StreamHandle,
  StreamHandlers,
} from "../host";
import { decodeColumn, decodeFrame } from "./binary";

/** An error answer from the server: its one-line `detail`, its kind and the parameter at fault. */
export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
    public kind = "",
    public parameter: string | null = null,
  ) {
    super(message);
  }
}

async function check(response: Response): Promise<Response> {
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  let kind = "";
  let parameter: string | null = null;
  try {
    const body = await response.json();
    if (typeof body.detail === "string") message = body.detail;
    else if (body.detail) message = JSON.stringify(body.detail);
    kind = body.error ?? "";
    parameter = body.parameter ?? null;
  } catch {
    /* not JSON: keep the status line */
  }
  throw new ApiError(response.status, message, kind, parameter);
}

async function getJson<T>(path: string): Promise<T> {
  return (await check(await fetch(path))).json() as Promise<T>;
}

async function sendJson<T>(path: string, body?: unknown, method = "POST"): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await check(response)).json() as Promise<T>;
}

const q = encodeURIComponent;

/** `GET dataset`. */
export const getDataset = () => getJson<Dataset>("api/dataset");
/** `GET projections/schema`. */
export const getProjectionSchema = () => getJson<ProjectionSchema>("api/projections/schema");

/** `GET column/{name}`, decoded into typed arrays. */
export async function getColumn(name: string): Promise<Column> {
  const response = await check(await fetch(`api/column/${q(name)}`));
  return decodeColumn(await response.arrayBuffer());
}

/** `GET projection/{id}`: float32 coordinates. */
export async function getProjection(id: string): Promise<Coordinates> {
  const response = await check(await fetch(`api/projection/${q(id)}`));
  const dims = Number(response.headers.get("X-Dims"));
  const coords = new Float32Array(await response.arrayBuffer());
  return { coords, dims, n: coords.length / dims };
}

/** `GET projection/{id}/components?k=`: a PCA projection's first k components. */
export async function getComponents(id: string, k: number): Promise<Components> {
  const response = await check(await fetch(`api/projection/${q(id)}/components?k=${k}`));
  const dims = Number(response.headers.get("X-Dims"));
  const variance = JSON.parse(response.headers.get("X-Explained-Variance") ?? "[]") as number[];
  const coords = new Float32Array(await response.arrayBuffer());
  return { coords, dims, n: coords.length / dims, variance };
}

/** `POST projections`. */
export const startProjection = (request: ProjectionRequest) => sendJson<Started>("api/projections", request);
/** `PATCH projections/{id}` `{name}`. */
export const renameProjection = (id: string, name: string) =>
  sendJson<ProjectionMeta>(`api/projections/${q(id)}`, { name }, "PATCH");
/** `DELETE projections/{id}`. */
export const deleteProjection = async (id: string) => {
  await sendJson(`api/projections/${q(id)}`, undefined, "DELETE");
};

/** Watch a projection's iterates; returns a handle to pause, resume or stop it. */
export function streamProjection(id: string, handlers: StreamHandlers): StreamHandle {
  const url = new URL(`api/projections/${q(id)}/stream`, document.baseURI);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  let last: JobStatus = { id, state: "running", iteration: 0, total: 0 };
  let closing = false;
  socket.onmessage = (event) => {
    if (event.data instanceof ArrayBuffer) return handlers.onFrame(decodeFrame(event.data));
    const message = JSON.parse(event.data);
    // The server answers a message it could not understand with the one error shape.
    if (typeof message.detail === "string" && !("state" in message)) return handlers.onError?.(message.detail);
    last = message as JobStatus;
    handlers.onStatus(last);
  };
  socket.onclose = (event) => {
    // A stream that ends before its job did (server gone, job unknown) ends the run here too,
    // so the page never waits on it.
    if (!closing && (last.state === "running" || last.state === "paused"))
      handlers.onStatus({ ...last, state: "error", error: event.reason || "the projection's stream closed before it finished" });
  };
  return {
    send: (action) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ action }));
    },
    close: () => {
      closing = true;
      socket.close();
    },
  };
}

/** `POST labels` `{ids, column, value}`: answers once committed. */
export const relabel = (ids: number[], column: string, value: string | number | null) =>
  sendJson<EditAck>("api/labels", { ids, column, value });
/** `POST labels/undo`. */
export const undo = () => sendJson<{ batch: number | null }>("api/labels/undo");
/** `POST labels/redo`. */
export const redo = () => sendJson<{ batch: number | null }>("api/labels/redo");
/** `GET labels/history`: the latest 30 batches. */
export const history = () => getJson<{ batches: Batch[] }>("api/labels/history?limit=30");

/** `GET neighbors/{id}?k=&metric=&feature=`. */
export const neighbors = (id: number, k: number, metric: string, feature: string | null) =>
  getJson<Neighbors>(
    `api/neighbors/${id}?k=${k}&metric=${q(metric)}` + (feature ? `&feature=${q(feature)}` : ""),
  );

/** `GET point/{id}`: every column's value. */
export const point = (id: number) =>
  getJson<{ id: number; values: Record<string, string | number | null> }>(`api/point/${id}`);

/** `GET realism?feature=`: one feature's report (the first scored without one). */
export const realism = (feature?: string) =>
  getJson<Record<string, unknown>>("api/realism" + (feature !== undefined ? `?feature=${q(feature)}` : ""));

/** `GET utility`: the last `synthscope utility` study (404 until one ran). */
export const utility = () => getJson<Record<string, unknown>>("api/utility");

/** `POST palette` `{key, values}`: each value's stable palette slot. */
export const palette = async (key: string, values: string[]) =>
  (await sendJson<{ slots: Record<string, number> }>("api/palette", { key, values })).slots;

/** `POST exports/images` `{ids, name}`: copies into `WS/exports/<name>/`. */
export const exportImages = (ids: number[], name?: string) =>
  sendJson<ExportAck>("api/exports/images", { ids, name: name || null });

/** `POST selection.tsv` `{ids}`: the selected rows as a file. */
export async function selectionTsv(ids: number[]): Promise<Blob> {
  const response = await fetch("api/selection.tsv", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ids }),
  });
  return (await check(response)).blob();
}

/** A file from the server, or null on 404. */
export async function blob(path: string): Promise<Blob | null> {
  const response = await fetch(path);
  if (response.status === 404) return null;
  return (await check(response)).blob();
}

/** URLs of files the page shows or offers for download. */
export const thumbTileUrl = (tile: number) => `api/thumbs/${tile}`;
export const imageUrl = (id: number) => `api/image/${id}`;
export const labelMapUrl = (id: number) => `api/image/${id}/labels`;
export const metadataUrl = () => "api/metadata.tsv";
export const coordinatesUrl = (projection: string) => `api/coordinates.csv?projection=${q(projection)}`;
