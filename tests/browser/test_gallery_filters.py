"""Column filters (brush, tick, cross-filter, with box), the gallery, keys and themes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from synthscope.workspace import Workspace

pytestmark = pytest.mark.browser


def brush(page, card, x0: float, x1: float) -> None:
    canvas = card.get_by_test_id("filter-histogram")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + x0 * box["width"], box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + x1 * box["width"] - 1, box["y"] + box["height"] / 2, steps=3)
    page.mouse.up()


def test_brushing_a_histogram_filters_and_cross_filters(rich_page, rich_server):
    page = rich_page
    score = page.locator("[data-testid=column-filter][data-column='realism_c2st:pixels64']")
    label = page.locator("[data-testid=column-filter][data-column=label]")
    assert score.count() == 1 and label.count() == 1  # the cards a page opens with
    values = Workspace.open(rich_server.workspace).column("realism_c2st:pixels64")
    lo, hi = np.nanmin(values), np.nanmax(values)
    brush(page, score, 0.5, 1.0)
    page.wait_for_function("window.synthscope.filteredCount > 0")
    text = score.get_by_test_id("filter-range").inner_text()
    a, b = (float(v) for v in text.split(" – "))
    assert a == pytest.approx(lo + 0.5 * (hi - lo), abs=0.03) and b == pytest.approx(hi, abs=0.03)
    expected = int(((values >= a - 1e-3) & (values <= b + 1e-3)).sum())
    assert abs(page.evaluate("window.synthscope.filteredCount") - expected) <= 1
    # Cross-filter: the label card counts only what passes the score filter (all generated).
    counts = label.locator(".value .count").all_inner_texts()
    fake = next(
        c
        for c, v in zip(
            counts, label.locator(".value span:nth-child(2)").all_inner_texts(), strict=True
        )
        if v == "fake"
    )
    assert fake == f"{page.evaluate('window.synthscope.filteredCount')} / 30"
    # Combined with a box: in "filter" mode a box over everything takes only what passes.
    view = page.get_by_test_id("scatter").bounding_box()
    page.keyboard.press("b")
    page.mouse.move(view["x"] + 2, view["y"] + 2)
    page.mouse.down()
    page.mouse.move(view["x"] + view["width"] - 2, view["y"] + view["height"] - 2, steps=3)
    page.mouse.up()
    filtered = page.evaluate("window.synthscope.filteredCount")
    assert 0 < page.evaluate("window.synthscope.selectedCount") <= filtered
    # In "select" mode, filters make the selection; ticking a value narrows it (AND).
    page.get_by_test_id("filter-mode").select_option("select")
    page.wait_for_function(f"window.synthscope.selectedCount === {filtered}")
    label.locator("[data-value=real]").check()
    page.wait_for_function("window.synthscope.selectedCount === 0")
    label.locator("[data-value=real]").uncheck()
    label.locator("[data-value=fake]").check()
    page.wait_for_function(f"window.synthscope.selectedCount === {filtered}")
    # A click on the histogram clears its filter; the remove button drops the card.
    brush(page, score, 0.2, 0.2)
    page.wait_for_function("window.synthscope.filteredCount === 30")
    score.get_by_test_id("filter-remove").click()
    assert page.locator("[data-column='realism_c2st:pixels64']").count() == 0
    page.get_by_test_id("filter-add").select_option("group")
    page.wait_for_function("document.querySelector(\"[data-column='group']\") !== null")


def test_the_gallery_shows_sorts_inspects_and_exports_the_selection(rich_page, rich_server):
    page = rich_page
    page.get_by_test_id("search-column").select_option("source")
    page.get_by_test_id("search-text").fill("fake")
    page.get_by_test_id("search-apply").click()
    page.wait_for_function("window.synthscope.selectedCount === 30")
    page.keyboard.press("g")
    gallery = page.get_by_test_id("gallery")
    gallery.wait_for()
    page.wait_for_function("window.synthscope.galleryIds.length === 30")
    assert page.evaluate("window.synthscope.galleryIds") == list(range(30, 60))
    assert page.get_by_test_id("gallery-count").inner_text() == "30"
    # Virtualised: fewer cells than images exist, and they show label and score.
    cells = page.get_by_test_id("gallery-cell")
    assert 0 < page.locator("[data-testid=gallery-cell]:not([hidden])").count() <= 30
    caption = cells.first.get_attribute("aria-label")
    assert "fake" in caption and "c2st" in caption
    page.get_by_test_id("gallery-sort").select_option("realism_c2st:texture")
    page.get_by_test_id("gallery-order").click()  # descending
    values = Workspace.open(rich_server.workspace).column("realism_c2st:texture")
    expected = sorted(range(30, 60), key=lambda i: (-values[i], i))
    page.wait_for_function(f"window.synthscope.galleryIds[0] === {expected[0]}")
    assert page.evaluate("window.synthscope.galleryIds") == expected
    first = int(cells.first.get_attribute("data-id"))
    cells.first.click()
    page.wait_for_function(f"window.synthscope.inspected === {first}")
    page.keyboard.press("Escape")  # closes the inspector...
    page.wait_for_function("window.synthscope.inspected === -1")
    # ...and "export these images" copies them into the workspace.
    page.get_by_test_id("gallery-export-name").fill("generated-picks")
    page.get_by_test_id("gallery-export").click()
    page.wait_for_function("/exported 30 images/.test(window.synthscope.status.text)")
    folder = rich_server.workspace / "exports" / "generated-picks"
    images = sorted(p.name for p in folder.glob("*.png"))
    assert len(images) == 30 and all(name.split("_")[1].startswith("fake") for name in images)
    rows = (folder / "metadata.tsv").read_text().splitlines()
    assert len(rows) == 31 and rows[0].startswith("file\tid\t")
    # The same name again is refused, in one line, and the page goes on.
    page.get_by_test_id("gallery-export").click()
    page.wait_for_function("window.synthscope.status.error")
    assert "exists already" in page.get_by_test_id("status-message").inner_text()
    page.keyboard.press("Escape")
    page.wait_for_function("!window.synthscope.galleryOpen")


def test_keys_undo_redo_tools_help_and_themes(rich_page, rich_server):
    page = rich_page
    page.keyboard.press("b")
    assert page.evaluate("window.synthscope.tool") == "box"
    page.keyboard.press("l")
    assert page.evaluate("window.synthscope.tool") == "lasso"
    page.keyboard.press("Escape")
    assert page.evaluate("window.synthscope.tool") == "rotate"
    page.keyboard.press("Shift+?")
    assert page.get_by_test_id("help").is_visible()
    assert "undo" in page.get_by_test_id("help").inner_text()
    page.keyboard.press("Escape")
    assert not page.get_by_test_id("help").is_visible()
    # Keys typed into a field stay there.
    page.get_by_test_id("search-text").fill("")
    page.get_by_test_id("search-text").press("b")
    assert page.evaluate("window.synthscope.tool") == "rotate"
    page.get_by_test_id("search-text").fill("real")
    page.get_by_test_id("search-apply").click()
    page.wait_for_function("window.synthscope.selectedCount === 30")
    page.get_by_test_id("relabel-value").fill("checked")
    page.get_by_test_id("relabel-apply").click()
    page.wait_for_function("window.synthscope.legend.some(e => e.label === 'checked')")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+z")
    page.wait_for_function("!window.synthscope.legend.some(e => e.label === 'checked')")
    page.keyboard.press("Control+Shift+z")
    page.wait_for_function("window.synthscope.legend.some(e => e.label === 'checked')")
    assert list(Workspace.open(rich_server.workspace).column("label")).count("checked") == 30
    page.keyboard.press("Control+z")
    page.wait_for_function("!window.synthscope.legend.some(e => e.label === 'checked')")

    def corner() -> np.ndarray:
        shot = Image.open(io.BytesIO(page.get_by_test_id("scatter").screenshot()))
        return np.asarray(shot)[-5, -5, :3].astype(int)

    assert corner().mean() < 60  # dark canvas
    page.get_by_test_id("theme-toggle").click()
    page.wait_for_function("window.synthscope.theme === 'light'")
    page.wait_for_timeout(100)
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert corner().mean() > 200  # light canvas
    page.reload()
    page.wait_for_function("window.synthscope && window.synthscope.ready")
    assert page.evaluate("window.synthscope.theme") == "light"  # remembered
    page.get_by_test_id("theme-toggle").click()
    page.wait_for_function("window.synthscope.theme === 'dark'")
