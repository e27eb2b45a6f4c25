"""A live projector server over a small workspace, and Debian's Chromium driven by Playwright.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium``; when that is
missing (or the front end is not built) every browser test skips and says why.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from synthscope.server import Settings, create_app, package_static_dir
from synthscope.workspace import Workspace, ingest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # With --disable-gpu, WebGL runs on SwiftShader (software); newer Chromium wants consent.
    "--enable-unsafe-swiftshader",
]
N_EACH = 30


def pytest_collection_modifyitems(items):
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    elif not (package_static_dir() / "index.html").is_file():
        reason = "front end not built: run `make web`"
    if reason:
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


def make_workspace(root: Path) -> Path:
    """60 images (30 real, 30 generated) in two blobs, a 3-D and a 2-D stored projection."""
    rng = np.random.default_rng(7)
    for source in ("real", "fake"):
        folder = root / source
        folder.mkdir(parents=True)
        for i in range(N_EACH):
            base = 90 if source == "real" else 160
            pixels = np.clip(rng.normal(base, 40, size=(48, 48)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(folder / f"{source}{i:03d}.png")
    ingest(root / "ws", real=[root / "real"], fake=[root / "fake"], workers=1)
    ws = Workspace.open(root / "ws")
    n = ws.n_points
    thumbs = np.asarray(ws.thumbnails(), dtype=np.float32).reshape(n, -1) / 255
    ws.write_vectors("pixels64", thumbs)
    ws.set_column("realism_c2st", np.linspace(0.0, 1.0, n), kind="real")
    # 3-D: two blobs on the x axis, plus points 0 and 1 on the view axis at z = +-0.8, one
    # hiding the other from the default camera (which looks down -z at the origin).
    emb = np.zeros((n, 3), dtype=np.float32)
    emb[:, 0] = np.where(ws.column("source") == "real", -0.6, 0.6)
    emb += rng.normal(0, 0.12, size=(n, 3)).astype(np.float32)
    emb[0] = (0, 0, 0.8)
    emb[1] = (0, 0, -0.8)
    emb[2:, 2] = np.clip(emb[2:, 2], -0.5, 0.5)
    emb = np.vstack([emb[:2], emb[2:]])
    corners = np.array([[-1, -1, -1], [1, 1, 1]], dtype=np.float32)
    emb[-2:] = corners  # fix the bounding box so normalisation keeps the origin
    for dims, coords in ((3, emb), (2, emb[:, :2].copy())):
        request = {"method": "pca", "dims": dims, "feature": "pixels64", "seed": 0}
        pid = "p" + ws.projection_id(request)
        meta = {**request, "iterations": 0, "created": f"2026-01-0{dims}"}
        ws.save_projection(pid, coords, meta)
    ws.close()
    return root / "ws"


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("browser"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving the app in a thread of this process."""

    def __init__(self, workspace: Path, compute=None) -> None:
        import uvicorn

        self.port = free_port()
        self.workspace = workspace
        app = create_app(Settings(workspace=workspace, port=self.port), compute=compute)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def workspace(template: Path, tmp_path: Path) -> Path:
    import shutil

    shutil.copytree(template, tmp_path / "ws")
    return tmp_path / "ws"


@pytest.fixture
def server(workspace: Path):
    with LiveServer(workspace) as live:
        yield live


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    console: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: console.append(message.text))
    page.on("requestfailed", lambda request: console.append(f"failed {request.url}"))
    page.goto(server.url)
    try:
        page.wait_for_function("window.synthscope && window.synthscope.ready", timeout=20_000)
    except Exception as error:
        status = page.locator("#status").inner_text()
        raise AssertionError(
            f"page not ready: status={status!r} console={console[-10:]}"
        ) from error
    yield page
    context.close()
    assert not errors, errors
