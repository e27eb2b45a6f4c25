"""Screenshot the projector's daily tools on a finished demo for the docs.

    python benchmarks/make_projector_figures.py DEMO_DIR

Serves ``DEMO_DIR/workspace`` in this process and drives Debian's Chromium headless with
Playwright, as ``make_demo_figure.py`` does (which makes the README's first picture), and writes:

* ``docs/images/projector.png``: the 3-D t-SNE of ``pixels64`` coloured by its realism score,
  the score's histogram brushed to the most realistic generated images, those images in the
  gallery (most realistic first), and one of them in the inspector with its label map, its
  nearest real image and its neighbours ringed in the plot.
* ``docs/images/projector_light.png``: the light theme on the discriminator feature's
  projection, with the realism panel on that feature and the side-by-side table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def brush(page, column: str, x0: float, x1: float) -> None:
    """Drag across the histogram of ``column`` from ``x0`` to ``x1`` (fractions of its width)."""
    canvas = page.locator(f"[data-testid=column-filter][data-column='{column}'] canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + x0 * box["width"], y)
    page.mouse.down()
    page.mouse.move(box["x"] + x1 * box["width"] - 1, y, steps=4)
    page.mouse.up()


def overview(page, out: Path, pixels: str) -> None:
    page.locator(f"[data-testid=projection-item][data-id='{pixels}']").click()
    page.wait_for_function(f"window.synthscope.projection.id === '{pixels}'")
    page.get_by_test_id("color-by").select_option("realism_c2st:pixels64")
    page.wait_for_function("window.synthscope.colorBy === 'realism_c2st:pixels64'")
    page.get_by_test_id("filter-mode").select_option("select")
    brush(page, "realism_c2st:pixels64", 0.35, 1.0)
    page.wait_for_function("window.synthscope.selectedCount > 0")
    page.get_by_test_id("gallery-open").click()
    page.get_by_test_id("gallery-sort").select_option("realism_c2st:pixels64")
    page.get_by_test_id("gallery-order").click()
    page.wait_for_function("window.synthscope.galleryIds.length > 0")
    page.get_by_test_id("gallery-cell").first.click()
    page.wait_for_function("window.synthscope.neighbors.length > 0")
    page.get_by_test_id("labelmap-legend").wait_for()
    page.evaluate("document.getElementById('sidebar').scrollTop = 560")
    time.sleep(1.5)  # thumbnails and the label map
    page.screenshot(path=str(out))


def light(page, out: Path, disc: str) -> None:
    page.get_by_test_id("theme-toggle").click()
    page.locator(f"[data-testid=projection-item][data-id='{disc}']").click()
    page.wait_for_function(f"window.synthscope.projection.id === '{disc}'")
    page.get_by_test_id("color-by").select_option("source")
    page.wait_for_function("window.synthscope.colorBy === 'source'")
    page.wait_for_function(
        "document.querySelector('[data-testid=realism-feature-name]')?.textContent.includes('spade')"
    )
    page.get_by_test_id("realism-panel").evaluate("e => e.scrollIntoView({block: 'start'})")
    time.sleep(1.5)
    page.screenshot(path=str(out))


def main() -> None:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer
    from synthscope.workspace import Workspace

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("demo", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    workspace = args.demo / "workspace"
    with Workspace.open(workspace) as ws:
        stored = ws.projections()
    pixels = next(p["id"] for p in stored if p["feature"] == "pixels64" and p["dims"] == 3)
    disc = next(p["id"] for p in stored if p["feature"].startswith("spade-disc"))
    args.out.mkdir(parents=True, exist_ok=True)
    with LiveServer(workspace) as live, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for name, shoot, pid in (
            ("projector.png", overview, pixels),
            ("projector_light.png", light, disc),
        ):
            page = browser.new_page(viewport={"width": 1500, "height": 940})
            page.goto(live.url)
            page.wait_for_function("window.synthscope && window.synthscope.ready", timeout=60_000)
            shoot(page, args.out / name, pid)
            page.close()
            print(f"wrote {args.out / name}")
        browser.close()


if __name__ == "__main__":
    main()
