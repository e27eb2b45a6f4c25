/**
 * Light and dark themes: CSS variables on `<html data-theme>`, the canvas colours read from them
 * by the renderer. Dark by default (images read best on it); the choice is remembered in this
 * browser.
 */
import type { Store } from "../state/store";
import { $ } from "./dom";

const KEY = "synthscope.theme";

/** Apply a theme to the page and the store. */
export function setTheme(store: Store, theme: "dark" | "light"): void {
  document.documentElement.dataset.theme = theme;
  $("theme-toggle").textContent = theme === "dark" ? "Light" : "Dark";
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    /* storage refused (private mode): the theme still applies */
  }
  store.set({ theme });
}

/** Wire the toggle and apply the remembered theme. */
export function mountTheme(store: Store): void {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(KEY);
  } catch {
    saved = null;
  }
  setTheme(store, saved === "light" ? "light" : "dark");
  $("theme-toggle").addEventListener("click", () => setTheme(store, store.get().theme === "dark" ? "light" : "dark"));
}
