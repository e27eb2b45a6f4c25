/**
 * Entry point of the Jupyter widget (an anywidget ES module, `synthscope.Projector`): the same
 * projector as the page, mounted into a shadow root on the widget's element, so the page's
 * stylesheet applies inside and nowhere else, element ids stay unique per widget, and several
 * widgets live on one page. Data come from the kernel over the model's messages; the view lives
 * in its traits (`api/widget-host.ts`, `api/widget-traits.ts`).
 */
import { widgetHost, type WidgetModel } from "./api/widget-host";
import { bindTraits, filtersText } from "./api/widget-traits";
import { mountProjector } from "./projector";
import css from "./style.css?inline";
import type { Theme } from "./ui/theme";

/** The notebook's own theme, where it says (JupyterLab, Notebook 7, VS Code). */
function notebookTheme(): Theme | undefined {
  const light = document.body.dataset.jpThemeLight;
  if (light === "true" || document.body.classList.contains("vscode-light")) return "light";
  if (light === "false" || document.body.classList.contains("vscode-dark")) return "dark";
  return undefined;
}

/** anywidget's `render`: mount a projector into `el`; returns the cleanup. */
function render({ model, el }: { model: WidgetModel; el: HTMLElement }): () => void {
  // JupyterLab's shortcuts stop at this element: keys typed into the projector stay in it.
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  const shadow = el.shadowRoot ?? el.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = css;
  const root = document.createElement("div");
  root.dataset.testid = "projector";
  shadow.replaceChildren(style, root);
  const size = () => (root.style.height = `${Math.max(200, Number(model.get("height")) || 600)}px`);
  size();
  model.on("change:height", size);

  const host = widgetHost(model, filtersText);
  const projector = mountProjector(root, host, { keys: "root", theme: { initial: notebookTheme() } });
  const unbind = bindTraits(model, projector, host.data);
  return () => {
    model.off("change:height", size);
    unbind();
    host.data.close();
    projector.destroy();
  };
}

export default { render };
