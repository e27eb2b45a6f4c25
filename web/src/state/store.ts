/**
 * The page's state: one plain object, replaced field by field with `set`, observed with
 * `subscribe`. Per-point data lives in typed arrays (columns), never in arrays of objects.
 */
import type { Column, Dataset } from "../api/client";

export type Tool = "rotate" | "box" | "lasso";

export interface State {
  dataset: Dataset | null;
  /** Stored projection shown, or the id of the one streaming. */
  projectionId: string | null;
  dims: 2 | 3;
  /** n x 3 coordinates, normalised to fit a unit sphere (z = 0 in 2-D). */
  positions: Float32Array;
  colorBy: string;
  column: Column | null;
  /** 1 where a point is selected. */
  selected: Uint8Array;
  selectedCount: number;
  /** Show only the selection. */
  isolate: boolean;
  tool: Tool;
  hovered: number;
  iteration: number;
  jobState: string;
  message: string;
}

type Listener = (state: State, changed: Set<keyof State>) => void;

export class Store {
  private state: State;
  private listeners: Listener[] = [];

  constructor() {
    this.state = {
      dataset: null,
      projectionId: null,
      dims: 3,
      positions: new Float32Array(0),
      colorBy: "label",
      column: null,
      selected: new Uint8Array(0),
      selectedCount: 0,
      isolate: false,
      tool: "rotate",
      hovered: -1,
      iteration: 0,
      jobState: "",
      message: "",
    };
  }

  get(): Readonly<State> {
    return this.state;
  }

  set(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    const changed = new Set(Object.keys(patch) as (keyof State)[]);
    for (const listener of this.listeners) listener(this.state, changed);
  }

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

  selectedIds(): number[] {
    const { selected } = this.state;
    const ids: number[] = [];
    for (let i = 0; i < selected.length; i++) if (selected[i]) ids.push(i);
    return ids;
  }
}
