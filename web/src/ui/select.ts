/**
 * The select panel and the drawing overlay: Move / Box / Lasso tools, search by substring or
 * regex, the top N by a score (N checked here: a whole number of at least 1), isolate and clear.
 */
import type { App } from "../app";
import type { Tool } from "../state/store";
import { columnOptions } from "./colour";
import { SelectionOverlay } from "./overlay";
import { guard } from "./status";

/** Switch the pointer's tool (the keyboard uses this too). */
export type SetTool = (tool: Tool) => void;

/** Wire the panel; returns the tool switch. */
export function mountSelect(app: App): SetTool {
  const { store } = app;
  const { $ } = app.dom;
  const overlay = new SelectionOverlay($("overlay") as unknown as SVGSVGElement, (shape, mode) => app.selectShape(shape, mode));
  const tools: Record<Tool, HTMLElement> = { rotate: $("select-rotate"), box: $("select-box"), lasso: $("select-lasso") };
  const setTool: SetTool = (tool) => {
    store.set({ tool });
    overlay.setTool(tool);
    for (const [name, button] of Object.entries(tools)) button.classList.toggle("active", name === tool);
  };
  for (const [name, button] of Object.entries(tools))
    button.addEventListener("click", () => setTool(store.get().tool === name ? "rotate" : (name as Tool)));

  $("search-apply").addEventListener(
    "click",
    guard(store, async () => {
      const count = await app.search($<HTMLSelectElement>("search-column").value, $<HTMLInputElement>("search-text").value);
      store.say(`${count} points match`);
    }),
  );
  $("search-text").addEventListener("keydown", (e) => {
    if (e.key === "Enter") $("search-apply").click();
  });

  const scoreN = $<HTMLInputElement>("score-n");
  $("score-apply").addEventListener(
    "click",
    guard(store, async () => {
      const text = scoreN.value.trim();
      const n = text === "" ? NaN : Number(text);
      scoreN.classList.remove("invalid");
      try {
        const column = $<HTMLSelectElement>("score-column").value;
        const taken = await app.selectTop(column, n, $<HTMLSelectElement>("score-source").value);
        store.say(`selected the ${taken} highest by ${column}`);
      } catch (error) {
        scoreN.classList.add("invalid");
        throw error;
      }
    }),
  );

  $("isolate").addEventListener("click", () => app.setIsolate(!store.get().isolate));
  $("clear-selection").addEventListener("click", () => app.selectIds([]));

  store.subscribe((state, changed) => {
    if (changed.has("selectedCount")) $("selection-count").textContent = String(state.selectedCount);
    if (changed.has("isolate")) $("isolate").classList.toggle("active", state.isolate);
    if (changed.has("dataset") && state.dataset) {
      columnOptions($<HTMLSelectElement>("search-column"), state.dataset.columns, "label");
      const numeric = state.dataset.columns.filter((c) => c.kind === "real" && c.name !== "id");
      columnOptions($<HTMLSelectElement>("score-column"), numeric);
    }
    // Rank by the shown feature's realism score when it has one.
    if (changed.has("projection") && state.dataset) {
      const wanted = `realism_c2st:${app.feature}`;
      const score = $<HTMLSelectElement>("score-column");
      if (state.dataset.columns.some((c) => c.name === wanted)) score.value = wanted;
      else if (!score.value) score.value = state.dataset.columns.find((c) => c.name.startsWith("realism_c2st"))?.name ?? "";
    }
  });
  return setTool;
}
