"""The widget bundle in headless Chromium without Jupyter: ``widget.js`` rendered twice on one page
against a stand-in of anywidget's model whose messages Python's backend answers.

What a notebook relies on and the page never tests: two projectors on one page keep their own
elements (shadow roots, scoped lookups), their keys and styles stay inside, a box selection sets
the ``selection`` trait, a trait set from outside highlights, and a refused request shows in the
status line.
"""

from __future__ import annotations

import base64
import json
import threading

import pytest

from synthscope.widget import bundle_path
from synthscope.widget._backend import Backend

pytestmark = pytest.mark.browser

ORIGIN = "http://widget.test"

# A stand-in of anywidget's model (get/set/save_changes/on/off/send), backbone-like: set emits
# change:NAME. Requests go to Python (window.kernel), answers come back as msg:custom.
PAGE = """<!doctype html><meta charset="utf-8">
<style>body { margin: 0; font-family: serif; } button { color: rgb(1, 2, 3); }</style>
<button id="outside">outside</button>
<div id="a"></div><div id="b"></div>
<script type="module">
import widget from "./widget.js";
const b64 = (s) => { const bin = atob(s); const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i); return new DataView(out.buffer); };
class Model {
  constructor(name, state) { this.name = name; this.state = state; this.listeners = {}; this.saved = 0; }
  get(key) { return this.state[key]; }
  set(key, value) { this.state[key] = value; this.emit("change:" + key); }
  save_changes() { this.saved++; }
  on(event, cb) { (this.listeners[event] ??= []).push(cb); }
  off(event, cb) { this.listeners[event] = (this.listeners[event] ?? []).filter((f) => f !== cb); }
  emit(event, ...args) { for (const cb of [...(this.listeners[event] ?? [])]) cb(...args); }
  send(content) { window.kernel(this.name, JSON.stringify(content)).then(deliver); }
}
const models = {};
function deliver(text) {
  for (const [name, content, buffers] of JSON.parse(text)) models[name].emit("msg:custom", content, buffers.map(b64));
}
window.keysHeard = [];
document.addEventListener("keydown", (e) => window.keysHeard.push(e.key));
for (const name of ["a", "b"]) {
  models[name] = new Model(name, { selection: [], color_by: name === "a" ? "label" : "score",
    projection: null, filter: {}, height: 420, _view: {} });
  widget.render({ model: models[name], el: document.getElementById(name) });
}
window.models = models;
setInterval(() => window.kernel("", "poll").then(deliver), 50);
</script>"""


class Kernel:
    """Python's side: one backend per stand-in model; messages queued until the page asks."""

    def __init__(self, store) -> None:
        self.queue: list[tuple[str, dict, list[str]]] = []
        self.lock = threading.Lock()
        self.backends = {name: Backend(store, self.sender(name)) for name in ("a", "b")}

    def sender(self, name):
        def send(content, buffers):
            encoded = [base64.b64encode(bytes(b)).decode() for b in buffers]
            with self.lock:
                self.queue.append((name, content, encoded))

        return send

    def __call__(self, name: str, text: str) -> str:
        if text != "poll":
            reply, buffers = self.backends[name].handle(json.loads(text))
            self.sender(name)(reply, buffers)
        with self.lock:
            out, self.queue = self.queue, []
        return json.dumps(out)


@pytest.fixture
def page(browser, ws):
    kernel = Kernel(ws.store)
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.expose_function("kernel", kernel)
    bundle = bundle_path().read_bytes()
    page.route(f"{ORIGIN}/", lambda route: route.fulfill(body=PAGE, content_type="text/html"))
    page.route(
        f"{ORIGIN}/widget.js",
        lambda route: route.fulfill(body=bundle, content_type="text/javascript"),
    )
    page.goto(f"{ORIGIN}/")
    for name in "ab":
        page.locator(f"#{name} [data-testid=projector][data-ready=true]").wait_for(timeout=30_000)
    yield page
    for backend in kernel.backends.values():
        backend.close()
    context.close()
    assert not errors, errors


def model(page, name: str, key: str):
    return page.evaluate(f"window.models[{name!r}].get({key!r})")


def test_two_widgets_on_one_page_keep_their_own_elements_keys_and_styles(page):
    a, b = page.locator("#a"), page.locator("#b")
    for widget in (a, b):  # Playwright's selectors pierce open shadow roots
        assert widget.get_by_test_id("point-count").inner_text() == "24"
        assert widget.locator("canvas").first.is_visible()
    assert page.evaluate("document.querySelectorAll('[data-testid=point-count]').length") == 0
    assert model(page, "a", "color_by") == "label" and model(page, "b", "color_by") == "score"
    assert model(page, "a", "projection") == model(page, "b", "projection") is not None
    # The page's styles stay out of the widget and the widget's stay out of the page.
    colour = "getComputedStyle(e).color"
    assert page.locator("#outside").evaluate(f"e => {colour}") == "rgb(1, 2, 3)"
    assert a.get_by_test_id("select-box").evaluate(f"e => {colour}") != "rgb(1, 2, 3)"
    assert page.evaluate("getComputedStyle(document.body).fontFamily") == "serif"
    # A key used by the projector stays in it: the box tool, in a only; the page hears nothing.
    a.get_by_test_id("scatter").click(position={"x": 5, "y": 5})
    page.keyboard.press("b")
    assert a.get_by_test_id("select-box").get_attribute("class") == "active"
    assert b.get_by_test_id("select-box").get_attribute("class") in ("", None)
    assert page.evaluate("window.keysHeard") == []
    # The theme is the widget's own.
    b.get_by_test_id("theme-toggle").click()
    themes = [w.locator("[data-testid=projector]").get_attribute("data-theme") for w in (a, b)]
    assert themes[0] != themes[1]


def test_a_box_selection_sets_the_trait_and_the_trait_sets_the_selection(page):
    a = page.locator("#a")
    a.get_by_test_id("select-box").click()
    box = a.get_by_test_id("scatter").bounding_box()
    page.mouse.move(box["x"] + 2, box["y"] + 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] - 2, steps=5)
    page.mouse.up()
    page.wait_for_function("window.models.a.get('selection').length === 24")
    assert a.get_by_test_id("selection-count").inner_text() == "24"
    assert model(page, "b", "selection") == []  # the other widget is untouched
    page.evaluate("window.models.b.set('selection', [3, 4, 5])")
    b = page.locator("#b")
    page.wait_for_function(
        "document.querySelector('#b').shadowRoot.querySelector('#selection-count').textContent === '3'"
    )
    assert b.get_by_test_id("selection-count").inner_text() == "3"
    page.evaluate("window.models.b.set('color_by', 'source')")
    b.get_by_test_id("legend-item").first.wait_for()
    assert sorted(
        b.get_by_test_id("legend-item").evaluate_all("l => l.map(e => e.dataset.label)")
    ) == [
        "fake",
        "real",
    ]


def test_a_refused_request_shows_in_the_status_line(page):
    a = page.locator("#a")
    a.get_by_test_id("projection-method").select_option("tsne")
    a.get_by_test_id("perplexity").fill("50")  # the form checks ranges, not the point count
    a.get_by_test_id("run-projection").click()
    status = a.get_by_test_id("status-message")
    page.wait_for_function(
        "document.querySelector('#a').shadowRoot.querySelector('#status').textContent.includes('perplexity')",
        timeout=30_000,
    )
    assert "perplexity" in status.inner_text() and "\n" not in status.inner_text()
    assert a.get_by_test_id("run-projection").is_enabled()
