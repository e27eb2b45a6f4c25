/**
 * Entry point of the page: the HTTP host, the controller, every UI part, and the read-only
 * `window.synthscope` that tests and benchmarks read. A widget build would differ only here:
 * another `Host` (data from its model, the view in a synced trait), the same parts.
 */
import { httpHost } from "./api/http-host";
import { App } from "./app";
import { Filtering } from "./filtering";
import { Persist } from "./persist";
import { mountColour } from "./ui/colour";
import { $, saveBlob } from "./ui/dom";
import { mountFilters } from "./ui/filters";
import { mountGallery } from "./ui/gallery";
import { mountHover } from "./ui/hover";
import { createInspector } from "./ui/inspector";
import { mountKeyboard } from "./ui/keyboard";
import { mountProjections } from "./ui/projections";
import { mountRealism } from "./ui/realism";
import { mountRelabel } from "./ui/relabel";
import { mountRun } from "./ui/run";
import { mountSelect } from "./ui/select";
import { guard, mountStatus } from "./ui/status";
import { mountTheme } from "./ui/theme";
import { exposeView } from "./ui/view";

const host = httpHost();
const app = new App($("scatter"), host);
const { store } = app;
mountStatus(store);
mountTheme(store);
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
mountHover(app, inspector.inspect);
mountKeyboard({ store, setTool, edits, gallery, closeInspector: inspector.close });

// ---- toolbar and downloads -------------------------------------------------------------------
$("reset-camera").addEventListener("click", () => app.renderer.resetCamera());
const pointSize = $<HTMLInputElement>("point-size");
pointSize.addEventListener("input", () => store.set({ pointSize: Number(pointSize.value) }));
$("download-selection").addEventListener(
  "click",
  guard(store, async () => saveBlob(await host.data.selectionTsv(store.selectedIds()), "selection.tsv")),
);
if (host.data.links) $<HTMLAnchorElement>("download-metadata").href = host.data.links.metadata();

// Thumbnails as points: one texture layer per atlas tile (4 MB each), so it is capped.
const MAX_THUMB_POINTS = 16_384;
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

// ---- window.synthscope -----------------------------------------------------------------------
let ready = false;
exposeView(app, { ready: () => ready, thumbnails: () => thumbsShown, filtering, gallery, persist });

// ---- start -----------------------------------------------------------------------------------
guard(store, async () => {
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
  ready = true;
  document.body.dataset.ready = "true";
})();
