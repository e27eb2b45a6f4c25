/**
 * The renderer follows the state: every change of a field it draws becomes one `setProps`. The
 * controller never calls the renderer to show data; it sets the state.
 */
import type { State, Store } from "../state/store";
import type { ScatterProps, ScatterRenderer } from "./scatter";

/** Which points are drawn at all: isolate hides everything but the selection. */
export function visibleMask(state: Readonly<State>): Uint8Array | null {
  return state.isolate ? state.selected : null;
}

/**
 * Which points box, lasso and click may take: the drawn ones, and in "filter" mode only those
 * passing the filters (so a box over a brushed histogram intersects the two).
 */
export function pickableMask(state: Readonly<State>): Uint8Array | undefined {
  const visible = visibleMask(state);
  const filtered = state.filterMode === "filter" ? state.filterMask : null;
  if (!visible) return filtered ?? undefined;
  if (!filtered) return visible;
  const both = new Uint8Array(visible.length);
  for (let i = 0; i < both.length; i++) both[i] = visible[i] & filtered[i];
  return both;
}

/** The points drawn in full: those passing the filters in "filter" mode (null: all). */
function passingMask(state: Readonly<State>): Uint8Array | null {
  return state.filterMode === "filter" ? state.filterMask : null;
}

/** The theme's canvas colours, read from the CSS variables the canvas inherits (the root's theme). */
function themeColors(canvas: HTMLElement): { background: string; ring: string } {
  const style = getComputedStyle(canvas);
  return {
    background: style.getPropertyValue("--canvas").trim() || "#15171c",
    ring: style.getPropertyValue("--ring").trim() || "#ffffff",
  };
}

/** Subscribe `renderer` to `store`; returns the unsubscribe function. */
export function bindRenderer(store: Store, renderer: ScatterRenderer): () => void {
  return store.subscribe((state, changed) => {
    const props: ScatterProps = {};
    if (changed.has("positions") || changed.has("dims")) {
      props.positions = state.positions;
      props.dims = state.dims;
      // Per-point props must match the new count: send them all again.
      props.colors = state.colors;
      props.selected = state.selected;
      props.visible = visibleMask(state);
      props.passing = passingMask(state);
    }
    if (changed.has("colors")) props.colors = state.colors;
    if (changed.has("selected") || changed.has("isolate")) {
      props.selected = state.selected;
      props.visible = visibleMask(state);
    }
    if (changed.has("filterMask") || changed.has("filterMode")) props.passing = passingMask(state);
    if (changed.has("neighbors")) props.neighbors = state.neighbors;
    if (changed.has("hovered")) props.hovered = state.hovered;
    if (changed.has("tool")) props.navigate = state.tool === "rotate";
    if (changed.has("pointSize")) props.pointSize = state.pointSize;
    if (changed.has("theme")) Object.assign(props, themeColors(renderer.canvas));
    if (Object.keys(props).length) renderer.setProps(props);
  });
}
