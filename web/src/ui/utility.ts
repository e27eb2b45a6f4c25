/**
 * The utility panel: does curation help? The last `synthscope utility` study as it was stored
 * (`GET /api/utility`): its verdict, then every arm (what the real training set was given) with
 * its mean metric on the real test groups, its bootstrap interval drawn on one scale for all arms,
 * and its difference from the real-only arm; the evidence and notes below, folded.
 */
import type { App } from "../app";
import { el } from "./dom";

interface Arm {
  name: string;
  kind?: string;
  n_generated?: number;
  mean?: number | null;
  ci?: [number, number] | null;
}

interface Comparison {
  arm: string;
  baseline: string;
  difference?: number | null;
  ci?: [number, number] | null;
  direction?: number;
}

const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const fmt = (v: unknown) => (num(v) ? v.toFixed(3) : "–");
const signed = (v: number) => (v >= 0 ? "+" : "") + v.toFixed(3);

/** The interval `[lo, hi]` and mean on a shared scale, as a small bar. */
function bar(arm: Arm, lo: number, hi: number): HTMLElement {
  const box = el("div", { class: "bar" });
  const at = (v: number) => `${(100 * (v - lo)) / (hi - lo || 1)}%`;
  if (arm.ci && num(arm.ci[0]) && num(arm.ci[1])) {
    const span = el("span");
    span.style.left = at(arm.ci[0]);
    span.style.width = `calc(${at(arm.ci[1])} - ${at(arm.ci[0])})`;
    box.append(span);
  }
  if (num(arm.mean)) {
    const tick = el("i");
    tick.style.left = at(arm.mean);
    box.append(tick);
  }
  return box;
}

/** Render one stored study into `body`. */
export function renderUtility(body: HTMLElement, result: Record<string, unknown>): void {
  const metric = String(result.metric_label ?? result.metric ?? "metric");
  const params = (result.parameters as Record<string, unknown> | undefined) ?? {};
  const level = num(params.confidence) ? `${Math.round(params.confidence * 100)}%` : "";
  const arms = ((result.arms as Arm[] | undefined) ?? []).filter((a) => a && typeof a.name === "string");
  const versus = new Map(
    ((result.comparisons as Comparison[] | undefined) ?? [])
      .filter((c) => c && c.baseline === "real")
      .map((c) => [c.arm, c]),
  );
  const bounds = arms.flatMap((a) => [a.mean, ...(a.ci ?? [])]).filter(num);
  const lo = bounds.length ? Math.min(...bounds) : 0;
  const hi = bounds.length ? Math.max(...bounds) : 1;

  const parts: Node[] = [];
  parts.push(el("div", { class: "muted" }, `${String(result.task ?? "")}: ${metric} on the real test groups`));
  parts.push(el("div", { class: "utility-verdict", "data-testid": "utility-verdict" }, String(result.verdict ?? "")));
  const header = el(
    "thead",
    {},
    el("tr", {}, el("th", {}, "arm (generated added)"), el("th", {}, metric), el("th", {}, `${level} interval`.trim())),
  );
  // Two rows an arm (the sidebar is narrow): name, mean and interval; then the interval drawn on
  // the common scale and the difference from the real-only arm.
  const rows = arms.map((arm) => {
    const diff = versus.get(arm.name);
    const against =
      diff && num(diff.difference)
        ? `vs real ${signed(diff.difference)}` +
          (diff.ci && num(diff.ci[0]) && num(diff.ci[1]) ? ` [${signed(diff.ci[0])}, ${signed(diff.ci[1])}]` : "")
        : "";
    const interval = arm.ci && num(arm.ci[0]) && num(arm.ci[1]) ? `[${fmt(arm.ci[0])}, ${fmt(arm.ci[1])}]` : "–";
    const added = num(arm.n_generated) && arm.kind !== "real" ? ` (${arm.n_generated})` : "";
    return el(
      "tbody",
      { "data-testid": "utility-arm", "data-arm": arm.name, "data-kind": String(arm.kind ?? "") },
      el(
        "tr",
        {},
        el("td", {}, arm.name + added),
        el("td", { "data-testid": "utility-mean" }, fmt(arm.mean)),
        el("td", { "data-testid": "utility-interval" }, interval),
      ),
      el(
        "tr",
        { class: "detail" },
        el(
          "td",
          { colspan: "3" },
          bar(arm, lo, hi),
          el("span", { "data-testid": "utility-versus", class: diff?.direction ? "versus" : "versus muted" }, against),
        ),
      ),
    );
  });
  parts.push(el("table", { class: "utility-table", "data-testid": "utility-arms" }, header, ...rows));
  const evidence = ((result.evidence as unknown[] | undefined) ?? []).filter((e): e is string => typeof e === "string");
  if (evidence.length) parts.push(el("details", {}, el("summary", {}, "comparisons"), el("ul", {}, ...evidence.map((e) => el("li", {}, e)))));
  const notes = ((result.notes as unknown[] | undefined) ?? []).filter((e): e is string => typeof e === "string");
  if (notes.length) parts.push(el("ul", { class: "muted" }, ...notes.map((n) => el("li", {}, n))));
  body.className = "";
  body.replaceChildren(...parts);
}

/** Wire the panel: loaded at start when the workspace holds a study. */
export function mountUtility(app: App): { load: () => Promise<void> } {
  const { $ } = app.dom;
  return {
    load: async () => renderUtility($("utility-body"), await app.host.data.utility()),
  };
}
