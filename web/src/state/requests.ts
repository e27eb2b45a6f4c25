/**
 * Projection requests and labels: the page checks a request against the server's constraint
 * table before sending it (the same limits, so the same refusals, in one readable line), and
 * names every projection by method, dimensions, feature and parameters.
 */
import type { FieldConstraint, ProjectionMeta, ProjectionRequest, ProjectionSchema } from "../host";

const METHOD_TITLE: Record<string, string> = { pca: "PCA", tsne: "t-SNE", umap: "UMAP" };

function fits(value: unknown, c: FieldConstraint): boolean {
  if (c.type === "null") return value === null;
  if (c.enum) return c.enum.includes(value);
  if (c.type === "integer" || c.type === "number") {
    if (typeof value !== "number" || !Number.isFinite(value)) return false;
    if (c.type === "integer" && !Number.isInteger(value)) return false;
    if (c.minimum !== undefined && value < c.minimum) return false;
    if (c.maximum !== undefined && value > c.maximum) return false;
    if (c.exclusiveMinimum !== undefined && value <= c.exclusiveMinimum) return false;
    if (c.exclusiveMaximum !== undefined && value >= c.exclusiveMaximum) return false;
    return true;
  }
  return typeof value === "string";
}

function describe(c: FieldConstraint): string {
  if (c.type === "null") return "empty";
  if (c.enum) return c.enum.map((v) => JSON.stringify(v)).join(" or ");
  const kind = c.type === "integer" ? "a whole number" : "a number";
  const bounds: string[] = [];
  if (c.minimum !== undefined) bounds.push(`>= ${c.minimum}`);
  if (c.exclusiveMinimum !== undefined) bounds.push(`> ${c.exclusiveMinimum}`);
  if (c.maximum !== undefined) bounds.push(`<= ${c.maximum}`);
  if (c.exclusiveMaximum !== undefined) bounds.push(`< ${c.exclusiveMaximum}`);
  return bounds.length ? `${kind} ${bounds.join(" and ")}` : kind;
}

/**
 * The first field of `request` (among those its method uses) that the schema refuses, as
 * `{field, message}`; null when all pass.
 */
export function checkRequest(
  request: ProjectionRequest,
  schema: ProjectionSchema,
): { field: string; message: string } | null {
  const used = ["method", "dims", "seed", ...(schema.method_fields[request.method] ?? [])];
  for (const field of used) {
    const value = (request as unknown as Record<string, unknown>)[field];
    const constraints = schema.constraints[field];
    if (value === undefined || !constraints?.length) continue;
    if (constraints.some((c) => fits(value, c))) continue;
    const shown = typeof value === "number" && Number.isNaN(value) ? "nothing" : JSON.stringify(value);
    return { field, message: `${field.replace(/_/g, " ")} must be ${constraints.map(describe).join(" or ")} (got ${shown})` };
  }
  return null;
}

/** `t-SNE 3-D · pixels64 · perplexity 30, 1000 it.` for metadata without a stored summary. */
export function projectionSummary(meta: ProjectionMeta): string {
  if (meta.summary) return meta.summary;
  const request = (meta.request ?? meta) as Record<string, unknown>;
  const knobs =
    meta.method === "tsne"
      ? `perplexity ${request.perplexity ?? "?"}, ${meta.iterations ?? request.iterations ?? "?"} it.`
      : meta.method === "umap"
        ? `${request.n_neighbors ?? "?"} neighbours, min. dist. ${request.min_dist ?? "?"}`
        : "";
  const title = `${METHOD_TITLE[meta.method] ?? meta.method} ${meta.dims}-D`;
  return [title, meta.feature, knobs].filter(Boolean).join(" · ");
}

/** The name a projection is listed under: its given name, else its summary. */
export const projectionTitle = (meta: ProjectionMeta) => meta.name || projectionSummary(meta);

/** `2026-01-03 14:02` from an ISO-like time (as stored), or "" when there is none. */
export function shortTime(created: unknown): string {
  if (typeof created !== "string" || !created) return "";
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?/.exec(created);
  return match ? [match[1], match[2]].filter(Boolean).join(" ") : created;
}

/** Details after the title: KL or explained variance, time, and "stopped". */
export function projectionDetails(meta: ProjectionMeta): string {
  const parts: string[] = [];
  if (meta.name) parts.push(projectionSummary(meta));
  const ratio = meta.params?.explained_variance_ratio;
  if (meta.method === "pca" && ratio?.length) {
    const total = ratio.reduce((a, b) => a + b, 0);
    parts.push(`${ratio.map((r, k) => `PC${k + 1} ${(100 * r).toFixed(1)}%`).join(", ")} (total ${(100 * total).toFixed(1)}%)`);
  } else if (typeof meta.kl === "number") {
    parts.push(`KL ${meta.kl.toFixed(3)}`);
  }
  const time = shortTime(meta.created);
  if (time) parts.push(time);
  if (meta.stopped) parts.push("stopped");
  return parts.join(" · ");
}
