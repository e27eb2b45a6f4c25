/**
 * Relabel the selection: any editable column (computed ones, such as scores and copy flags, are
 * never offered, and the server refuses them too); an empty value clears the cells, after a
 * confirmation. Undo and redo walk the workspace's edit log; the list shows the latest batches.
 */
import type { App } from "../app";
import { asCategories } from "../state/columns";
import { el, setOptions } from "./dom";
import { guard } from "./status";

/** Undo and redo as the keyboard calls them. */
export interface EditActions {
  undo: () => void;
  redo: () => void;
}

/** Wire the panel; returns undo and redo for the keyboard. */
export function mountRelabel(app: App): EditActions {
  const { store } = app;
  const { $ } = app.dom;
  const column = $<HTMLSelectElement>("relabel-column");
  const value = $<HTMLInputElement>("relabel-value");

  async function drawHistory(): Promise<void> {
    const { batches } = await app.host.data.history();
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

  async function suggestValues(): Promise<void> {
    const info = store.get().dataset?.columns.find((c) => c.name === column.value);
    if (!info) return;
    const values = info.kind === "text" || column.value === store.get().colorBy ? (asCategories(await app.column(column.value))?.categories ?? []) : [];
    $("relabel-values").replaceChildren(...values.slice(0, 200).map((v) => el("option", { value: v })));
  }
  column.addEventListener("change", guard(store, suggestValues));

  $("relabel-apply").addEventListener(
    "click",
    guard(store, async () => {
      if (!store.get().selectedCount) throw new Error("relabel: select points first");
      const text = value.value.trim();
      if (text === "" && !window.confirm(`Clear ${column.value} for the ${store.get().selectedCount} selected points?`)) {
        store.say("relabel cancelled: the value was empty");
        return;
      }
      const ack = await app.relabel(column.value, text === "" ? null : text);
      store.say(`saved: ${ack.count} points ${ack.column} = ${ack.value ?? "∅"} (batch ${ack.batch})`);
      await suggestValues();
    }),
  );

  const undo = guard(store, async () => {
    const batch = await app.undo();
    store.say(batch === null ? "nothing to undo" : `undid batch ${batch}`);
  });
  const redo = guard(store, async () => {
    const batch = await app.redo();
    store.say(batch === null ? "nothing to redo" : `redid batch ${batch}`);
  });
  $("undo").addEventListener("click", undo);
  $("redo").addEventListener("click", redo);

  store.subscribe((state, changed) => {
    if (!changed.has("dataset") || !state.dataset) return;
    const editable = state.dataset.columns.filter((c) => c.editable && !c.computed);
    setOptions(column, editable.map((c) => [c.name, c.name]), column.value || "label");
    void suggestValues().catch(() => undefined);
  });
  // Every edit, undo and redo (here, or made elsewhere and announced by the host) redraws the list.
  app.onEdit.push(() => drawHistory().catch(() => undefined));
  void drawHistory().catch(() => undefined);
  return { undo, redo };
}
