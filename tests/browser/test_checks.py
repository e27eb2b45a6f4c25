"""Stable colours, errors that never wedge the page, and inputs checked on the page."""

from __future__ import annotations

import json

import pytest

from synthscope.workspace import Workspace

pytestmark = pytest.mark.browser

OKABE_ITO = ["rgb(230,159,0)", "rgb(86,180,233)", "rgb(0,158,115)"]


def legend_colours(page) -> dict[str, str]:
    return {e["label"]: e["color"] for e in page.evaluate("window.synthscope.legend")}


def select_search(page, column: str, text: str, count: int) -> None:
    page.get_by_test_id("search-column").select_option(column)
    page.get_by_test_id("search-text").fill(text)
    page.get_by_test_id("search-apply").click()
    page.wait_for_function(f"window.synthscope.selectedCount === {count}")


def test_colours_stay_when_a_relabel_flips_the_majority(rich_page, rich_server):
    page = rich_page
    before = legend_colours(page)
    # First seen together, values take palette slots in name order: never by count.
    assert before == {"fake": OKABE_ITO[0], "real": OKABE_ITO[1]}
    # 25 of the 30 generated frames relabelled real: real now outnumbers fake 55 to 5.
    page.get_by_test_id("score-column").select_option("realism_c2st")
    page.get_by_test_id("score-n").fill("25")
    page.get_by_test_id("score-apply").click()
    page.wait_for_function("window.synthscope.selectedCount === 25")
    page.get_by_test_id("relabel-value").fill("real")
    page.get_by_test_id("relabel-apply").click()
    page.wait_for_function(
        "window.synthscope.legend.some(e => e.label === 'real' && e.count === 55)"
    )
    assert legend_colours(page) == before
    # A new value takes the next slot; the old ones keep theirs.
    select_search(page, "path", "real00", 10)
    page.get_by_test_id("relabel-value").fill("unsure")
    page.get_by_test_id("relabel-apply").click()
    page.wait_for_function("window.synthscope.legend.some(e => e.label === 'unsure')")
    after = legend_colours(page)
    assert after == {**before, "unsure": OKABE_ITO[2]}
    # `source` shares label's palette: real is the same colour in both.
    page.get_by_test_id("color-by").select_option("source")
    page.wait_for_function("window.synthscope.colorBy === 'source'")
    assert legend_colours(page)["real"] == before["real"]
    palette = json.loads((rich_server.workspace / "palette.json").read_text())
    assert palette["source"] == {"fake": 0, "real": 1, "unsure": 2}
    # A fresh page in the same workspace sees the same colours.
    page.reload()
    page.wait_for_function("window.synthscope && window.synthscope.ready")
    page.get_by_test_id("color-by").select_option("label")
    page.wait_for_function("window.synthscope.colorBy === 'label'")
    assert legend_colours(page) == after
    Workspace.open(rich_server.workspace).undo()
    Workspace.open(rich_server.workspace).undo()


def test_a_refused_request_says_why_and_run_works_again(rich_page, rich_server):
    page = rich_page
    run = page.get_by_test_id("run-projection")
    status = page.get_by_test_id("status-message")
    page.get_by_test_id("projection-method").select_option("tsne")
    page.get_by_test_id("projection-dims").select_option("2")
    # Refused on the page, with the server's own limit, in one line.
    page.get_by_test_id("perplexity").fill("-5")
    run.click()
    page.wait_for_function("window.synthscope.status.error")
    assert status.inner_text() == "perplexity must be a number >= 1 (got -5)"
    assert "{" not in status.inner_text() and run.is_enabled()
    assert "invalid" in page.get_by_test_id("perplexity").get_attribute("class")
    # Refused by the job (perplexity must stay below n / 3): said, and Run is back.
    page.get_by_test_id("perplexity").fill("25")
    page.get_by_test_id("iterations").fill("50")
    # A job's end refreshes the dataset, whose feature list comes from the vector files: had it
    # landed after the rename below, `texture` would leave the picker and Run take `pixels64`.
    with page.expect_response(lambda r: r.url.split("?")[0].endswith("/api/dataset")) as refresh:
        run.click()
        page.wait_for_function("window.synthscope.jobState === 'error'", timeout=60_000)
    refresh.value.finished()
    page.evaluate("() => new Promise((done) => setTimeout(done, 50))")  # its handler has run
    assert "perplexity must be < n_points / 3" in status.inner_text()
    assert run.is_enabled()
    # Refused by the server (a feature whose vectors went away after the page loaded).
    (rich_server.workspace / "vectors" / "texture.npy").rename(
        rich_server.workspace / "texture.npy.away"
    )
    try:
        page.get_by_test_id("feature-select").select_option("texture")
        page.get_by_test_id("perplexity").fill("5")
        run.click()
        page.wait_for_function(
            "window.synthscope.status.error && /texture/.test(window.synthscope.status.text)"
        )
        assert "\n" not in status.inner_text() and run.is_enabled()
    finally:
        (rich_server.workspace / "texture.npy.away").rename(
            rich_server.workspace / "vectors" / "texture.npy"
        )
    # And a valid run now succeeds, without a reload.
    page.get_by_test_id("feature-select").select_option("pixels64")
    page.get_by_test_id("perplexity").fill("5")
    page.get_by_test_id("iterations").fill("60")
    run.click()
    page.wait_for_function("window.synthscope.jobState === 'done'", timeout=120_000)
    assert not page.evaluate("window.synthscope.status.error")
    assert page.evaluate("window.synthscope.projection.feature") == "pixels64"
    assert run.is_enabled()


def test_inputs_are_checked_before_anything_is_sent(rich_page, rich_server):
    page = rich_page
    status = page.get_by_test_id("status-message")
    select_search(page, "source", "real", 30)
    for bad in ("0", "-3", "2.5", ""):
        page.get_by_test_id("score-n").fill(bad)
        page.get_by_test_id("score-apply").click()
        page.wait_for_function("window.synthscope.status.error")
        assert status.inner_text().startswith("top N: N must be a whole number of at least 1")
        assert page.evaluate("window.synthscope.selectedCount") == 30  # selection untouched
        page.get_by_test_id("search-apply").click()  # a good action clears the error line
        page.wait_for_function("!window.synthscope.status.error")
    # Computed columns are shown, never offered for relabelling.
    editable = page.get_by_test_id("relabel-column").locator("option").all_inner_texts()
    assert "label" in editable and not any(":" in name for name in editable)
    assert "realism_c2st" in editable  # written by the test, not by a command: editable
    # An empty value asks first; declining changes nothing.
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.get_by_test_id("relabel-value").fill("")
    page.get_by_test_id("relabel-apply").click()
    page.wait_for_function("/cancelled/.test(window.synthscope.status.text)")
    assert messages and "Clear label for the 30 selected points" in messages[0]
    assert list(Workspace.open(rich_server.workspace).column("label")).count(None) == 0
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("relabel-apply").click()
    page.wait_for_function("window.synthscope.legend.some(e => e.label === '(missing)')")
    assert list(Workspace.open(rich_server.workspace).column("label")).count(None) == 30
    Workspace.open(rich_server.workspace).undo()


def test_a_link_with_a_backwards_range_is_refused_like_the_server_does(browser, rich_server):
    from tests.browser.conftest import open_page

    page = open_page(browser, rich_server.url + "#s=9-1")
    try:
        assert page.evaluate("window.synthscope.selectedCount") == 0
        text = page.get_by_test_id("status-message").inner_text()
        assert "runs backwards" in text and "1-9" in text
        answer = page.evaluate("fetch('api/selection.tsv?ids=9-1').then(r => r.status)")
        assert answer == 422
    finally:
        page.context.close()
