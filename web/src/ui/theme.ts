/**
 * Light and dark themes: CSS variables on the projector's root (`data-theme`), the canvas
 * colours read from them by the renderer. Dark by default (images read best on it); the choice
 * is remembered in this browser. The page also marks `<html>`, so its scroll bars follow.
 */
import type { Store } from "../state/store";
import type { Dom } from "./dom";

const KEY = "synthscope.theme";

export type Theme = "dark" | "light";

/** Where the theme applies besides the projector's root, and the one to start with. */
export interface ThemeOptions {
  /** Without a remembered choice (a widget passes the notebook's theme). */
  initial?: Theme;
  /** Another element that carries `data-theme` (the page's `<html>`). */
  mirror?: HTMLElement;
}

/** Apply a theme to the projector and the store, and remember it. */
export function setTheme(store: Store, dom: Dom, theme: Theme, options: ThemeOptions = {}): void {
  dom.root.dataset.theme = theme;
  if (options.mirror) options.mirror.dataset.theme = theme;
  dom.$("theme-toggle").textContent = theme === "dark" ? "Light" : "Dark";
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    /* storage refused (private mode): the theme still applies */
  }
  store.set({ theme });
}

/** Wire the toggle and apply the remembered theme (else `options.initial`, else dark). */
export function mountTheme(store: Store, dom: Dom, options: ThemeOptions = {}): void {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(KEY);
  } catch {
    saved = null;
  }
  const first: Theme = saved === "light" || saved === "dark" ? saved : (options.initial ?? "dark");
  // Set on the root without remembering: a notebook's theme is not the user's choice.
  dom.root.dataset.theme = first;
  if (options.mirror) options.mirror.dataset.theme = first;
  dom.$("theme-toggle").textContent = first === "dark" ? "Light" : "Dark";
  store.set({ theme: first });
  dom.$("theme-toggle").addEventListener("click", () =>
    setTheme(store, dom, store.get().theme === "dark" ? "light" : "dark", options),
  );
}
