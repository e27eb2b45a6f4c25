/**
 * The realism panel: one feature's verdict, evidence and numbers as `synthscope score` wrote them,
 * led by the report's warnings (trivial cues such as a size or format that differs between the
 * sets, which a test may detect instead of the generator),
 * the generated images it rates most realistic (click to inspect), buttons to colour by that
 * feature's per-image scores, and, when several features were scored together, the side-by-side
 * table. The panel names its feature and follows the shown projection's, when that one is scored.
 */
import type { App } from "../app";
import { el, setOptions } from "./dom";
import type { Inspect } from "./inspector";
import { guard } from "./status";
import type { ThumbAtlas } from "./thumbs";

const SECTIONS = ["one_nn", "c2st", "mmd", "frechet", "kid", "prdc", "memorization", "scores"];
const fmt = (v: number) => (Math.abs(v) >= 1000 || Number.isInteger(v) ? String(v) : v.toPrecision(3));

function summaryTable(summary: Record<string, unknown>): Node[] {
  const columns = summary.columns as string[] | undefined;
  const rows = summary.table as string[][] | undefined;
  if (!columns || !rows?.length) return [];
  return [
    el("h3", {}, "Side by side"),
    el("div", { class: "muted" }, String(summary.headline ?? "")),
    el(
      "table",
      { class: "realism-table", "data-testid": "realism-summary" },
      el("tr", {}, ...columns.map((c) => el("th", {}, c))),
      ...rows.map((row) => el("tr", {}, ...row.map((cell) => el("td", {}, cell)))),
    ),
  ];
}

/** Render one report into `body`. */
export function renderRealism(
  body: HTMLElement,
  report: Record<string, unknown>,
  feature: string,
  atlas: ThumbAtlas | null,
  onPick: (id: number) => void,
  onColour: (column: string) => void,
): void {
  const parts: Node[] = [];
  if (feature) parts.push(el("div", { class: "muted", "data-testid": "realism-feature-name" }, `in ${feature}`));
  // What to read before the verdict: `synthscope score` lists the cues that may explain it.
  const warnings = ((report.warnings as unknown[] | undefined) ?? []).filter((w): w is string => typeof w === "string" && w !== "");
  if (warnings.length)
    parts.push(
      el(
        "div",
        { class: "realism-warnings", "data-testid": "realism-warnings", role: "note" },
        el("strong", {}, warnings.length === 1 ? "Read before the verdict" : `Read before the verdict (${warnings.length})`),
        el("ul", {}, ...warnings.map((w) => el("li", { "data-testid": "realism-warning" }, w))),
      ),
    );
  parts.push(el("div", { class: "realism-verdict", "data-testid": "realism-verdict" }, String(report.verdict ?? "")));
  const evidence = (report.evidence as string[] | undefined) ?? [];
  if (evidence.length) parts.push(el("ul", {}, ...evidence.map((e) => el("li", {}, e))));
  parts.push(el("div", { class: "muted" }, `${report.n_real ?? "?"} real, ${report.n_fake ?? "?"} generated`));
  for (const name of SECTIONS) {
    const section = report[name] as Record<string, unknown> | undefined;
    if (!section || typeof section !== "object") continue;
    const rows = Object.entries(section)
      .filter(([, v]) => typeof v === "number" || typeof v === "boolean")
      .map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", {}, typeof v === "number" ? fmt(v) : String(v))));
    if (rows.length) parts.push(el("details", {}, el("summary", {}, name.replace("_", "-")), el("table", { class: "realism-table" }, ...rows)));
  }
  const suffix = feature ? `:${feature}` : "";
  const colourButtons = ["realism_c2st", "realism_knn", "likely_copy"].map((score) => {
    const button = el("button", { "data-testid": `colour-${score.replace("realism_", "").replace("_", "-")}` }, score.replace("realism_", ""));
    button.addEventListener("click", () => onColour(score + suffix));
    return button;
  });
  parts.push(el("div", { class: "row chips" }, el("span", { class: "muted" }, "colour by"), ...colourButtons));
  const per = report.per_fake_image as { id: number[]; realism_c2st: (number | null)[] } | undefined;
  if (per && per.id?.length) {
    const order = per.id
      .map((id, k) => [id, per.realism_c2st?.[k] ?? -1] as [number, number])
      .sort((a, b) => b[1] - a[1])
      .slice(0, 24);
    parts.push(el("h3", {}, "Most realistic generated images"));
    const grid = el("div", { class: "ranked", "data-testid": "realism-ranked" });
    for (const [id, score] of order) {
      const canvas = atlas ? atlas.canvas(id, 48) : el("canvas");
      canvas.title = `point ${id}: ${fmt(score)}`;
      canvas.addEventListener("click", () => onPick(id));
      grid.append(canvas);
    }
    parts.push(grid);
  }
  const summary = report.summary as Record<string, unknown> | null | undefined;
  if (summary) parts.push(...summaryTable(summary));
  body.className = "";
  body.replaceChildren(...parts);
}

/** Wire the panel: feature switcher, and following the shown projection's feature. */
export function mountRealism(app: App, inspect: Inspect): { load: (feature?: string) => Promise<void> } {
  const { store } = app;
  const { $ } = app.dom;
  const select = $<HTMLSelectElement>("realism-feature");
  let shown: string | null = null;

  async function load(feature?: string): Promise<void> {
    const report = await app.host.data.realism(feature);
    const scored = (report.scored as string[] | undefined) ?? store.get().dataset?.scored ?? [];
    const name = feature ?? scored[0] ?? "";
    shown = name;
    setOptions(select, scored.map((f) => [f, f]), name);
    select.hidden = scored.length < 1 || (scored.length === 1 && !scored[0]);
    const columns = new Set(store.get().dataset?.columns.map((c) => c.name));
    renderRealism(
      $("realism-body"),
      report,
      name,
      app.atlas,
      (id) => {
        app.selectIds([id]);
        void inspect(id);
      },
      guard(store, async (column: string) => {
        const use = columns.has(column) ? column : column.split(":")[0];
        if (!columns.has(use)) throw new Error(`no column ${column}: score this feature first`);
        await app.colorBy(use);
      }),
    );
  }

  select.addEventListener("change", guard(store, () => load(select.value)));
  store.subscribe((state, changed) => {
    const scored = state.dataset?.scored ?? [];
    const feature = app.feature;
    if (changed.has("projection") && feature && scored.includes(feature) && feature !== shown)
      void load(feature).catch(() => undefined);
  });
  return { load };
}
