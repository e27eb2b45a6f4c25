"""Hover, click to inspect (full image, metadata, neighbours), and the realism panel."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser


def point_on_screen(page, point: int) -> tuple[float, float]:
    box = page.get_by_test_id("scatter").bounding_box()
    x, y = page.evaluate(f"window.synthscope.screenPosition({point})")
    return box["x"] + x, box["y"] + y


def test_hover_shows_the_thumbnail_and_click_opens_the_inspector(page):
    x, y = point_on_screen(page, 5)
    page.mouse.move(x, y)
    page.wait_for_selector("#tooltip:not([hidden])")
    assert "point" in page.locator("#tooltip-text").inner_text()
    page.mouse.click(x, y)
    inspector = page.get_by_test_id("inspector")
    inspector.wait_for(state="visible")
    title = page.locator("#inspector-title").inner_text()
    point = int(title.split()[-1])
    assert page.evaluate("window.synthscope.selectedIds") == [point]
    page.wait_for_function(
        "document.querySelector('#inspector-image').naturalWidth === 48", timeout=10_000
    )
    page.wait_for_function("document.querySelectorAll('[data-testid=neighbors] figure').length > 0")
    assert page.get_by_test_id("neighbors").locator("figure").count() == 12
    assert "source" in page.locator("#inspector-meta").inner_text()


def test_realism_panel_shows_the_verdict_and_ranks_generated_images(page, server):
    report = {
        "verdict": "Distinguishable: the generated images can be told apart.",
        "evidence": ["1-NN accuracy 0.9"],
        "n_real": 30,
        "n_fake": 30,
        "one_nn": {"accuracy": 0.9, "p_value": 0.01},
        "per_fake_image": {"id": [30, 31, 32], "realism_c2st": [0.2, 0.9, 0.5]},
    }
    (server.workspace / "realism.json").write_text(json.dumps(report))
    page.reload()
    page.wait_for_function("window.synthscope && window.synthscope.ready")
    panel = page.get_by_test_id("realism-panel")
    assert "Distinguishable" in panel.get_by_test_id("realism-verdict").inner_text()
    ranked = panel.get_by_test_id("realism-ranked").locator("canvas")
    assert ranked.count() == 3
    assert ranked.first.get_attribute("title").startswith("point 31")
    ranked.first.click()
    page.wait_for_function("window.synthscope.selectedIds.join() === '31'")


def test_select_top_by_score_among_generated_images(page):
    page.get_by_test_id("score-column").select_option("realism_c2st")
    page.get_by_test_id("score-n").fill("5")
    page.get_by_test_id("score-source").select_option("fake")
    page.get_by_test_id("score-apply").click()
    page.wait_for_function("window.synthscope.selectedCount === 5")
    # realism_c2st rises with the point id and the generated images are ingested last.
    assert page.evaluate("window.synthscope.selectedIds") == [55, 56, 57, 58, 59]


def test_points_can_be_drawn_as_their_thumbnails(page):
    def grey_pixels() -> int:
        import io

        import numpy as np
        from PIL import Image

        shot = np.asarray(Image.open(io.BytesIO(page.get_by_test_id("scatter").screenshot())))
        rgb = shot[..., :3].astype(int)
        grey = (np.ptp(rgb, axis=-1) < 6) & (rgb.mean(axis=-1) > 60)
        return int(grey.sum())

    before = grey_pixels()
    page.get_by_test_id("show-thumbnails").check()
    page.wait_for_function("window.synthscope.thumbnails === true")
    page.wait_for_timeout(300)
    assert grey_pixels() > before + 2000  # the image pixels (grey) now fill the points
