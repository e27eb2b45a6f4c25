"""Projections as a list you manage, PCA axes, and a link that reopens the same view."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from synthscope.workspace import Workspace
from tests.browser.conftest import open_page

pytestmark = pytest.mark.browser


def item(page, fragment: str):
    return page.get_by_test_id("projection-item").filter(has_text=fragment).first


def test_a_projection_is_renamed_and_deleted_from_the_list(rich_page, rich_server):
    page = rich_page
    tsne = item(page, "texture")
    pid = tsne.get_attribute("data-id")
    tsne.get_by_test_id("projection-rename").click()
    name = page.get_by_test_id("projection-name")
    name.fill("texture, first look")
    name.press("Enter")
    page.wait_for_function("/renamed/.test(window.synthscope.status.text)")
    renamed = item(page, "texture, first look")
    # The name leads; the parameters stay in the details (once the list is redrawn).
    expect(renamed).to_contain_text("t-SNE 2-D · texture · perplexity 12")
    assert renamed.get_by_test_id("projection-title").inner_text() == "texture, first look"
    assert (
        Workspace.open(rich_server.workspace).load_projection(pid)[1]["name"]
        == "texture, first look"
    )
    renamed.click()
    page.wait_for_function(f"window.synthscope.projection.id === '{pid}'")
    assert "texture, first look" in page.get_by_test_id("shown-projection").inner_text()
    # Escape abandons a rename.
    renamed.get_by_test_id("projection-rename").click()
    page.get_by_test_id("projection-name").fill("nope")
    page.get_by_test_id("projection-name").press("Escape")
    page.wait_for_function("!document.querySelector('[data-testid=projection-name]')")
    assert item(page, "texture, first look").count() == 1
    # Deleting asks first; the page then shows another projection.
    page.once("dialog", lambda dialog: dialog.dismiss())
    item(page, "texture, first look").get_by_test_id("projection-delete").click()
    assert Workspace.open(rich_server.workspace).load_projection(pid) is not None
    page.once("dialog", lambda dialog: dialog.accept())
    item(page, "texture, first look").get_by_test_id("projection-delete").click()
    page.wait_for_function(f"window.synthscope.projection.id !== '{pid}'")
    assert Workspace.open(rich_server.workspace).load_projection(pid) is None
    assert item(page, "texture").count() == 0


def test_pca_components_can_go_on_any_axis(rich_page):
    page = rich_page
    item(page, "PCA 3-D").click()
    page.wait_for_function("window.synthscope.projection.method === 'pca'")
    axes = page.get_by_test_id("pca-axes")
    axes.locator("summary").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=pca-x] option').length === 10")
    options = page.get_by_test_id("pca-x").locator("option").all_inner_texts()
    assert options[0].startswith("PC1 (") and options[0].endswith("%)")
    assert "describe" in page.get_by_test_id("pca-total").inner_text()
    before = np.array(page.evaluate("window.synthscope.screenPosition(7)"))
    page.get_by_test_id("pca-x").select_option("3")
    page.wait_for_function("JSON.stringify(window.synthscope.projection.axes) === '[3,1,2]'")
    assert not np.allclose(page.evaluate("window.synthscope.screenPosition(7)"), before)
    # The same component twice is refused, in words.
    page.get_by_test_id("pca-y").select_option("3")
    page.wait_for_function("window.synthscope.status.error")
    assert "different component" in page.get_by_test_id("status-message").inner_text()


def test_a_shared_link_reopens_the_same_view(rich_page, browser, rich_server):
    page = rich_page
    pid = item(page, "PCA 2-D").get_attribute("data-id")
    item(page, "PCA 2-D").click()
    page.wait_for_function(f"window.synthscope.projection.id === '{pid}'")
    page.get_by_test_id("color-by").select_option("source")
    page.wait_for_function("window.synthscope.colorBy === 'source'")
    # A filter, a box selection and a moved camera.
    card = page.get_by_test_id("column-filter").filter(has=page.locator("[data-value=fake]"))
    card.locator("[data-value=fake]").check()
    page.wait_for_function("window.synthscope.filteredCount === 30")
    box = page.get_by_test_id("scatter").bounding_box()
    page.get_by_test_id("select-box").click()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] - 5, steps=3)
    page.mouse.up()
    selected = page.evaluate("window.synthscope.selectedIds")
    assert 0 < len(selected) <= 30
    page.get_by_test_id("select-rotate").click()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    page.wait_for_function("window.synthscope.camera.zoom > 1.05")
    page.evaluate("window.synthscope.writeView()")
    url = page.url
    assert "#" in url and "p=" in url
    camera = page.evaluate("window.synthscope.camera")
    filters = page.evaluate("window.synthscope.filters")

    other = open_page(browser, url)
    try:
        other.wait_for_function(f"window.synthscope.selectedCount === {len(selected)}")
        assert other.evaluate("window.synthscope.projection.id") == pid
        assert other.evaluate("window.synthscope.colorBy") == "source"
        assert other.evaluate("window.synthscope.selectedIds") == selected
        assert other.evaluate("window.synthscope.filters") == filters
        assert other.evaluate("window.synthscope.filteredCount") == 30
        reopened = other.evaluate("window.synthscope.camera")
        assert reopened["mode"] == "2d"
        np.testing.assert_allclose(reopened["position"], camera["position"], atol=1e-3)
        assert abs(reopened["zoom"] - camera["zoom"]) < 1e-3
    finally:
        other.context.close()
