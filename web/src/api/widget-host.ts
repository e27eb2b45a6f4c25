/**
 * The Jupyter widget's host: data over the anywidget model's custom messages, answered by the
 * kernel (`synthscope.widget`), and the view kept in the model's traits.
 *
 * Messages (content as JSON, payloads as binary buffers, never JSON lists):
 *
 *   view → kernel  {type: "request", id, method, args}
 *   kernel → view  {type: "reply", id, value} + [payload]      an answer; at most one buffer
 *                  {type: "reply", id, error: {detail, error, parameter?}}   one line, as the server's
 *                  {type: "frame", stream} + [frame]          a projection iterate (`binary.ts`)
 *                  {type: "status", stream, status}           a projection job's state
 *                  {type: "edited", column}                   edited elsewhere (Python, another view)
 *                  {type: "changed"}                          projections, features or columns changed
 *
 * Every view of a model hears every message, so request and stream ids carry the view's own
 * prefix. Payloads: a column is the server's column container, coordinates little-endian
 * float32, images and atlas tiles PNG files, a selection TSV UTF-8 text.
 */
import type {
  Column,
  Components,
  Coordinates,
  DataSource,
  Host,
  JobStatus,
  StreamHandlers,
  ViewState,
  ViewStore,
} from "../host";
import { decodeColumn, decodeFrame } from "./binary";

/** A value decoded from JSON (the kernel's answers are checked where they are used). */
type Json = any;

/** The part of anywidget's model the projector uses. */
export interface WidgetModel {
  get(name: string): Json;
  set(name: string, value: unknown): void;
  save_changes(): void;
  on(event: string, callback: (...args: Json[]) => void): void;
  off(event?: string | null, callback?: ((...args: Json[]) => void) | null): void;
  send(content: unknown, callbacks?: unknown, buffers?: ArrayBuffer[] | ArrayBufferView[]): void;
}

/** A request the kernel refused: its one-line message, kind and the parameter at fault. */
export class KernelError extends Error {
  constructor(
    message: string,
    public kind = "",
    public parameter: string | null = null,
  ) {
    super(message);
  }
}

interface Reply {
  value: Json;
  buffer: ArrayBuffer | null;
}

/** A standalone, aligned copy of a received buffer (DataView, typed array or ArrayBuffer). */
function own(buffer: ArrayBuffer | ArrayBufferView | undefined): ArrayBuffer | null {
  if (!buffer) return null;
  if (buffer instanceof ArrayBuffer) return buffer;
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).slice().buffer;
}

/** The kernel's side of the widget as a `DataSource`, plus what the widget itself listens to. */
export interface WidgetData extends DataSource {
  /** Called when the workspace was edited elsewhere (column, or null for any). */
  onEdited: ((column: string | null) => void) | null;
  /** Called when projections, features or columns changed elsewhere. */
  onChanged: (() => void) | null;
  /** Stop listening (the view is going away). */
  close(): void;
}

let views = 0;

/** Requests and streams over `model`'s custom messages. */
export function widgetData(model: WidgetModel): WidgetData {
  const prefix = `${Date.now().toString(36)}.${++views}.`;
  let next = 0;
  const pending = new Map<string, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  const streams = new Map<string, StreamHandlers>();

  function call(method: string, args: Record<string, unknown> = {}): Promise<Reply> {
    const id = prefix + ++next;
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      model.send({ type: "request", id, method, args });
    });
  }
  const value = async <T>(method: string, args?: Record<string, unknown>): Promise<T> => (await call(method, args)).value as T;
  const payload = async (method: string, args?: Record<string, unknown>): Promise<Reply & { buffer: ArrayBuffer }> => {
    const reply = await call(method, args);
    if (!reply.buffer) throw new KernelError(`${method}: the kernel sent no data`);
    return reply as Reply & { buffer: ArrayBuffer };
  };
  const objectUrl = (buffer: ArrayBuffer, type: string) => URL.createObjectURL(new Blob([buffer], { type }));
  const coordinates = (reply: Reply & { buffer: ArrayBuffer }): Coordinates => {
    const coords = new Float32Array(reply.buffer);
    const dims = Number(reply.value.dims);
    return { coords, dims, n: coords.length / dims };
  };

  const data: WidgetData = {
    onEdited: null,
    onChanged: null,
    dataset: () => value("dataset"),
    column: async (name): Promise<Column> => decodeColumn((await payload("column", { name })).buffer),
    projection: async (id) => coordinates(await payload("projection", { id })),
    components: async (id, k): Promise<Components> => {
      const reply = await payload("components", { id, k });
      return { ...coordinates(reply), variance: reply.value.variance as number[] };
    },
    projectionSchema: () => value("projectionSchema"),
    startProjection: (request) => value("startProjection", { request }),
    streamProjection(id, handlers) {
      const stream = prefix + "s" + ++next;
      streams.set(stream, handlers);
      call("stream", { stream, id }).catch((error: Error) => {
        streams.delete(stream);
        handlers.onStatus({ id, state: "error", iteration: 0, total: 0, error: error.message });
      });
      return {
        send: (action) => void call("control", { id, action }).catch((error: Error) => handlers.onError?.(error.message)),
        close: () => {
          if (streams.delete(stream)) void call("unstream", { stream }).catch(() => undefined);
        },
      };
    },
    renameProjection: (id, name) => value("renameProjection", { id, name }),
    deleteProjection: async (id) => void (await call("deleteProjection", { id })),
    point: (id) => value("point", { id }),
    neighbors: (id, k, metric, feature) => value("neighbors", { id, k, metric, feature }),
    realism: (feature) => value("realism", { feature: feature ?? null }),
    utility: () => value("utility"),
    relabel: (ids, column, v) => value("relabel", { ids, column, value: v }),
    undo: () => value("undo"),
    redo: () => value("redo"),
    history: () => value("history", { limit: 30 }),
    palette: async (key, values) => (await value<{ slots: Record<string, number> }>("palette", { key, values })).slots,
    exportImages: (ids, name) => value("exportImages", { ids, name: name || null }),
    selectionTsv: async (ids) =>
      new Blob([(await payload("selectionTsv", { ids })).buffer], { type: "text/tab-separated-values" }),
    imageSrc: async (id) => objectUrl((await payload("image", { id })).buffer, "image/png"),
    labelMap: async (id) => {
      const reply = await call("labelMap", { id });
      return reply.buffer ? new Blob([reply.buffer], { type: "image/png" }) : null;
    },
    thumbTileSrc: async (tile) => objectUrl((await payload("thumbTile", { tile })).buffer, "image/png"),
    links: null,
    close() {
      model.off("msg:custom", receive);
      for (const { reject } of pending.values()) reject(new KernelError("the widget was closed"));
      pending.clear();
      for (const stream of streams.keys()) void call("unstream", { stream }).catch(() => undefined);
      streams.clear();
    },
  };

  function receive(message: Record<string, Json>, buffers?: (ArrayBuffer | ArrayBufferView)[]): void {
    switch (message?.type) {
      case "reply": {
        const waiting = pending.get(message.id);
        if (!waiting) return; // another view's
        pending.delete(message.id);
        if (message.error) {
          const { detail, error, parameter } = message.error;
          waiting.reject(new KernelError(String(detail), String(error ?? ""), parameter ?? null));
        } else waiting.resolve({ value: message.value, buffer: own(buffers?.[0]) });
        return;
      }
      case "frame": {
        const frame = own(buffers?.[0]);
        if (frame) streams.get(message.stream)?.onFrame(decodeFrame(frame));
        return;
      }
      case "status": {
        const handlers = streams.get(message.stream);
        if (!handlers) return;
        const status = message.status as JobStatus;
        if (!(status.state === "running" || status.state === "paused")) streams.delete(message.stream);
        handlers.onStatus(status);
        return;
      }
      case "edited":
        data.onEdited?.(message.column ?? null);
        return;
      case "changed":
        data.onChanged?.();
    }
  }
  model.on("msg:custom", receive);
  return data;
}

/** Ids as ranges (`3,5,10-12`), the view's selection text. */
export function idRanges(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let k = 0; k < sorted.length; k++) {
    let j = k;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > k ? `${sorted[k]}-${sorted[j]}` : String(sorted[k]));
    k = j;
  }
  return parts.join(",");
}

/**
 * The view in the model: projection, colour, selection and filters are the public traits the
 * notebook reads and sets (`widget-traits.ts` keeps them in step); the rest (camera, PCA axes,
 * brushing mode) is in `_view`, so the widget shown again opens as it was left.
 */
export function modelView(model: WidgetModel, filtersText: (traitValue: unknown) => string): ViewStore {
  return {
    read() {
      const kept = (model.get("_view") ?? {}) as ViewState;
      const state: ViewState = { camera: kept.camera, axes: kept.axes, filterMode: kept.filterMode };
      const projection = model.get("projection");
      if (projection) state.projection = String(projection);
      const color = model.get("color_by");
      if (color) state.color = String(color);
      const ids = (model.get("selection") ?? []) as number[];
      if (ids.length) state.selection = idRanges(ids);
      const filters = filtersText(model.get("filter"));
      if (filters) state.filters = filters;
      return state;
    },
    write(state) {
      const kept = { camera: state.camera, axes: state.axes, filterMode: state.filterMode };
      if (JSON.stringify(kept) === JSON.stringify(model.get("_view") ?? {})) return;
      model.set("_view", kept);
      model.save_changes();
    },
  };
}

/** The widget's host over `model`. */
export function widgetHost(model: WidgetModel, filtersText: (traitValue: unknown) => string): Host & { data: WidgetData } {
  return { data: widgetData(model), view: modelView(model, filtersText) };
}
