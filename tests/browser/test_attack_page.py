"""A page from another local origin, open in the same browser, can neither drive the projector
nor read from it (issue 16, part 1): fetch (cors and no-cors), a form POST, an image, a script and
a WebSocket, all tried in Chromium; then nothing changed and nothing was read."""

from __future__ import annotations

import http.server
import threading

import pytest

from synthscope.workspace import Workspace

pytestmark = pytest.mark.browser

ATTACK = """<!doctype html><meta charset="utf-8"><title>a page on another origin</title>
<iframe name="sink" style="display:none"></iframe>
<form id="form" method="POST" action="TARGET/api/labels/undo" target="sink"></form>
<form id="form2" method="POST" action="TARGET/api/labels" target="sink"
      enctype="text/plain"><input name='{"ids": [0, 1, 2], "value": "pwned", "x": "' value='"}'>
</form>
<script>
const target = "TARGET";
const results = {};
async function attempt(name, work) {
  try { results[name] = await work(); } catch (error) { results[name] = "refused: " + error; }
}
function load(element) {
  return new Promise((resolve) => {
    element.onload = () => resolve("loaded " + (element.naturalWidth || 0));
    element.onerror = () => resolve("refused: load error");
    document.body.appendChild(element);
  });
}
window.attack = async (projection) => {
  await attempt("cors read", async () => {
    const answer = await fetch(target + "/api/column/label?format=json");
    return "read " + (await answer.text());
  });
  await attempt("no-cors read", async () => {
    const answer = await fetch(target + "/api/metadata.tsv", {mode: "no-cors"});
    const body = await answer.text();
    return body.length ? "read " + body : "opaque " + answer.type;
  });
  await attempt("cors undo", async () => {
    const answer = await fetch(target + "/api/labels/undo", {method: "POST"});
    return "read " + (await answer.text());
  });
  await attempt("no-cors undo", async () => {
    const answer = await fetch(target + "/api/labels/undo", {method: "POST", mode: "no-cors"});
    return "sent " + answer.type;
  });
  await attempt("no-cors relabel", async () => {
    const body = JSON.stringify({ids: [0, 1, 2], value: "pwned"});
    const answer = await fetch(target + "/api/labels",
      {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body});
    return "sent " + answer.type;
  });
  document.getElementById("form").submit();
  await new Promise((resolve) => setTimeout(resolve, 300));
  document.getElementById("form2").submit();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const image = new Image();
  image.src = target + "/api/image/0";
  results["image"] = await load(image);
  const tile = new Image();
  tile.src = target + "/api/thumbs/0";
  results["tile"] = await load(tile);
  const script = document.createElement("script");
  script.src = target + "/api/dataset";
  results["script"] = await load(script);
  results["websocket"] = await new Promise((resolve) => {
    const socket = new WebSocket(target.replace("http", "ws") + "/api/projections/" +
                                 projection + "/stream");
    let frames = 0;
    socket.onopen = () => socket.send(JSON.stringify({action: "stop"}));
    socket.onmessage = () => { frames += 1; };
    socket.onclose = (event) => resolve(frames ? "read " + frames + " frames" :
                                                 "refused: closed " + event.code);
    setTimeout(() => resolve(frames ? "read " + frames + " frames" : "refused: timeout"), 3000);
  });
  return results;
};
</script>
"""


class _AttackSite:
    """A second origin: 127.0.0.1 on another port, serving the attack page."""

    def __init__(self, target: str) -> None:
        page = ATTACK.replace("TARGET", target.rstrip("/")).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/attack.html"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _AttackSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _state(workspace) -> tuple[list, int]:
    with Workspace.open(workspace) as ws:
        return list(ws.column("label")), len(ws.edits(10_000))


def test_a_page_on_another_origin_can_neither_drive_nor_read_the_projector(page, server, browser):
    # The projector's own page works through the guard (the fixture waited for it) and edits.
    done = page.evaluate(
        "fetch('/api/labels', {method: 'POST', headers: {'Content-Type': 'application/json'},"
        " body: JSON.stringify({ids: [3, 4], value: 'fake'})}).then((r) => r.status)"
    )
    assert done == 200
    before = _state(server.workspace)
    with Workspace.open(server.workspace) as ws:
        projection = ws.projections()[0]["id"]

    context = browser.new_context()
    attacker = context.new_page()
    with _AttackSite(server.url) as site:
        attacker.goto(site.url)
        results = attacker.evaluate("(projection) => window.attack(projection)", projection)
        attacker.wait_for_timeout(300)
    context.close()

    assert _state(server.workspace) == before, results  # labels and edit log unchanged
    read = {
        name: outcome
        for name, outcome in results.items()
        if not outcome.startswith(("refused", "opaque", "sent"))
    }
    assert not read, read  # nothing was read: no body, no pixels, no frames
    assert results["image"].startswith("refused") and results["tile"].startswith("refused")
    assert results["websocket"].startswith("refused"), results["websocket"]
    # And the page itself still reads and writes.
    assert page.evaluate("fetch('/api/labels/undo', {method: 'POST'}).then((r) => r.status)") == 200
