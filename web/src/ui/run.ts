/**
 * The "New projection" form: feature, method, dimensions and the method's knobs, with defaults
 * and limits from the server's constraint table (`GET /api/projections/schema`). A request is
 * checked here against the same table before it is sent; whatever is refused (here, by the
 * server, or by the job) becomes one line in the status bar and Run works again at once.
 */
import type { App } from "../app";
import type { JobStatus, ProjectionRequest, ProjectionSchema } from "../host";
import { checkRequest } from "../state/requests";
import { setOptions } from "./dom";
import { errorText } from "./status";

const INPUTS: Record<string, string> = {
  perplexity: "perplexity",
  iterations: "iterations",
  seed: "seed",
  n_neighbors: "n-neighbors",
  min_dist: "min-dist",
  learning_rate: "learning-rate",
};

/** Wire the form; resolves once the schema has set the inputs. */
export async function mountRun(app: App): Promise<void> {
  const { store } = app;
  const { $, all } = app.dom;
  const method = $<HTMLSelectElement>("projection-method");
  const feature = $<HTMLSelectElement>("feature-select");
  const runButton = $<HTMLButtonElement>("run-projection");
  const pauseButton = $<HTMLButtonElement>("pause-projection");
  const stopButton = $<HTMLButtonElement>("stop-projection");
  const jobState = $("job-state");
  let schema: ProjectionSchema | null = null;
  let pcaDims: number | null = 50;

  function showMethodFields(): void {
    all(".method-tsne, .method-umap").forEach((node) => (node.hidden = !node.classList.contains(`method-${method.value}`)));
  }
  method.addEventListener("change", showMethodFields);
  showMethodFields();

  function number(id: string): number {
    const text = $<HTMLInputElement>(id).value.trim();
    return text === "" ? NaN : Number(text);
  }

  function request(): ProjectionRequest {
    const rate = $<HTMLInputElement>("learning-rate").value.trim();
    return {
      method: method.value as ProjectionRequest["method"],
      dims: Number($<HTMLSelectElement>("projection-dims").value) as 2 | 3,
      feature: feature.value || undefined,
      perplexity: number("perplexity"),
      learning_rate: rate === "" || rate === "auto" ? "auto" : Number(rate),
      iterations: number("iterations"),
      pca_dims: $<HTMLInputElement>("pca50").checked ? pcaDims : null,
      seed: number("seed"),
      n_neighbors: number("n-neighbors"),
      min_dist: number("min-dist"),
      metric: $<HTMLSelectElement>("metric").value as "euclidean" | "cosine",
    };
  }

  function setLive(live: boolean): void {
    runButton.disabled = live;
    pauseButton.disabled = !live;
    stopButton.disabled = !live;
  }

  function markInvalid(field: string | null): void {
    for (const [name, id] of Object.entries(INPUTS)) $(id).classList.toggle("invalid", name === field);
  }

  const onStatus = (s: JobStatus): void => {
    $("iteration").textContent = String(s.iteration);
    jobState.textContent = s.state + (s.total ? ` / ${s.total}` : "");
    const live = s.state === "running" || s.state === "paused";
    setLive(live);
    if (s.state === "error") store.say(`projection refused: ${s.error ?? "it failed"}`, true);
    else if (s.state === "done" || s.state === "stopped") store.say(`projection ${s.state} after ${s.iteration} iterations`);
    if (!live) void app.refreshDataset().catch(() => undefined);
  };

  runButton.addEventListener("click", async () => {
    const asked = request();
    const problem = schema ? checkRequest(asked, schema) : null;
    markInvalid(problem?.field ?? null);
    if (problem) return store.say(problem.message, true);
    setLive(true);
    pauseButton.textContent = "Pause";
    jobState.textContent = "starting";
    store.say("");
    try {
      await app.runProjection(asked, onStatus);
    } catch (error) {
      const parameter = (error as { parameter?: string }).parameter ?? null;
      markInvalid(parameter);
      store.say(errorText(error), true);
      jobState.textContent = "refused";
      setLive(false);
    }
  });
  pauseButton.addEventListener("click", () => {
    const paused = pauseButton.textContent === "Resume";
    app.controlProjection(paused ? "resume" : "pause");
    pauseButton.textContent = paused ? "Pause" : "Resume";
  });
  stopButton.addEventListener("click", () => app.controlProjection("stop"));

  // The feature offered follows the shown projection until the user picks one.
  let picked = false;
  feature.addEventListener("change", () => (picked = true));
  store.subscribe((state, changed) => {
    if (changed.has("dataset") && state.dataset) {
      setOptions(feature, state.dataset.features.map((f) => [f, f]), feature.value || app.feature || undefined);
    }
    if (changed.has("projection") && !picked && app.feature) feature.value = app.feature;
  });

  schema = await app.host.data.projectionSchema();
  for (const [field, id] of Object.entries(INPUTS)) {
    const input = $<HTMLInputElement>(id);
    const value = schema.defaults[field];
    if (value !== undefined && value !== null) input.value = String(value);
    const range = (schema.constraints[field] ?? []).find((c) => c.type === "integer" || c.type === "number");
    if (!range) continue;
    const low = range.minimum ?? range.exclusiveMinimum;
    const high = range.maximum ?? range.exclusiveMaximum;
    if (low !== undefined) input.min = String(low);
    if (high !== undefined) input.max = String(high);
  }
  const pca = schema.defaults.pca_dims;
  pcaDims = typeof pca === "number" ? pca : 50;
  $("pca50-text").textContent = `PCA-${pcaDims} first`;
}
