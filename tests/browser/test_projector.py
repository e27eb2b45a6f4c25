"""End to end in headless Chromium: load, colour, select in 3-D, relabel, undo, download."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from synthscope.workspace import Workspace, import_tf_projector

pytestmark = pytest.mark.browser

BACKGROUND = np.array([0x15, 0x17, 0x1C])


def screen_positions(page) -> np.ndarray:
    return np.array(
        page.evaluate(
            "Array.from({length: window.synthscope.pointCount}, (_, i) =>"
            " window.synthscope.screenPosition(i))"
        )
    )


def scatter_origin(page) -> tuple[float, float]:
    box = page.get_by_test_id("scatter").bounding_box()
    return box["x"], box["y"]


def drag(page, points: list[tuple[float, float]], modifier: str | None = None) -> None:
    """Press at the first point, move through the others, release at the last (scatter px)."""
    ox, oy = scatter_origin(page)
    if modifier:
        page.keyboard.down(modifier)
    page.mouse.move(ox + points[0][0], oy + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(ox + x, oy + y, steps=2)
    page.mouse.up()
    if modifier:
        page.keyboard.up(modifier)


def test_page_loads_every_point_and_draws_them(page):
    assert page.get_by_test_id("point-count").inner_text() == "60"
    assert page.evaluate("window.synthscope.pointCount") == 60
    assert page.evaluate("window.synthscope.camera.mode") == "3d"
    shot = np.asarray(Image.open(io.BytesIO(page.get_by_test_id("scatter").screenshot())))
    drawn = np.abs(shot[..., :3].astype(int) - BACKGROUND).sum(axis=-1) > 60
    assert drawn.sum() > 100  # dots were drawn (WebGL works), not an empty canvas
    legend = page.evaluate("window.synthscope.legend")
    assert sorted((e["label"], e["count"]) for e in legend) == [("fake", 30), ("real", 30)]


def test_colour_by_a_number_shows_a_gradient_and_by_text_a_legend(page):
    page.get_by_test_id("color-by").select_option("realism_c2st")
    page.wait_for_function("window.synthscope.colorBy === 'realism_c2st'")
    assert page.locator("#legend .gradient").count() == 1
    page.get_by_test_id("color-by").select_option("source")
    page.wait_for_function("window.synthscope.colorBy === 'source'")
    items = page.get_by_test_id("legend-item").all_inner_texts()
    assert len(items) == 2 and all("30" in item for item in items)


def test_box_selection_in_3d_takes_points_hidden_behind_others(page):
    screen = screen_positions(page)
    # Points 0 and 1 lie on the camera's axis, one behind the other: the same screen spot.
    assert np.allclose(screen[0], screen[1], atol=0.5)
    page.get_by_test_id("select-box").click()
    x, y = screen[0]
    drag(page, [(x - 6, y - 6), (x + 6, y + 6)])
    selected = page.evaluate("window.synthscope.selectedIds")
    inside = np.flatnonzero((np.abs(screen - screen[0]) <= 6).all(axis=1)).tolist()
    assert {0, 1} <= set(selected) and selected == inside
    assert page.get_by_test_id("selection-count").inner_text() == str(len(inside))


def test_box_with_shift_adds_and_with_alt_removes(page):
    screen = screen_positions(page)
    width = page.get_by_test_id("scatter").bounding_box()["width"]
    height = page.get_by_test_id("scatter").bounding_box()["height"]
    page.get_by_test_id("select-box").click()
    drag(page, [(1, 1), (width / 2, height - 1)])
    left = set(
        np.flatnonzero(
            (screen >= 1).all(axis=1) & (screen[:, 0] <= width / 2) & (screen[:, 1] <= height - 1)
        ).tolist()
    )
    assert set(page.evaluate("window.synthscope.selectedIds")) == left
    drag(page, [(width / 2, 1), (width - 1, height - 1)], modifier="Shift")
    on_screen = (
        (screen >= 1).all(axis=1) & (screen[:, 0] <= width - 1) & (screen[:, 1] <= height - 1)
    )
    both = set(np.flatnonzero(on_screen).tolist())
    assert set(page.evaluate("window.synthscope.selectedIds")) == both
    drag(page, [(1, 1), (width / 2, height - 1)], modifier="Alt")
    assert set(page.evaluate("window.synthscope.selectedIds")) == both - left


def inside_polygon(point, poly) -> bool:
    """Even-odd rule, written here independently of the page's rasteriser."""
    x, y = point
    inside = False
    for (xa, ya), (xb, yb) in zip(poly, poly[-1:] + poly[:-1], strict=True):
        if (ya > y) != (yb > y) and x < (xb - xa) * (y - ya) / (yb - ya) + xa:
            inside = not inside
    return inside


def distance_to_outline(point, poly) -> float:
    p = np.asarray(point, dtype=float)
    best = np.inf
    for a, b in zip(poly, poly[1:] + poly[:1], strict=True):
        a, b = np.asarray(a), np.asarray(b)
        t = np.clip(np.dot(p - a, b - a) / np.dot(b - a, b - a), 0, 1)
        best = min(best, float(np.linalg.norm(p - (a + t * (b - a)))))
    return best


def test_lasso_selects_the_points_inside_the_drawn_shape(page):
    screen = screen_positions(page)
    centre = screen[np.isfinite(screen).all(axis=1)].mean(axis=0)
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    poly = [(centre[0] + 260 * np.cos(a), centre[1] + 140 * np.sin(a)) for a in angles]
    page.get_by_test_id("select-lasso").click()
    drag(page, [*poly, poly[0]])
    selected = set(page.evaluate("window.synthscope.selectedIds"))
    inside = np.array([inside_polygon(p, poly) for p in screen])
    # Points within a pixel or two of the outline may fall either way (rasterised edge).
    edge = np.array([distance_to_outline(p, poly) < 2 for p in screen])
    assert {i for i in np.flatnonzero(inside & ~edge)} <= selected
    assert selected <= set(np.flatnonzero(inside | edge).tolist())
    assert 0 < len(selected) < 60


def test_relabel_is_saved_shown_and_undone(page, server):
    page.get_by_test_id("color-by").select_option("label")
    page.get_by_test_id("search-column").select_option("source")
    page.get_by_test_id("search-text").fill("fake")
    page.get_by_test_id("search-apply").click()
    page.wait_for_function("window.synthscope.selectedCount === 30")
    ids = page.evaluate("window.synthscope.selectedIds")
    page.get_by_test_id("relabel-column").select_option("label")
    page.get_by_test_id("relabel-value").fill("real")
    page.get_by_test_id("relabel-apply").click()
    page.wait_for_function(
        "window.synthscope.legend.some(e => e.label === 'real' && e.count === 60)"
    )
    labels = Workspace.open(server.workspace).column("label")
    assert all(labels[i] == "real" for i in ids)
    page.get_by_test_id("undo").click()
    page.wait_for_function("window.synthscope.legend.some(e => e.label === 'fake')")
    assert list(Workspace.open(server.workspace).column("label")) == list(
        Workspace.open(server.workspace).column("source")
    )
    # The history list refreshes after the colours: wait for it rather than race it.
    page.wait_for_function("document.querySelectorAll('[data-testid=history] li').length === 2")
    page.get_by_test_id("redo").click()
    page.wait_for_function(
        "window.synthscope.legend.some(e => e.label === 'real' && e.count === 60)"
    )
    labels = Workspace.open(server.workspace).column("label")
    assert all(labels[i] == "real" for i in ids)


def test_metadata_download_imports_back(page, server, tmp_path):
    with page.expect_download() as info:
        page.get_by_test_id("download-metadata").click()
    target = tmp_path / "metadata.tsv"
    info.value.save_as(target)
    ws = Workspace.open(server.workspace)
    tensors = tmp_path / "tensors.tsv"
    np.savetxt(tensors, np.asarray(ws.vectors("pixels64")), delimiter="\t", fmt="%.6g")
    back = import_tf_projector(tensors, target, tmp_path / "back")
    assert back.n_points == 60
    assert list(back.column("label")) == list(ws.column("label"))


def test_selection_download_lists_the_selected_points(page, tmp_path):
    page.get_by_test_id("search-column").select_option("source")
    page.get_by_test_id("search-text").fill("/^re/")
    page.get_by_test_id("search-apply").click()
    page.wait_for_function("window.synthscope.selectedCount === 30")
    with page.expect_download() as info:
        page.get_by_test_id("download-selection").click()
    info.value.save_as(tmp_path / "selection.tsv")
    rows = (tmp_path / "selection.tsv").read_text().splitlines()
    assert rows[0].startswith("id\tpath\tsource\tlabel")
    assert len(rows) == 31 and all("\treal\t" in row for row in rows[1:])


def test_coordinates_download_is_the_shown_projection(page, tmp_path):
    pid = page.evaluate("window.synthscope.projection.id")
    with page.expect_download() as info:
        page.get_by_test_id("download-coordinates").click()
    info.value.save_as(tmp_path / "coordinates.csv")
    lines = (tmp_path / "coordinates.csv").read_text().split()
    assert lines[0] == "id,x,y,z" and len(lines) == 61
    assert pid in info.value.suggested_filename


def test_a_2d_projection_switches_to_the_flat_camera(page):
    page.get_by_test_id("projection-item").filter(has_text="2-D").first.click()
    page.wait_for_function("window.synthscope.camera.mode === '2d'")
    assert page.evaluate("window.synthscope.projection.dims") == 2


def test_isolate_hides_the_rest_from_view_and_from_selection(page):
    page.get_by_test_id("search-column").select_option("source")
    page.get_by_test_id("search-text").fill("real")
    page.get_by_test_id("search-apply").click()
    page.wait_for_function("window.synthscope.selectedCount === 30")
    page.get_by_test_id("isolate").click()
    box = page.get_by_test_id("scatter").bounding_box()
    page.get_by_test_id("select-box").click()
    drag(page, [(1, 1), (box["width"] - 1, box["height"] - 1)])
    # A box over everything takes only what is still shown.
    assert page.evaluate("window.synthscope.selectedCount") <= 30
    page.get_by_test_id("clear-selection").click()
    assert page.get_by_test_id("selection-count").inner_text() == "0"
