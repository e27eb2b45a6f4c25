"""Screenshot the projector on a finished demo: ``python benchmarks/make_demo_figure.py DEMO_DIR``.

Serves ``DEMO_DIR/workspace`` in this process, drives Debian's Chromium headless with Playwright,
shows the 3-D t-SNE of ``pixels64`` coloured by source, and writes
``docs/images/demo_projector.png`` (the picture in the README).
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-unsafe-swiftshader",
]


def main() -> None:
    import uvicorn
    from playwright.sync_api import sync_playwright

    from synthscope.server import Settings, create_app
    from synthscope.workspace import Workspace

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("demo", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs/images/demo_projector.png"))
    parser.add_argument("--feature", default="pixels64")
    args = parser.parse_args()
    workspace = args.demo / "workspace"
    with Workspace.open(workspace) as ws:
        projection = next(
            p["id"] for p in ws.projections() if p["feature"] == args.feature and p["dims"] == 3
        )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(workspace=workspace, port=port)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_function("window.synthscope && window.synthscope.ready")
            page.locator(f"[data-testid=projection-item][data-id='{projection}']").click()
            page.wait_for_function(f"window.synthscope.projection.id === '{projection}'")
            page.get_by_test_id("color-by").select_option("source")
            page.wait_for_function("window.synthscope.colorBy === 'source'")
            time.sleep(1.5)  # let the realism panel and thumbnails arrive
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        server.should_exit = True
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
