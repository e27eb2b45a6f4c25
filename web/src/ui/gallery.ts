/**
 * The gallery (`data-testid="gallery"`): the selection's thumbnails (or, with no selection, the
 * filtered points) in a virtualised grid: only the rows in view exist, a pool of cells is
 * re-pointed as it scrolls, and thumbnails are copied from the atlas tiles already loaded. Each
 * cell shows the label and a score; sort by any column; click to inspect; "Export these images"
 * copies them into `WS/exports/<name>/` (the `export --format images` copy).
 */
import type { App } from "../app";
import type { Column } from "../host";
import { cellText } from "../state/columns";
import { galleryIds, sortIds } from "../state/gallery";
import { columnOptions } from "./colour";
import { cssVar, el } from "./dom";
import type { Inspect } from "./inspector";
import { guard } from "./status";

const CELL_W = 104;
const CELL_H = 128;
const THUMB = 96;
const CAPTION = 26;

// Each cell is one canvas: the thumbnail, and under it two caption lines. Text is what costs in a
// software-rendered browser (rasterising 60 lines a frame halved the frame rate, as DOM text or
// canvas text alike), so captions are drawn once the scrolling pauses (CAPTION_DELAY_MS), and
// the words are also in each cell's aria-label, at once, for assistive tools and tests.
const CAPTION_DELAY_MS = 90;

interface Cell {
  root: HTMLElement;
  canvas: HTMLCanvasElement;
  id: number;
  caption: [string, string] | null;
}

/** The gallery's handle for the keyboard, the page view and benchmarks. */
export interface Gallery {
  toggle: (open?: boolean) => void;
  isOpen: () => boolean;
  ids: () => Uint32Array;
  /** Scroll `frames` animation frames (benchmark): frames per second and the slowest frame. */
  bench: (frames: number, rowsPerFrame: number) => Promise<{ fps: number; worstMs: number; renderMs: number }>;
}

/** Wire the gallery. */
export function mountGallery(app: App, inspect: Inspect): Gallery {
  const { store } = app;
  const { $ } = app.dom;
  const root = $("gallery");
  const scroll = $("gallery-scroll");
  const sizer = $("gallery-sizer");
  const sort = $<HTMLSelectElement>("gallery-sort");
  const order = $<HTMLButtonElement>("gallery-order");
  const pool: Cell[] = [];
  let ids: Uint32Array = new Uint32Array(0);
  let descending = false;
  let label: Column | null = null;
  let score: Column | null = null;
  let frame = 0;
  let version = 0;
  let captionColour = "#8e96a4";
  let captionTimer = 0;

  const isOpen = () => !root.hidden;

  function makeCell(): Cell {
    const canvas = el("canvas", { width: String(THUMB), height: String(THUMB + CAPTION) });
    const cell: Cell = { root: el("div", { class: "cell", "data-testid": "gallery-cell", role: "button" }, canvas), canvas, id: -1, caption: null };
    style(cell);
    cell.root.addEventListener("click", () => cell.id >= 0 && void inspect(cell.id));
    sizer.append(cell.root);
    return cell;
  }

  /** Font and colours once per canvas: setting a font parses it, which adds up while scrolling. */
  function style(cell: Cell): void {
    const ctx = cell.canvas.getContext("2d");
    if (!ctx) return;
    ctx.imageSmoothingEnabled = false; // thumbnails scale up pixelated, and cheaper
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.fillStyle = captionColour;
  }

  const clip = (text: string) => (text.length > 17 ? `${text.slice(0, 16)}…` : text);

  function paint(cell: Cell, id: number): void {
    cell.id = id;
    cell.root.dataset.id = String(id);
    const first = label ? cellText(label, id) || "∅" : `point ${id}`;
    const second = score ? `${score.name.split(":")[0].replace("realism_", "")} ${cellText(score, id) || "∅"}` : `#${id}`;
    cell.root.setAttribute("aria-label", `point ${id}: ${first}, ${second}`);
    cell.caption = [first, second];
    const ctx = cell.canvas.getContext("2d");
    if (!ctx) return;
    ctx.clearRect(0, THUMB, THUMB, CAPTION);
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, THUMB, THUMB);
    ctx.fillStyle = captionColour;
    const atlas = app.atlas;
    if (!atlas || atlas.drawNow(ctx, id, 0, 0, THUMB)) return;
    void atlas.tile(atlas.tileOf(id)).then(() => cell.id === id && atlas.drawNow(ctx, id, 0, 0, THUMB), () => undefined);
  }

  /** Place the cells for the rows in view (synchronously). */
  function render(): void {
    frame = 0;
    if (!isOpen()) return;
    const columns = Math.max(1, Math.floor(scroll.clientWidth / CELL_W));
    const rows = Math.ceil(ids.length / columns);
    sizer.style.height = `${rows * CELL_H}px`;
    const first = Math.max(0, Math.floor(scroll.scrollTop / CELL_H) - 1);
    const last = Math.min(rows, Math.ceil((scroll.scrollTop + scroll.clientHeight) / CELL_H) + 1);
    const needed = Math.max(0, (last - first) * columns);
    while (pool.length < needed) pool.push(makeCell());
    for (let k = 0; k < pool.length; k++) {
      const cell = pool[k];
      const index = first * columns + k;
      if (k >= needed || index >= ids.length) {
        cell.root.hidden = true;
        continue;
      }
      cell.root.hidden = false;
      const row = Math.floor(index / columns);
      cell.root.style.transform = `translate(${(index % columns) * CELL_W}px, ${row * CELL_H}px)`;
      if (cell.id !== ids[index]) paint(cell, ids[index]);
    }
    prefetch((last + (last - first)) * columns);
    clearTimeout(captionTimer);
    captionTimer = window.setTimeout(drawCaptions, CAPTION_DELAY_MS);
  }

  /** Write the captions of the cells in view that lack theirs. */
  function drawCaptions(): void {
    captionTimer = 0;
    for (const cell of pool) {
      if (!cell.caption || cell.root.hidden) continue;
      const ctx = cell.canvas.getContext("2d");
      if (!ctx) continue;
      ctx.fillText(clip(cell.caption[0]), THUMB / 2, THUMB + 11);
      ctx.fillText(clip(cell.caption[1]), THUMB / 2, THUMB + 24);
      cell.caption = null;
    }
  }

  /** Start loading the tile of the image a screen below, so scrolling finds it decoded. */
  function prefetch(index: number): void {
    const atlas = app.atlas;
    if (atlas && index < ids.length) void atlas.tile(atlas.tileOf(ids[index])).catch(() => undefined);
  }
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(render);
  };
  scroll.addEventListener("scroll", schedule);
  new ResizeObserver(schedule).observe(scroll);

  /** Recompute the ids (selection or filtered points) in the chosen order. */
  async function refresh(): Promise<void> {
    if (!isOpen()) return;
    const mine = ++version;
    const state = store.get();
    const names = new Set(state.dataset?.columns.map((c) => c.name));
    const sortName = sort.value;
    const realism = `realism_c2st:${app.feature}`;
    const scoreName = sortName !== "id" && state.dataset?.columns.find((c) => c.name === sortName)?.kind === "real" ? sortName : names.has(realism) ? realism : null;
    const [sortColumn, labelColumn, scoreColumn] = await Promise.all([
      sortName && sortName !== "id" ? app.column(sortName) : null,
      names.has("label") ? app.column("label") : null,
      scoreName ? app.column(scoreName) : null,
    ]);
    if (mine !== version) return;
    label = labelColumn;
    score = scoreColumn;
    ids = sortIds(galleryIds(state.selected, state.selectedCount, state.filterMask), sortColumn, descending);
    $("gallery-count").textContent = String(ids.length);
    for (const cell of pool) cell.id = -1;
    scroll.scrollTop = 0;
    render();
  }

  function toggle(open = !isOpen()): void {
    root.hidden = !open;
    if (open) void refresh().catch((error) => store.say(String(error), true));
  }

  sort.addEventListener("change", guard(store, refresh));
  order.addEventListener(
    "click",
    guard(store, async () => {
      descending = !descending;
      order.textContent = descending ? "↑" : "↓";
      await refresh();
    }),
  );
  $("gallery-open").addEventListener("click", () => toggle(true));
  $("gallery-close").addEventListener("click", () => toggle(false));
  $("gallery-export").addEventListener(
    "click",
    guard(store, async () => {
      if (!ids.length) throw new Error("export: the gallery is empty; select points first");
      const name = $<HTMLInputElement>("gallery-export-name").value.trim();
      const ack = await app.host.data.exportImages(Array.from(ids), name || undefined);
      store.say(`exported ${ack.count} images to ${ack.relative} (${ack.folder})`);
    }),
  );
  app.onEdit.push(() => refresh());
  store.subscribe((state, changed) => {
    if (changed.has("selected") || changed.has("filterMask")) void refresh().catch(() => undefined);
    if (changed.has("theme")) {
      captionColour = cssVar(root, "--muted") || captionColour;
      for (const cell of pool) {
        cell.id = -1;
        style(cell);
      }
      render();
    }
    if (changed.has("dataset") && state.dataset) {
      columnOptions(sort, state.dataset.columns, sort.value || "id");
      if (!state.dataset.columns.some((c) => c.name === "id")) sort.prepend(el("option", { value: "id" }, "id"));
      if (sort.selectedIndex < 0) sort.value = "id";
    }
  });

  async function bench(frames: number, rowsPerFrame: number) {
    const stamps: number[] = [];
    let renderMs = 0;
    for (let k = 0; k < frames; k++) {
      scroll.scrollTop += rowsPerFrame * CELL_H;
      const t = performance.now();
      render();
      renderMs += performance.now() - t;
      stamps.push(await new Promise<number>((resolve) => requestAnimationFrame(resolve)));
    }
    const gaps = stamps.slice(1).map((t, k) => t - stamps[k]);
    const span = stamps[stamps.length - 1] - stamps[0];
    return { fps: (1000 * gaps.length) / span, worstMs: Math.max(...gaps), renderMs: renderMs / frames };
  }

  return { toggle, isOpen, ids: () => ids, bench };
}
