/**
 * The page's host: data from the FastAPI server under `/api`, the view in the URL's hash
 * (`#p=<projection>&c=<colour>&s=<selection>&f=<filters>&fm=<mode>&cam=<camera>&ax=<axes>`), so a
 * copied link reopens the same view. The hash never reaches the server and is replaced, not
 * pushed, so the back button is not flooded by camera moves.
 */
import type { DataSource, Host, ViewState, ViewStore } from "../host";
import * as api from "./client";

/** The server's routes as a `DataSource`. */
export function httpData(): DataSource {
  return {
    dataset: api.getDataset,
    column: api.getColumn,
    projection: api.getProjection,
    components: api.getComponents,
    projectionSchema: api.getProjectionSchema,
    startProjection: api.startProjection,
    streamProjection: api.streamProjection,
    renameProjection: api.renameProjection,
    deleteProjection: api.deleteProjection,
    point: api.point,
    neighbors: api.neighbors,
    realism: api.realism,
    utility: api.utility,
    relabel: api.relabel,
    undo: api.undo,
    redo: api.redo,
    history: api.history,
    palette: api.palette,
    exportImages: api.exportImages,
    selectionTsv: api.selectionTsv,
    imageSrc: async (id) => api.imageUrl(id),
    labelMap: (id) => api.blob(api.labelMapUrl(id)),
    thumbTileSrc: async (tile) => api.thumbTileUrl(tile),
    links: { metadata: api.metadataUrl, coordinates: api.coordinatesUrl },
  };
}

const KEYS: [keyof ViewState, string][] = [
  ["projection", "p"],
  ["color", "c"],
  ["selection", "s"],
  ["filters", "f"],
  ["filterMode", "fm"],
  ["camera", "cam"],
  ["axes", "ax"],
];

/** The view kept in `location.hash`. */
export function hashView(): ViewStore {
  return {
    read() {
      const params = new URLSearchParams(location.hash.replace(/^#/, ""));
      const state: ViewState = {};
      for (const [key, short] of KEYS) {
        const value = params.get(short);
        if (value === null || value === "") continue;
        if (key === "camera" || key === "axes") state[key] = value.split(",").map(Number);
        else state[key] = value;
      }
      return state;
    },
    write(state) {
      const params = new URLSearchParams();
      for (const [key, short] of KEYS) {
        const value = state[key];
        if (value === undefined || value === "" || (Array.isArray(value) && !value.length)) continue;
        params.set(short, Array.isArray(value) ? value.join(",") : value);
      }
      const hash = params.toString();
      if (hash !== location.hash.replace(/^#/, "")) history.replaceState(null, "", `#${hash}`);
    },
  };
}

/** The page: the server's data, the view in the URL. */
export const httpHost = (): Host => ({ data: httpData(), view: hashView() });
