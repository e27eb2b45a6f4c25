"""A live projector server over a small workspace, and Debian's Chromium driven by Playwright.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium``; when that is
missing (or the front end is not built) every browser test skips and says why.
"""

from __future__ import annotations

import json
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


def enrich_workspace(path: Path) -> Path:
    """Two features as ``score --features pixels64 --features texture`` leaves them.

    Adds a ``texture`` feature with a stored 2-D t-SNE (summary, time, KL), per-feature computed
    score columns (``realism_c2st:F``, ``nearest_real_id:F``, ``likely_copy:F``), both realism
    reports and their side-by-side summary, and label maps for points 31 and 35.
    """
    ws = Workspace.open(path)
    n = ws.n_points
    rng = np.random.default_rng(3)
    source = ws.column("source")
    fake = np.flatnonzero(source == "fake")
    real = np.flatnonzero(source == "real")
    ws.write_vectors("texture", rng.normal(size=(n, 8)).astype(np.float32))
    for feature, flip in (("pixels64", False), ("texture", True)):
        c2st = np.full(n, np.nan)
        c2st[fake] = np.linspace(0.9, 0.1, fake.size) if flip else np.linspace(0.1, 0.9, fake.size)
        nearest = np.full(n, np.nan)
        nearest[fake] = real[np.arange(fake.size) % real.size]
        copy = np.where(source == "fake", (np.arange(n) % 7 == 0).astype(float), np.nan)
        ws.set_columns(
            {
                f"realism_c2st:{feature}": c2st,
                f"nearest_real_id:{feature}": nearest,
                f"nearest_real_ratio:{feature}": np.where(np.isnan(nearest), np.nan, 0.8),
                f"likely_copy:{feature}": copy,
            },
            computed=True,
        )
        verdict = "Distinguishable" if not flip else "Not distinguishable"
        report = {
            "feature": feature,
            "verdict": f"{verdict} in {feature}.",
            "evidence": [f"1-NN accuracy in {feature}"],
            "n_real": int(real.size),
            "n_fake": int(fake.size),
            "one_nn": {"accuracy": 0.9 if not flip else 0.5, "p_value": 0.01},
            "per_fake_image": {"id": fake.tolist(), "realism_c2st": c2st[fake].tolist()},
        }
        (path / "realism").mkdir(exist_ok=True)
        (path / "realism" / f"{feature}.json").write_text(json.dumps(report))
    summary = {
        "headline": "The feature spaces disagree: only pixels64 tell them apart.",
        "agreement": "pixels64: distinguishable; texture: not distinguishable",
        "columns": ["feature", "dims", "1-NN acc."],
        "table": [["pixels64", "2304", "0.900"], ["texture", "8", "0.500"]],
        "features": ["pixels64", "texture"],
    }
    (path / "realism" / "summary.json").write_text(json.dumps(summary))
    labels = np.zeros((48, 48), dtype=np.uint8)
    labels[8:40, 8:40] = 3
    labels[14:34, 14:34] = 2
    labels[20:28, 20:28] = 1
    Image.fromarray(labels).save(path / "labels31.png")
    maps = [None] * n
    maps[31] = maps[35] = str(path / "labels31.png")
    ws.set_columns({"label_map": maps}, kind="text")
    request = {"method": "tsne", "dims": 2, "feature": "texture", "seed": 0, "perplexity": 12.0}
    pid = ws.projection_id(request)
    meta = {
        **request,
        "iterations": 500,
        "kl": 0.4321,
        "summary": "t-SNE 2-D · texture · perplexity 12, 500 it.",
        "created": "2026-02-03T10:20:30+0000",
        "stopped": False,
    }
    ws.save_projection(pid, rng.normal(size=(n, 2)).astype(np.float32), meta)
    ws.close()
    return path


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="session")
def rich_template(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template workspace with two scored features (see :func:`enrich_workspace`)."""
    import shutil

    target = tmp_path_factory.mktemp("rich") / "ws"
    shutil.copytree(template, target)
    return enrich_workspace(target)


@pytest.fixture(scope="module")
def rich_server(rich_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """One server per test module over its own copy of the rich workspace."""
    import shutil

    target = tmp_path_factory.mktemp("module") / "ws"
    shutil.copytree(rich_template, target)
    with LiveServer(target) as live:
        yield live


def open_page(browser, url: str, errors: list[str] | None = None):
    """A new page on ``url``, ready (its own context, so no state leaks between tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    if errors is not None:
        page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_function("window.synthscope && window.synthscope.ready", timeout=20_000)
    return page


@pytest.fixture
def rich_page(browser, rich_server):
    """A fresh page on the module's rich server; fails the test on any uncaught page error."""
    errors: list[str] = []
    page = open_page(browser, rich_server.url, errors)
    yield page
    page.context.close()
    assert not errors, errors


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
