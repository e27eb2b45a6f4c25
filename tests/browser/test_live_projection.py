"""Watch a live t-SNE in the page: iterates stream in, the counter counts, the result is stored."""

from __future__ import annotations

import pytest

from synthscope.workspace import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_live_tsne_streams_into_the_page_and_is_stored(page, server):
    page.get_by_test_id("projection-method").select_option("tsne")
    page.get_by_test_id("projection-dims").select_option("2")
    page.locator("#perplexity").fill("10")
    page.locator("#iterations").fill("300")
    page.get_by_test_id("run-projection").click()
    # The counter moves while it runs (iterates arrive over the WebSocket)...
    page.wait_for_function("window.synthscope.iteration > 0", timeout=120_000)
    page.wait_for_function("window.synthscope.jobState === 'done'", timeout=120_000)
    assert page.get_by_test_id("iteration").inner_text() == "300"
    assert page.evaluate("window.synthscope.camera.mode") == "2d"
    # ...and the finished layout is the one stored in the workspace.
    pid = page.evaluate("window.synthscope.projection.id")
    stored = Workspace.open(server.workspace).load_projection(pid)
    assert stored is not None and stored[0].shape == (60, 2)
    assert stored[1]["method"] == "tsne" and stored[1]["iterations"] == 300
    titles = page.get_by_test_id("projection-title").all_inner_texts()
    assert any(text.startswith("t-SNE 2-D · pixels64 · perplexity 10, 300 it.") for text in titles)


def test_pause_resume_and_stop_from_the_page(browser, workspace):
    import time

    import numpy as np

    from synthscope.projection import Projection
    from tests.browser.conftest import LiveServer

    def slow_run(vectors, request, callback, **_):
        rng = np.random.default_rng(0)
        it = 0
        while it < 100_000:
            it += 1
            if callback(it, rng.normal(size=(vectors.shape[0], request.dims)), None):
                break
            time.sleep(0.005)
        return Projection(np.zeros((vectors.shape[0], request.dims), np.float32), {}, None, 0, it)

    with LiveServer(workspace, compute=slow_run) as live:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(live.url)
        page.wait_for_function("window.synthscope && window.synthscope.ready")
        page.get_by_test_id("run-projection").click()
        page.wait_for_function("window.synthscope.iteration > 10")
        # A malformed message on the stream is answered with the one error shape...
        answer = page.evaluate(
            """() => new Promise((resolve) => {
                const id = window.synthscope.projection.id;
                const url = new URL(`api/projections/${id}/stream`, document.baseURI);
                url.protocol = 'ws:';
                const socket = new WebSocket(url);
                socket.onopen = () => socket.send('{not json');
                socket.onmessage = (e) => {
                  if (typeof e.data !== 'string') return;
                  const m = JSON.parse(e.data);
                  if (m.detail) { socket.close(); resolve(m); }
                };
            })"""
        )
        assert answer["error"] == "InvalidParameterError" and answer["parameter"] == "action"
        # ...and the page's own stream still obeys pause, resume and stop.
        page.get_by_test_id("pause-projection").click()
        page.wait_for_function("window.synthscope.jobState === 'paused'")
        held = page.evaluate("window.synthscope.iteration")
        page.wait_for_timeout(400)
        assert page.evaluate("window.synthscope.iteration") <= held + 1
        page.get_by_test_id("pause-projection").click()  # now reads "Resume"
        page.wait_for_function(f"window.synthscope.iteration > {held + 5}")
        page.get_by_test_id("stop-projection").click()
        page.wait_for_function("window.synthscope.jobState === 'stopped'")
        assert page.get_by_test_id("run-projection").is_enabled()
        page.close()
