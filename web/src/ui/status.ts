/**
 * The status line (`data-testid="status-message"`): one readable sentence about what just
 * happened or what went wrong. Every action goes through `guard`, so a refused request shows its
 * message and never leaves the page half-way (buttons are re-enabled by the caller's `finally`).
 */
import type { Store } from "../state/store";
import type { Dom } from "./dom";

/** Show the store's status in the status line. */
export function mountStatus(store: Store, dom: Dom): void {
  const line = dom.$("status");
  store.subscribe((state, changed) => {
    if (!changed.has("status")) return;
    line.textContent = state.status.text;
    line.title = state.status.text;
    line.classList.toggle("error", state.status.error);
  });
}

/** The one line an error is shown as (server errors already are one line). */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] || "something went wrong";
}

/** Wrap an async action: its error becomes the status line instead of an unhandled rejection. */
export function guard<T extends unknown[]>(store: Store, fn: (...args: T) => Promise<unknown> | unknown) {
  return (...args: T): void => {
    try {
      const result = fn(...args);
      if (result instanceof Promise) result.catch((error: unknown) => store.say(errorText(error), true));
    } catch (error) {
      store.say(errorText(error), true);
    }
  };
}
