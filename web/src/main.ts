/**
 * Entry point: builds the app, wires the sidebar, overlay, tooltip and inspector, and exposes
 * the read-only `window.synthscope` that tests and benchmarks read.
 */
import * as api from "./api/client";
import { App } from "./app";
import { gradientCss } from "./state/colors";
import { $, el, saveBlob, setOptions } from "./ui/dom";
import { createInspector } from "./ui/inspector";
import { SelectionOverlay } from "./ui/overlay";
import { exposeView } from "./ui/view";
import { renderRealism } from "./ui/realism";

const app = new App($("scatter"));
const status = $("status");

function say(message: string, error = false): void {
  status.textContent = message;
  status.classList.toggle("error", error);
}

function guard<T extends unknown[]>(fn: (...args: T) => Promise<unknown>) {
  return (...args: T) =>
    fn(...args).catch((error: Error) => say(error.message ?? String(error), true));
}

// ---- sidebar: projections --------------------------------------------------------------------
const projectionSelect = $<HTMLSelectElement>("projection-select");
const method = $<HTMLSelectElement>("projection-method");
const iteration = $("iteration");
const jobState = $("job-state");
const runButton = $<HTMLButtonElement>("run-projection");
const pauseButton = $<HTMLButtonElement>("pause-projection");
const stopButton = $<HTMLButtonElement>("stop-projection");

function listProjections(): void {
  const dataset = app.store.get().dataset;
  if (!dataset) return;
  const options: [string, string][] = dataset.projections.map((p) => [
    p.id,
    `${p.method} ${p.dims}-D${p.stopped ? " (stopped)" : ""} · ${p.id.slice(0, 6)}`,
  ]);
  setOptions(projectionSelect, options, app.store.get().projectionId ?? undefined);
  const id = app.store.get().projectionId;
  $<HTMLAnchorElement>("download-coordinates").href = id ? api.coordinatesUrl(id) : "#";
}

function showMethodFields(): void {
  document
    .querySelectorAll<HTMLElement>(".method-tsne, .method-umap")
    .forEach((node) => (node.hidden = !node.classList.contains(`method-${method.value}`)));
}
method.addEventListener("change", showMethodFields);
projectionSelect.addEventListener("change", guard(async () => app.showProjection(projectionSelect.value)));

// The request's defaults and limits come from the server's constraint table, so the page and
// `synthscope project` ask for the same projection by default.
let pcaDims: number | null = 50;
const INPUTS: Record<string, string> = {
  perplexity: "perplexity",
  iterations: "iterations",
  seed: "seed",
  n_neighbors: "n-neighbors",
  min_dist: "min-dist",
  learning_rate: "learning-rate",
};

async function applyProjectionSchema(): Promise<void> {
  const schema = await api.getProjectionSchema();
  for (const [field, id] of Object.entries(INPUTS)) {
    const input = $<HTMLInputElement>(id);
    const value = schema.defaults[field];
    if (value !== undefined && value !== null) input.value = String(value);
    const range = (schema.constraints[field] ?? []).find((c) => c.type === "integer" || c.type === "number");
    if (!range) continue;
    const low = range.minimum ?? range.exclusiveMinimum;
    const high = range.maximum ?? range.exclusiveMaximum;
    if (low !== undefined) input.min = String(low);
    if (high !== undefined) input.max = String(high);
  }
  const pca = schema.defaults.pca_dims;
  pcaDims = typeof pca === "number" ? pca : 50;
  $("pca50").parentElement!.lastChild!.textContent = ` PCA-${pcaDims} first`;
}

function projectionRequest(): api.ProjectionRequest {
  const number = (id: string) => Number($<HTMLInputElement>(id).value);
  const rate = $<HTMLInputElement>("learning-rate").value.trim();
  return {
    method: method.value as api.ProjectionRequest["method"],
    dims: Number($<HTMLSelectElement>("projection-dims").value) as 2 | 3,
    perplexity: number("perplexity"),
    learning_rate: rate === "" || rate === "auto" ? "auto" : Number(rate),
    iterations: number("iterations"),
    pca_dims: $<HTMLInputElement>("pca50").checked ? pcaDims : null,
    seed: number("seed"),
    n_neighbors: number("n-neighbors"),
    min_dist: number("min-dist"),
    metric: $<HTMLSelectElement>("metric").value as "euclidean" | "cosine",
  };
}

runButton.addEventListener(
  "click",
  guard(async () => {
    runButton.disabled = true;
    pauseButton.textContent = "Pause";
    jobState.textContent = "starting";
    say("");
    await app.runProjection(projectionRequest(), (s) => {
      iteration.textContent = String(s.iteration);
      jobState.textContent = s.state + (s.total ? ` / ${s.total}` : "");
      const live = s.state === "running" || s.state === "paused";
      runButton.disabled = live;
      pauseButton.disabled = !live;
      stopButton.disabled = !live;
      if (s.state === "error") say(s.error ?? "projection failed", true);
      if (!live) void app.refreshDataset().then(listProjections);
    });
    listProjections();
  }),
);
pauseButton.addEventListener("click", () => {
  const paused = pauseButton.textContent === "Resume";
  app.controlProjection(paused ? "resume" : "pause");
  pauseButton.textContent = paused ? "Pause" : "Resume";
});
stopButton.addEventListener("click", () => app.controlProjection("stop"));

// ---- sidebar: colour and legend --------------------------------------------------------------
const colorBy = $<HTMLSelectElement>("color-by");
const legend = $("legend");

function drawLegend(): void {
  const { column } = app.store.get();
  if (!column) return legend.replaceChildren();
  if (column.kind === "real") {
    legend.replaceChildren(
      el("div", { class: "gradient", style: `background:${gradientCss()}` }),
      el("div", { class: "gradient-labels" }, el("span", {}, String(column.min ?? "")), el("span", {}, String(column.max ?? ""))),
    );
    return;
  }
  legend.replaceChildren(
    ...app.legend.map((entry) => {
      const item = el(
        "div",
        { class: "legend-item", "data-testid": "legend-item", title: "Click: select these points (shift adds)" },
        el("span", { class: "swatch", style: `background:${entry.color}` }),
        el("span", { class: "legend-label" }, entry.label),
        el("span", { class: "count" }, String(entry.count)),
      );
      item.addEventListener("click", (e) => {
        const codes = column.values as Int32Array;
        const ids: number[] = [];
        for (let i = 0; i < codes.length; i++) if (codes[i] === entry.code) ids.push(i);
        app.selectIds(ids, e.shiftKey ? "add" : e.altKey ? "remove" : "replace");
      });
      return item;
    }),
  );
}
colorBy.addEventListener("change", guard(async () => app.colorBy(colorBy.value)));

// ---- sidebar: selection tools ----------------------------------------------------------------
const overlay = new SelectionOverlay($("overlay") as unknown as SVGSVGElement, (shape, mode) =>
  app.selectShape(shape, mode),
);
const tools = { rotate: $("select-rotate"), box: $("select-box"), lasso: $("select-lasso") };
function setTool(tool: "rotate" | "box" | "lasso"): void {
  app.store.set({ tool });
  overlay.setTool(tool);
  app.renderer.setProps({ navigate: tool === "rotate" });
  for (const [name, button] of Object.entries(tools)) button.classList.toggle("active", name === tool);
}
for (const [name, button] of Object.entries(tools))
  button.addEventListener("click", () => setTool(app.store.get().tool === name ? "rotate" : (name as "box")));
$("search-apply").addEventListener(
  "click",
  guard(async () => {
    const count = await app.search($<HTMLSelectElement>("search-column").value, $<HTMLInputElement>("search-text").value);
    say(`${count} points match`);
  }),
);
$("score-apply").addEventListener(
  "click",
  guard(async () =>
    app.selectTop(
      $<HTMLSelectElement>("score-column").value,
      Number($<HTMLInputElement>("score-n").value),
      $<HTMLSelectElement>("score-source").value,
    ),
  ),
);
$("isolate").addEventListener("click", () => {
  app.setIsolate(!app.store.get().isolate);
  $("isolate").classList.toggle("active", app.store.get().isolate);
});
$("clear-selection").addEventListener("click", () => app.selectIds([]));
// Escape leaves a drawing tool, then closes the inspector.
window.addEventListener("keydown", (e) => {
  if (e.key !== "Escape" || (e.target as HTMLElement).closest("input, select")) return;
  if (app.store.get().tool !== "rotate") setTool("rotate");
  else $("inspector").hidden = true;
});

// ---- sidebar: relabel, undo, history ---------------------------------------------------------
const relabelColumn = $<HTMLSelectElement>("relabel-column");
const relabelValue = $<HTMLInputElement>("relabel-value");

async function drawHistory(): Promise<void> {
  const { batches } = await api.history();
  $("history").replaceChildren(
    ...batches.map((b) =>
      el(
        "li",
        { class: b.undone ? "undone" : "" },
        b.kind === "edit" ? `#${b.batch} ${b.column} = ${b.value ?? "∅"} (${b.points})` : `#${b.batch} ${b.kind} of #${b.target}`,
      ),
    ),
  );
}

function updateRelabelValues(): void {
  const column = app.store.get().colorBy === relabelColumn.value ? app.store.get().column : null;
  const values = column?.kind === "text" ? column.categories : ["real", "fake"];
  $("relabel-values").replaceChildren(...values.map((v) => el("option", { value: v })));
}
relabelColumn.addEventListener("change", updateRelabelValues);

$("relabel-apply").addEventListener(
  "click",
  guard(async () => {
    const ack = await app.relabel(relabelColumn.value, relabelValue.value);
    say(`saved: ${ack.count} points ${ack.column} = ${ack.value ?? "∅"} (batch ${ack.batch})`);
    await drawHistory();
  }),
);
$("undo").addEventListener(
  "click",
  guard(async () => {
    const batch = await app.undo();
    say(batch === null ? "nothing to undo" : `undid batch ${batch}`);
    await drawHistory();
  }),
);
$("redo").addEventListener(
  "click",
  guard(async () => {
    const batch = await app.redo();
    say(batch === null ? "nothing to redo" : `redid batch ${batch}`);
    await drawHistory();
  }),
);

// ---- sidebar: downloads ----------------------------------------------------------------------
$("download-selection").addEventListener(
  "click",
  guard(async () => saveBlob(await api.selectionTsv(app.store.selectedIds()), "selection.tsv")),
);

// ---- view: toolbar, hover, click -------------------------------------------------------------
$("reset-camera").addEventListener("click", () => app.renderer.resetCamera());
$<HTMLInputElement>("point-size").addEventListener("input", (e) =>
  app.renderer.setProps({ pointSize: Number((e.target as HTMLInputElement).value) }),
);

// Thumbnails as points: one texture layer per atlas tile (4 MB each), so it is capped.
const MAX_THUMB_POINTS = 16_384;
const thumbBox = $<HTMLInputElement>("show-thumbnails");
thumbBox.addEventListener(
  "change",
  guard(async () => {
    if (!thumbBox.checked || !app.atlas) {
      app.renderer.setThumbnails(null);
      thumbsShown = false;
      return;
    }
    if (app.n > MAX_THUMB_POINTS) {
      thumbBox.checked = false;
      throw new Error(`thumbnails are drawn for up to ${MAX_THUMB_POINTS} points (${app.n} here)`);
    }
    say("loading thumbnails…");
    app.renderer.setThumbnails(await app.atlas.layers());
    thumbsShown = true;
    say("");
  }),
);
let thumbsShown = false;

const tooltip = $("tooltip");
const canvas = app.renderer.canvas;
let hoverFrame = 0;
let lastMove: PointerEvent | null = null;

function describe(id: number): string {
  const lines = [`point ${id}`];
  const { column, colorBy: name } = app.store.get();
  if (column) {
    const v = column.values[id];
    lines.push(`${name}: ${column.kind === "text" ? (v >= 0 ? column.categories[v] : "∅") : v}`);
  }
  return lines.join("\n");
}

canvas.addEventListener("pointermove", (e) => {
  lastMove = e;
  if (hoverFrame) return;
  hoverFrame = requestAnimationFrame(() => {
    hoverFrame = 0;
    if (!lastMove || lastMove.buttons) return;
    const box = canvas.getBoundingClientRect();
    const x = lastMove.clientX - box.left;
    const y = lastMove.clientY - box.top;
    const id = app.pickAt(x, y);
    app.store.set({ hovered: id });
    app.renderer.setProps({ hovered: id });
    tooltip.hidden = id < 0;
    if (id >= 0) {
      tooltip.style.left = `${Math.min(x + 14, box.width - 200)}px`;
      tooltip.style.top = `${Math.min(y + 14, box.height - 90)}px`;
      $("tooltip-text").textContent = describe(id);
      void app.atlas?.draw($<HTMLCanvasElement>("tooltip-thumb"), id);
    }
  });
});
canvas.addEventListener("pointerleave", () => (tooltip.hidden = true));

let downAt: [number, number] | null = null;
canvas.addEventListener("pointerdown", (e) => (downAt = [e.clientX, e.clientY]));
canvas.addEventListener("pointerup", (e) => {
  if (!downAt || Math.hypot(e.clientX - downAt[0], e.clientY - downAt[1]) > 4) return;
  const box = canvas.getBoundingClientRect();
  const id = app.pickAt(e.clientX - box.left, e.clientY - box.top);
  if (id < 0) return;
  app.selectIds([id], e.shiftKey ? "add" : e.altKey ? "remove" : "replace");
  void inspect(id);
});

// ---- inspector -------------------------------------------------------------------------------
const inspect = createInspector(app);

// ---- store -> DOM ----------------------------------------------------------------------------
app.store.subscribe((state, changed) => {
  if (changed.has("selectedCount")) $("selection-count").textContent = String(state.selectedCount);
  if (changed.has("column")) {
    drawLegend();
    updateRelabelValues();
  }
  if (changed.has("iteration")) iteration.textContent = String(state.iteration);
  if (changed.has("projectionId")) listProjections();
  if (changed.has("dataset")) listProjections();
});

// ---- window.synthscope: read-only view for tests and benchmarks -----------------------------
let ready = false;
exposeView(app, { ready: () => ready, thumbnails: () => thumbsShown });

// ---- start -----------------------------------------------------------------------------------
showMethodFields();
guard(async () => {
  const [dataset] = await Promise.all([app.load(), applyProjectionSchema()]);
  // Smaller dots for big sets: less overdraw, and a software renderer keeps up.
  const size = dataset.count <= 50_000 ? 6 : dataset.count <= 500_000 ? 3 : 2;
  $<HTMLInputElement>("point-size").value = String(size);
  app.renderer.setProps({ pointSize: size });
  $("ws-name").textContent = dataset.name;
  $("point-count").textContent = String(dataset.count);
  const columns: [string, string][] = dataset.columns.map((c) => [c.name, c.name]);
  setOptions(colorBy, columns, app.store.get().colorBy);
  setOptions($<HTMLSelectElement>("search-column"), columns, "label");
  setOptions(relabelColumn, dataset.columns.filter((c) => c.editable).map((c) => [c.name, c.name]), "label");
  const scores = dataset.columns.filter((c) => c.kind === "real" && c.name !== "id");
  const c2st = scores.find((c) => c.name.startsWith("realism_c2st"))?.name;
  setOptions($<HTMLSelectElement>("score-column"), scores.map((c) => [c.name, c.name]), c2st);
  listProjections();
  updateRelabelValues();
  if (!dataset.projections.length) say("no stored projection: run one from the Projection panel");
  if (dataset.realism) {
    const report = await api.realism();
    renderRealism($("realism-body"), report, app.atlas, (id) => {
      app.selectIds([id]);
      void inspect(id);
    });
  }
  await drawHistory();
  ready = true;
  document.body.dataset.ready = "true";
})();
