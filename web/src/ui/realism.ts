/**
 * The realism panel: the verdict and numbers `synthscope score` wrote, and the generated images
 * ranked by how real they look (click one to inspect it).
 */
import { el } from "./dom";
import type { ThumbAtlas } from "./thumbs";

const SECTIONS = ["one_nn", "c2st", "mmd", "frechet", "kid", "prdc", "memorization", "scores"];

const fmt = (v: number) => (Math.abs(v) >= 1000 || Number.isInteger(v) ? String(v) : v.toPrecision(3));

export function renderRealism(
  body: HTMLElement,
  report: Record<string, unknown>,
  atlas: ThumbAtlas | null,
  onPick: (id: number) => void,
): void {
  const parts: Node[] = [];
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
    if (!rows.length) continue;
    parts.push(el("details", {}, el("summary", {}, name.replace("_", "-")), el("table", { class: "realism-table" }, ...rows)));
  }
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
  body.className = "";
  body.replaceChildren(...parts);
}
