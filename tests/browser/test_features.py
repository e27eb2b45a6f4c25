"""Feature-aware everywhere: labels, the feature picker, neighbours, realism per feature, scores."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def show(page, title_fragment: str) -> None:
    page.get_by_test_id("projection-item").filter(has_text=title_fragment).first.click()


def test_projections_name_their_feature_and_the_picker_follows(rich_page):
    page = rich_page
    items = page.get_by_test_id("projection-item")
    texts = items.all_inner_texts()
    # Every projection: method, dims, feature, parameters; time and KL where stored.
    assert any("PCA 3-D · pixels64" in t for t in texts)
    tsne = next(t for t in texts if "texture" in t)
    assert "t-SNE 2-D · texture · perplexity 12, 500 it." in tsne
    assert "KL 0.432" in tsne and "2026-02-03 10:20" in tsne
    # The page opens on pixels64 (the default feature), and says so above the plot.
    assert page.evaluate("window.synthscope.feature") == "pixels64"
    assert "pixels64" in page.get_by_test_id("shown-projection").inner_text()
    assert page.get_by_test_id("feature-select").input_value() == "pixels64"
    assert sorted(page.get_by_test_id("feature-select").locator("option").all_inner_texts()) == [
        "pixels64",
        "texture",
    ]
    show(page, "texture")
    page.wait_for_function("window.synthscope.feature === 'texture'")
    assert page.get_by_test_id("feature-select").input_value() == "texture"
    assert "texture" in page.get_by_test_id("shown-projection").inner_text()
    assert page.get_by_test_id("score-column").input_value() == "realism_c2st:texture"
    # The realism panel follows the shown feature and names it.
    page.wait_for_function(
        "document.querySelector('[data-testid=realism-feature-name]')?.textContent === 'in texture'"
    )
    assert "Not distinguishable in texture" in page.get_by_test_id("realism-verdict").inner_text()


def test_the_realism_panel_switches_features_and_colours_by_their_scores(rich_page):
    page = rich_page
    panel = page.get_by_test_id("realism-panel")
    page.wait_for_function(
        "document.querySelector('[data-testid=realism-feature-name]')?.textContent === 'in pixels64'"
    )
    assert panel.get_by_test_id("realism-feature").locator("option").all_inner_texts() == [
        "pixels64",
        "texture",
    ]
    assert "pixels64" in panel.get_by_test_id("realism-summary").inner_text()
    # Generated images ranked by pixels64's score: the highest is the last fake.
    assert (
        panel.get_by_test_id("realism-ranked")
        .locator("canvas")
        .first.get_attribute("title")
        .startswith("point 59")
    )
    panel.get_by_test_id("realism-feature").select_option("texture")
    page.wait_for_function(
        "document.querySelector('[data-testid=realism-feature-name]').textContent === 'in texture'"
    )
    assert (
        panel.get_by_test_id("realism-ranked")
        .locator("canvas")
        .first.get_attribute("title")
        .startswith("point 30")
    )
    panel.get_by_test_id("colour-c2st").click()
    page.wait_for_function("window.synthscope.colorBy === 'realism_c2st:texture'")
    assert page.locator("#legend .gradient").count() == 1
    # A 0/1 flag is few integers: coloured as categories, with a legend.
    panel.get_by_test_id("colour-likely-copy").click()
    page.wait_for_function("window.synthscope.colorBy === 'likely_copy:texture'")
    labels = [e["label"] for e in page.evaluate("window.synthscope.legend")]
    assert labels == ["0", "1", "(missing)"]
    # Select by a feature's score: the top 3 generated images by texture's c2st.
    page.get_by_test_id("score-column").select_option("realism_c2st:texture")
    page.get_by_test_id("score-n").fill("3")
    page.get_by_test_id("score-apply").click()
    page.wait_for_function("window.synthscope.selectedCount === 3")
    assert page.evaluate("window.synthscope.selectedIds") == [30, 31, 32]


def test_neighbours_use_the_shown_feature_k_and_show_label_and_source(rich_page):
    page = rich_page
    box = page.get_by_test_id("scatter").bounding_box()
    x, y = page.evaluate("window.synthscope.screenPosition(40)")
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_function("window.synthscope.inspected >= 0")
    point = page.evaluate("window.synthscope.inspected")
    assert page.get_by_test_id("knn-feature").input_value() == "pixels64"
    page.wait_for_function("window.synthscope.neighbors.length === 12")
    page.get_by_test_id("knn-k").fill("5")
    page.get_by_test_id("knn-k").dispatch_event("change")
    page.wait_for_function("window.synthscope.neighbors.length === 5")
    figures = page.get_by_test_id("neighbor")
    assert figures.count() == 5
    ids = [int(f.get_attribute("data-id")) for f in figures.all()]
    assert ids == page.evaluate("window.synthscope.neighbors") and point not in ids
    captions = figures.first.locator("figcaption").first.inner_text()
    assert captions in ("real · real", "fake · fake")
    # Another feature, chosen in the card, answers from that feature's vectors.
    with page.expect_request(lambda r: "feature=texture" in r.url and "/neighbors/" in r.url):
        page.get_by_test_id("knn-feature").select_option("texture")
    page.get_by_test_id("knn-k").fill("0")
    page.get_by_test_id("knn-k").dispatch_event("change")
    page.wait_for_function("window.synthscope.status.error")
    assert "k must be" in page.get_by_test_id("status-message").inner_text()


def test_a_generated_image_links_to_its_nearest_real_and_shows_its_label_map(rich_page):
    page = rich_page
    # Point 31 (fake001) has a label map and a nearest real image: open it from the gallery.
    page.get_by_test_id("search-column").select_option("path")
    page.get_by_test_id("search-text").fill("fake001")
    page.get_by_test_id("search-apply").click()
    page.wait_for_function("window.synthscope.selectedIds.join() === '31'")
    page.get_by_test_id("gallery-open").click()
    page.get_by_test_id("gallery-cell").first.click()
    page.wait_for_function("window.synthscope.inspected === 31")
    link = page.get_by_test_id("nearest-real-link")
    link.wait_for()
    assert "pixels64" in page.get_by_test_id("nearest-real").inner_text()
    target = int(link.get_attribute("data-id"))
    assert target == 1  # the stored nearest_real_id:pixels64 of the second fake
    legend = page.get_by_test_id("labelmap-legend")
    legend.wait_for()
    classes = [c.get_attribute("data-class") for c in legend.get_by_test_id("labelmap-class").all()]
    assert classes == ["0", "1", "2", "3"]
    # The class palette is not the scatter's: no class colour is a legend entry's colour.
    swatches = legend.locator(".swatch").all()
    class_colours = {s.evaluate("e => getComputedStyle(e).backgroundColor") for s in swatches}
    legend_colours = {
        e["color"].replace(",", ", ") for e in page.evaluate("window.synthscope.legend")
    }
    assert not class_colours & legend_colours
    link.click()
    page.wait_for_function(f"window.synthscope.inspected === {target}")
    assert page.evaluate("window.synthscope.selectedIds") == [target]
