/**
 * The projections panel: every stored projection by name or summary (method, dimensions,
 * feature, parameters), with its time and KL (PCA: variance per component); click to show,
 * rename, delete. A running projection is listed on top while it streams. For a PCA projection,
 * any of its first ten components can go on each axis, as in the TF Projector.
 */
import { PCA_COMPONENTS, type App } from "../app";
import type { ProjectionMeta } from "../host";
import { projectionDetails, projectionSummary, projectionTitle } from "../state/requests";
import { el, setOptions } from "./dom";
import { guard } from "./status";

/** Wire the projections panel. */
export function mountProjections(app: App): void {
  const { store } = app;
  const { $ } = app.dom;
  const list = $("projection-list");
  const safe = <T extends unknown[]>(fn: (...args: T) => Promise<unknown> | unknown) => guard(store, fn);

  function item(meta: ProjectionMeta): HTMLElement {
    const shown = store.get().projectionId === meta.id;
    const title = el("div", { class: "title", "data-testid": "projection-title" }, projectionTitle(meta));
    const what = el("div", { class: "what" }, title, el("div", { class: "details" }, projectionDetails(meta)));
    const rename = el("button", { "data-testid": "projection-rename", title: "Rename" }, "✎");
    const remove = el("button", { "data-testid": "projection-delete", title: "Delete" }, "×");
    const li = el("li", { "data-testid": "projection-item", "data-id": meta.id, class: shown ? "shown" : "" }, what, rename, remove);
    li.addEventListener(
      "click",
      safe(async (e: MouseEvent) => {
        if ((e.target as HTMLElement).closest("button, input")) return;
        await app.showProjection(meta.id);
      }),
    );
    rename.addEventListener("click", () => startRename(title, meta));
    remove.addEventListener(
      "click",
      safe(async () => {
        if (!window.confirm(`Delete the projection "${projectionTitle(meta)}"? Its coordinates leave the workspace.`)) return;
        await app.host.data.deleteProjection(meta.id);
        const dataset = await app.refreshDataset();
        if (store.get().projectionId === meta.id) {
          const next = [...dataset.projections].reverse()[0];
          if (next) await app.showProjection(next.id);
        }
        store.say(`deleted ${projectionTitle(meta)}`);
      }),
    );
    return li;
  }

  function startRename(title: HTMLElement, meta: ProjectionMeta): void {
    const input = el("input", { "data-testid": "projection-name", value: meta.name ?? "", placeholder: projectionSummary(meta) });
    let done = false;
    const finish = safe(async (save: boolean) => {
      if (done) return;
      done = true;
      const value = input.value.trim();
      title.textContent = save && value ? value : projectionTitle(meta); // the input goes at once
      try {
        if (save && value !== (meta.name ?? "")) {
          await app.host.data.renameProjection(meta.id, value);
          store.say(value ? `renamed to ${value}` : "name removed");
        }
      } finally {
        await app.refreshDataset();
        draw();
      }
    });
    input.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter") finish(true);
      if (e.key === "Escape") finish(false);
    });
    input.addEventListener("blur", () => finish(true));
    title.replaceChildren(input);
    input.focus();
  }

  function draw(): void {
    const { dataset, running } = store.get();
    if (!dataset || list.querySelector("input:focus")) return; // never under a rename in progress
    const items = [...dataset.projections].reverse().map(item);
    if (running && !dataset.projections.some((p) => p.id === running.id)) {
      const live = el(
        "li",
        { "data-testid": "projection-item", "data-id": running.id, class: `running ${store.get().projectionId === running.id ? "shown" : ""}` },
        el(
          "div",
          { class: "what" },
          el("div", { class: "title" }, `running: ${projectionSummary(running.meta)}`),
          el("div", { class: "details" }, `iteration ${running.iteration}${running.total ? ` / ${running.total}` : ""} · ${running.state}`),
        ),
      );
      live.addEventListener("click", safe(() => app.showProjection(running.id)));
      items.unshift(live);
    }
    list.replaceChildren(...items);
    if (!items.length) list.append(el("li", { class: "muted" }, "none stored: run one below"));
  }

  function drawShown(): void {
    const { projection, running, projectionId } = store.get();
    const line = $("shown");
    if (!projection) return void (line.textContent = "");
    const live = running && running.id === projectionId;
    line.textContent = live
      ? `${projectionSummary(projection)} · running, iteration ${running.iteration}${running.total ? ` / ${running.total}` : ""}`
      : [projectionTitle(projection), projectionDetails(projection)].filter(Boolean).join(" · ");
    const links = app.host.data.links;
    const download = $<HTMLAnchorElement>("download-coordinates");
    download.href = links && projectionId && !live ? links.coordinates(projectionId) : "#";
  }

  // ---- PCA axes ----------------------------------------------------------------------------
  const axesBox = $<HTMLDetailsElement>("pca-axes");
  const selects = [$<HTMLSelectElement>("pca-x"), $<HTMLSelectElement>("pca-y"), $<HTMLSelectElement>("pca-z")];

  function axesSummary(ratio: number[], axes: number[]): string {
    const shownShare = axes.reduce((sum, a) => sum + (ratio[a] ?? 0), 0);
    return `${axes.map((a) => `PC${a + 1}`).join(", ")}: ${(100 * shownShare).toFixed(1)}% of the variance`;
  }

  async function fillAxes(): Promise<void> {
    const { projection, dims, axes, running, projectionId } = store.get();
    const isPca = projection?.method === "pca" && !(running && running.id === projectionId);
    axesBox.hidden = !isPca;
    if (!isPca || !projection) return;
    const current = axes ?? [0, 1, 2].slice(0, dims);
    let ratio = projection.params?.explained_variance_ratio ?? [];
    $("pca-z-label").hidden = dims !== 3;
    $("pca-axes-summary").textContent = axesSummary(ratio, current);
    if (!axesBox.open && !axes) {
      for (const [k, select] of selects.entries()) setOptions(select, [[String(k), `PC${k + 1}`]], String(k));
      return;
    }
    ratio = (await app.pcaComponents(projection.id)).variance;
    const options: [string, string][] = ratio.map((r, k) => [String(k), `PC${k + 1} (${(100 * r).toFixed(1)}%)`]);
    selects.forEach((select, d) => setOptions(select, options, String(current[d] ?? d)));
    $("pca-axes-summary").textContent = axesSummary(ratio, current);
    const total = ratio.reduce((a, b) => a + b, 0);
    $("pca-total").textContent = `first ${PCA_COMPONENTS} components describe ${(100 * total).toFixed(1)}% of the variance`;
  }

  axesBox.addEventListener("toggle", safe(fillAxes));
  for (const select of selects)
    select.addEventListener(
      "change",
      safe(async () => {
        const dims = store.get().dims;
        const axes = selects.slice(0, dims).map((s) => Number(s.value));
        if (new Set(axes).size !== axes.length) throw new Error("axes: choose a different component for each axis");
        await app.setAxes(axes);
      }),
    );

  store.subscribe((_, changed) => {
    if (changed.has("dataset") || changed.has("projectionId") || changed.has("running")) draw();
    if (changed.has("projection") || changed.has("running") || changed.has("iteration") || changed.has("projectionId")) drawShown();
    if (changed.has("projection") || changed.has("axes")) void fillAxes().catch(() => undefined);
  });
}
