/**
 * Mounting the projector: the layout, the controller, every UI part, and the start (data, the
 * kept view, the first filter cards). The page (`main.ts`) and the Jupyter widget (`widget.ts`)
 * both call `mountProjector` with their own `Host`; nothing else differs between them.
 */
import { App } from "./app";
import { Filtering } from "./filtering";
import type { Host } from "./host";
import layout from "./layout.html?raw";
import { Persist } from "./persist";
import { mountColour } from "./ui/colour";
import { saveBlob, scope, type Dom } from "./ui/dom";
import { mountFilters } from "./ui/filters";
import { mountGallery, type Gallery } from "./ui/gallery";
import { mountHover } from "./ui/hover";
import { createInspector } from "./ui/inspector";
import { mountKeyboard } from "./ui/keyboard";
import { mountProjections } from "./ui/projections";
import { mountRealism } from "./ui/realism";
import { mountUtility } from "./ui/utility";
import { mountRelabel } from "./ui/relabel";
import { mountRun } from "./ui/run";
import { mountSelect } from "./ui/select";
import { guard, mountStatus } from "./ui/status";
import { mountTheme, type ThemeOptions } from "./ui/theme";
import { exposeView } from "./ui/view";

/** How a host mounts the projector. */
export interface ProjectorOptions {
  /** Where keyboard shortcuts are heard: the page's `window` (default), or a widget's root. */
  keys?: EventTarget | "root";
  /** Define the read-only `window.synthscope` view (the page's tests and benchmarks read it). */
  expose?: boolean;
  /** The theme to start with and where else to mark it. */
  theme?: ThemeOptions;
}

/** A mounted projector. */
export interface Projector {
  readonly app: App;
  readonly dom: Dom;
  readonly filtering: Filtering;
  readonly persist: Persist;
  readonly gallery: Gallery;
  /** Resolves once the data are shown and the kept view is restored (rejects on failure). */
  readonly ready: Promise<void>;
  /** Whether `ready` has resolved. */
  isReady(): boolean;
  /** Stop and free everything (the element may then be removed). */
  destroy(): void;
}

/** Thumbnails as points: one texture layer per atlas tile (4 MB each), so it is capped. */
const MAX_THUMB_POINTS = 16_384;

/** Mount the projector into `root` (its children are replaced by the layout). */
export function mountProjector(root: HTMLElement, host: Host, options: ProjectorOptions = {}): Projector {
  root.classList.add("synthscope");
  root.innerHTML = layout;
  const dom = scope(root);
  const { $ } = dom;
  const keys = options.keys === "root" ? root : (options.keys ?? window);
  if (keys === root) root.tabIndex = -1; // a click inside focuses the root, so its keys arrive

  const app = new App(dom, host);
  const { store } = app;
  mountStatus(store, dom);
  mountTheme(store, dom, options.theme);
  const filtering = new Filtering(app);
  const persist = new Persist(app, filtering, host.view);
  const inspector = createInspector(app);
  mountProjections(app);
  const schemaReady = mountRun(app);
  mountColour(app);
  mountFilters(app, filtering);
  const setTool = mountSelect(app);
  const edits = mountRelabel(app);
  const gallery = mountGallery(app, inspector.inspect);
  const realism = mountRealism(app, inspector.inspect);
  const utility = mountUtility(app);
  mountHover(app, inspector.inspect);
  mountKeyboard({ store, dom, keys, setTool, edits, gallery, closeInspector: inspector.close });

  // ---- toolbar and downloads -----------------------------------------------------------------
  $("reset-camera").addEventListener("click", () => app.renderer.resetCamera());
  const pointSize = $<HTMLInputElement>("point-size");
  pointSize.addEventListener("input", () => store.set({ pointSize: Number(pointSize.value) }));
  $("download-selection").addEventListener(
    "click",
    guard(store, async () => saveBlob(await host.data.selectionTsv(store.selectedIds()), "selection.tsv")),
  );
  // Files the host serves; a widget has none (the notebook holds `ws.points` and the projections).
  if (host.data.links) $<HTMLAnchorElement>("download-metadata").href = host.data.links.metadata();
  else for (const id of ["download-metadata", "download-coordinates"]) $(id).hidden = true;

  const thumbBox = $<HTMLInputElement>("show-thumbnails");
  let thumbsShown = false;
  thumbBox.addEventListener(
    "change",
    guard(store, async () => {
      if (!thumbBox.checked || !app.atlas) {
        app.renderer.setThumbnails(null);
        thumbsShown = false;
        return;
      }
      if (app.n > MAX_THUMB_POINTS) {
        thumbBox.checked = false;
        throw new Error(`thumbnails are drawn for up to ${MAX_THUMB_POINTS} points (${app.n} here)`);
      }
      store.say("loading thumbnails…");
      app.renderer.setThumbnails(await app.atlas.layers());
      thumbsShown = true;
      store.say("");
    }),
  );

  let ready = false;
  if (options.expose) exposeView(app, { ready: () => ready, thumbnails: () => thumbsShown, filtering, gallery, persist });

  // ---- start ---------------------------------------------------------------------------------
  async function start(): Promise<void> {
    const view = persist.read();
    const [dataset] = await Promise.all([app.load(view.projection, view.color), schemaReady]);
    // Smaller dots for big sets: less overdraw, and a software renderer keeps up.
    const size = dataset.count <= 50_000 ? 6 : dataset.count <= 500_000 ? 3 : 2;
    pointSize.value = String(size);
    store.set({ pointSize: size });
    $("ws-name").textContent = dataset.name;
    $("point-count").textContent = String(dataset.count);
    const problems = await persist.restore(view);
    if (!view.filters) {
      // Start with the cards most asked for: labels, and the shown feature's realism score.
      const names = new Set(dataset.columns.map((c) => c.name));
      const score = [`realism_c2st:${app.feature}`, "realism_c2st"].find((c) => names.has(c));
      for (const name of ["label", score]) if (name && names.has(name)) await filtering.add(name);
    }
    persist.start();
    if (problems.length) store.say(problems.join("; "), true);
    else if (!dataset.projections.length) store.say("no stored projection: run one from the Projections panel");
    if (dataset.realism) {
      const scored = dataset.scored ?? [];
      await realism.load(app.feature && scored.includes(app.feature) ? app.feature : undefined);
    }
    // A study that cannot be read is said in the status line; the page goes on.
    if (dataset.utility) await utility.load().catch((error: Error) => store.say(error.message, true));
    ready = true;
    root.dataset.ready = "true";
  }
  const started = start();
  guard(store, () => started)();

  return {
    app,
    dom,
    filtering,
    persist,
    gallery,
    ready: started,
    isReady: () => ready,
    destroy() {
      persist.stop();
      app.destroy();
      root.replaceChildren();
    },
  };
}
