/**
 * Small DOM helpers shared by the UI modules. Element lookups go through a `Dom`: the lookups of
 * one mounted projector, scoped to its root (the page's `#projector`, or a widget's root inside
 * its shadow root), so several projectors on one page never find each other's elements, and a
 * lookup made later (in a store subscriber) still finds its own.
 */

/** Element lookups within one mounted projector. */
export interface Dom {
  /** The element holding the projector's layout (it carries the theme). */
  readonly root: HTMLElement;
  /** The element with id `id` inside the root; throws when there is none. */
  $<T extends HTMLElement = HTMLElement>(id: string): T;
  /** Every element inside the root matching `selector`. */
  all<T extends Element = HTMLElement>(selector: string): T[];
}

/** Lookups scoped to `root`. */
export function scope(root: HTMLElement): Dom {
  return {
    root,
    $<T extends HTMLElement = HTMLElement>(id: string): T {
      const element = root.querySelector(`#${CSS.escape(id)}`);
      if (!element) throw new Error(`missing element #${id}`);
      return element as T;
    },
    all<T extends Element = HTMLElement>(selector: string): T[] {
      return Array.from(root.querySelectorAll<T>(selector) as NodeListOf<T>);
    },
  };
}

/** A CSS custom property as the element sees it (themes set them on the projector's root). */
export function cssVar(element: Element, name: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim();
}

/** A new element with attributes (`class` sets the class name) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

/** Replace a select's options by `[value, label]` pairs, keeping `value` (or the current one) chosen. */
export function setOptions(select: HTMLSelectElement, options: [string, string][], value?: string) {
  const keep = value ?? select.value;
  select.replaceChildren(...options.map(([v, label]) => el("option", { value: v }, label)));
  if (options.some(([v]) => v === keep)) select.value = keep;
}

/** Save a blob as a file through a temporary link. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
