"""A tiny real workspace (12 images) and a test client of the projector app over it."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from synthscope.projection import Projection
from synthscope.server import Settings, create_app
from synthscope.workspace import Workspace, ingest

N_EACH = 6


def make_images(folder: Path, prefix: str, n: int, seed: int) -> None:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for i in range(n):
        pixels = (rng.random((40, 48)) * 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"{prefix}{i}.png")


@pytest.fixture(scope="session")
def template_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template")
    make_images(root / "real", "real", N_EACH, 1)
    make_images(root / "fake", "fake", N_EACH, 2)
    ingest(root / "ws", real=[root / "real"], fake=[root / "fake"], workers=1)
    ws = Workspace.open(root / "ws")
    rng = np.random.default_rng(0)
    ws.write_vectors("pixels64", rng.normal(size=(ws.n_points, 16)).astype(np.float32))
    ws.set_column("score", np.linspace(0, 1, ws.n_points), kind="real")
    for dims in (2, 3):
        request = {"method": "pca", "dims": dims, "feature": "pixels64", "seed": 0}
        emb = rng.normal(size=(ws.n_points, dims)).astype(np.float32)
        ws.save_projection(ws.projection_id(request), emb, {**request, "iterations": 0})
    ws.close()
    return root


@pytest.fixture
def ws_path(template_ws: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template workspace (images stay where they were ingested from)."""
    shutil.copytree(template_ws / "ws", tmp_path / "ws")
    return tmp_path / "ws"


def fake_run(vectors, request, callback, **_):
    """A stand-in projection: 20 iterates moving towards fixed coordinates."""
    n, dims = vectors.shape[0], request.dims
    target = np.random.default_rng(request.seed).normal(size=(n, dims)).astype(np.float32)
    done = 0
    for it in range(1, 21):
        done = it
        if callback(it, target * it / 20, None):
            break
    return Projection(embedding=target * done / 20, params=request.canonical(), iterations=done)


@pytest.fixture
def client(ws_path: Path):
    app = create_app(Settings(workspace=ws_path), compute=fake_run)
    with TestClient(app, base_url="http://127.0.0.1:8765") as test_client:
        yield test_client
