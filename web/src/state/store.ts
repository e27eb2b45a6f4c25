/**
 * The page's state: one plain object, replaced field by field with `set`, observed with
 * `subscribe`. Per-point data lives in typed arrays (columns, masks), never in arrays of objects.
 * The renderer and every UI part subscribe; only the controller (`App`) writes.
 */
import type { Column, Dataset, ProjectionMeta } from "../host";
import type { LegendEntry } from "./colors";
import type { Filter } from "./filters";

/** The pointer's job over the scatter. */
export type Tool = "rotate" | "box" | "lasso";

/** A projection being computed, shown while its iterates stream in. */
export interface Running {
  id: string;
  meta: ProjectionMeta;
  state: string;
  iteration: number;
  total: number;
}

/** Everything the page shows. */
export interface State {
  dataset: Dataset | null;
  /** Projection shown (stored, or the one streaming). */
  projectionId: string | null;
  /** Its metadata. */
  projection: ProjectionMeta | null;
  running: Running | null;
  dims: 2 | 3;
  /** n x 3 coordinates, normalised to fit a unit sphere (z = 0 in 2-D). */
  positions: Float32Array;
  /** PCA components on the axes (0-based); null: the stored coordinates. */
  axes: number[] | null;
  colorBy: string;
  column: Column | null;
  /** n x 3 RGB bytes. */
  colors: Uint8Array;
  legend: LegendEntry[];
  /** 1 where a point is selected. */
  selected: Uint8Array;
  selectedCount: number;
  /** Show only the selection. */
  isolate: boolean;
  /** Column filters by column name. */
  filters: Record<string, Filter>;
  /** "filter": points outside fade and cannot be picked; "select": they become the selection. */
  filterMode: "filter" | "select";
  /** 1 where a point passes every filter; null without filters. */
  filterMask: Uint8Array | null;
  /** Points highlighted as the inspected point's neighbours. */
  neighbors: number[];
  inspected: number;
  tool: Tool;
  hovered: number;
  iteration: number;
  jobState: string;
  /** One readable line: what just happened, or what went wrong. */
  status: { text: string; error: boolean };
  theme: "dark" | "light";
  pointSize: number;
}

type Listener = (state: State, changed: Set<keyof State>) => void;

/** The observable state. */
export class Store {
  private state: State;
  private listeners: Listener[] = [];

  constructor() {
    this.state = {
      dataset: null,
      projectionId: null,
      projection: null,
      running: null,
      dims: 3,
      positions: new Float32Array(0),
      axes: null,
      colorBy: "label",
      column: null,
      colors: new Uint8Array(0),
      legend: [],
      selected: new Uint8Array(0),
      selectedCount: 0,
      isolate: false,
      filters: {},
      filterMode: "filter",
      filterMask: null,
      neighbors: [],
      inspected: -1,
      tool: "rotate",
      hovered: -1,
      iteration: 0,
      jobState: "",
      status: { text: "", error: false },
      theme: "dark",
      pointSize: 6,
    };
  }

  /** The current state (do not mutate). */
  get(): Readonly<State> {
    return this.state;
  }

  /** Replace some fields and tell every listener which. */
  set(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    const changed = new Set(Object.keys(patch) as (keyof State)[]);
    for (const listener of this.listeners) listener(this.state, changed);
  }

  /** Call `listener` after every `set`; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Replace the selection by a mask; counts it once here so the UI never recounts. */
  select(mask: Uint8Array): void {
    let count = 0;
    for (let i = 0; i < mask.length; i++) count += mask[i];
    this.set({ selected: mask, selectedCount: count });
  }

  /** Ids of the selected points, ascending. */
  selectedIds(): number[] {
    const { selected } = this.state;
    const ids: number[] = [];
    for (let i = 0; i < selected.length; i++) if (selected[i]) ids.push(i);
    return ids;
  }

  /** Say one line in the status bar (an error stays until the next message). */
  say(text: string, error = false): void {
    this.set({ status: { text, error } });
  }
}
