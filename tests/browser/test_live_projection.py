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
    options = page.get_by_test_id("projection-select").locator("option").all_inner_texts()
    assert any("tsne 2-D" in text for text in options)
