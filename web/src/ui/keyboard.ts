/**
 * Keys: Ctrl/Cmd+Z undo, Shift+Ctrl/Cmd+Z (or Ctrl+Y) redo, B box, L lasso, G gallery, ? help,
 * Escape leaves the tool, then closes the help, the inspector, the gallery. Keys typed into a
 * field stay in the field.
 */
import type { Store } from "../state/store";
import { $ } from "./dom";
import type { EditActions } from "./relabel";
import type { SetTool } from "./select";

/** What the keys act on. */
export interface KeyTargets {
  store: Store;
  setTool: SetTool;
  edits: EditActions;
  gallery: { toggle: (open?: boolean) => void; isOpen: () => boolean };
  closeInspector: () => void;
}

/** Show or hide the help overlay. */
export function toggleHelp(open = $("help").hidden): void {
  $("help").hidden = !open;
}

/** Wire the keys and the help overlay. */
export function mountKeyboard({ store, setTool, edits, gallery, closeInspector }: KeyTargets): void {
  $("help-open").addEventListener("click", () => toggleHelp());
  $("help-close").addEventListener("click", () => toggleHelp(false));
  $("help").addEventListener("click", (e) => e.target === $("help") && toggleHelp(false));

  window.addEventListener("keydown", (e) => {
    const typing = (e.target as HTMLElement).closest?.("input, select, textarea, [contenteditable]");
    const mod = e.ctrlKey || e.metaKey;
    if (e.key === "Escape") {
      if (typing) return (e.target as HTMLElement).blur();
      if (store.get().tool !== "rotate") setTool("rotate");
      else if (!$("help").hidden) toggleHelp(false);
      else if (!$("inspector").hidden) closeInspector();
      else if (gallery.isOpen()) gallery.toggle(false);
      return;
    }
    if (typing) return;
    const key = e.key.toLowerCase();
    if (mod && key === "z") {
      e.preventDefault();
      return e.shiftKey ? edits.redo() : edits.undo();
    }
    if (mod && key === "y") {
      e.preventDefault();
      return edits.redo();
    }
    if (mod || e.altKey) return;
    if (key === "b") setTool(store.get().tool === "box" ? "rotate" : "box");
    else if (key === "l") setTool(store.get().tool === "lasso" ? "rotate" : "lasso");
    else if (key === "g") gallery.toggle();
    else if (e.key === "?") toggleHelp();
  });
}
