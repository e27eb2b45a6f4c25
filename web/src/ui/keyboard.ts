/**
 * Keys: Ctrl/Cmd+Z undo, Shift+Ctrl/Cmd+Z (or Ctrl+Y) redo, B box, L lasso, G gallery, ? help,
 * Escape leaves the tool, then closes the help, the inspector, the gallery. Keys typed into a
 * field stay in the field. The page listens on the window; a widget listens on its own root, so
 * it never takes a notebook's keys, and the keys it uses do not reach the notebook.
 */
import type { Store } from "../state/store";
import type { Dom } from "./dom";
import type { EditActions } from "./relabel";
import type { SetTool } from "./select";

/** What the keys act on. */
export interface KeyTargets {
  store: Store;
  dom: Dom;
  /** Where keys are heard: the page's window, or a widget's root. */
  keys: EventTarget;
  setTool: SetTool;
  edits: EditActions;
  gallery: { toggle: (open?: boolean) => void; isOpen: () => boolean };
  closeInspector: () => void;
}

/** Show or hide the help overlay. */
export function toggleHelp(dom: Dom, open = dom.$("help").hidden): void {
  dom.$("help").hidden = !open;
}

/** Wire the keys and the help overlay. */
export function mountKeyboard({ store, dom, keys, setTool, edits, gallery, closeInspector }: KeyTargets): void {
  const { $ } = dom;
  $("help-open").addEventListener("click", () => toggleHelp(dom));
  $("help-close").addEventListener("click", () => toggleHelp(dom, false));
  $("help").addEventListener("click", (e) => e.target === $("help") && toggleHelp(dom, false));

  /** Act on `e`; true when the key was the projector's. */
  function handle(e: KeyboardEvent): boolean {
    const target = e.composedPath()[0] as HTMLElement;
    const typing = target.closest?.("input, select, textarea, [contenteditable]");
    const mod = e.ctrlKey || e.metaKey;
    if (e.key === "Escape") {
      if (typing) return (target.blur(), true);
      if (store.get().tool !== "rotate") setTool("rotate");
      else if (!$("help").hidden) toggleHelp(dom, false);
      else if (!$("inspector").hidden) closeInspector();
      else if (gallery.isOpen()) gallery.toggle(false);
      else return false;
      return true;
    }
    if (typing) return false;
    const key = e.key.toLowerCase();
    if (mod && key === "z") {
      e.preventDefault();
      if (e.shiftKey) edits.redo();
      else edits.undo();
      return true;
    }
    if (mod && key === "y") {
      e.preventDefault();
      edits.redo();
      return true;
    }
    if (mod || e.altKey) return false;
    if (key === "b") setTool(store.get().tool === "box" ? "rotate" : "box");
    else if (key === "l") setTool(store.get().tool === "lasso" ? "rotate" : "lasso");
    else if (key === "g") gallery.toggle();
    else if (e.key === "?") toggleHelp(dom);
    else return false;
    return true;
  }

  keys.addEventListener("keydown", (event) => {
    if (handle(event as KeyboardEvent) && keys !== window) event.stopPropagation();
  });
}
