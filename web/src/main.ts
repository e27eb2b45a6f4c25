/**
 * Entry point of the page: the HTTP host (data from `/api`, the view in the URL), the projector
 * mounted into `#projector`, keys on the window, and the read-only `window.synthscope` that tests
 * and benchmarks read. The Jupyter widget (`widget.ts`) mounts the same projector with its own host.
 */
import { httpHost } from "./api/http-host";
import { mountProjector } from "./projector";
import "./style.css";

const root = document.getElementById("projector");
if (!root) throw new Error("missing element #projector");
const projector = mountProjector(root, httpHost(), { expose: true, theme: { mirror: document.documentElement } });
void projector.ready.then(
  () => (document.body.dataset.ready = "true"),
  () => undefined, // already said in the status line
);
