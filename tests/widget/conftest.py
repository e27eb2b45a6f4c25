"""A tiny workspace (12 real, 12 generated images, a stored 2-D PCA) for the widget's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import synthscope
from tests.helpers import write_images
from tests.widget._chromium import browser_skip_reason

N_EACH = 12


@pytest.fixture(scope="session")
def widget_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("widget")
    write_images(root / "real" / "pb1", N_EACH, seed=1)
    write_images(root / "fake" / "pb1", N_EACH, seed=2)
    with synthscope.create(root / "ws") as ws:
        ws.ingest(real=[root / "real"], fake=[root / "fake"], workers=1)
        ws.store.set_column("score", np.linspace(0, 1, ws.store.n_points), kind="real")
        ws.project(method="pca", dims=2, feature="pixels64")
    return root / "ws"


@pytest.fixture
def ws_path(widget_template: Path, tmp_path: Path) -> Path:
    shutil.copytree(widget_template, tmp_path / "ws")
    return tmp_path / "ws"


@pytest.fixture
def ws(ws_path: Path):
    with synthscope.open(ws_path) as workspace:
        yield workspace


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    browser_items = [i for i in items if "browser" in i.keywords and here in i.path.parents]
    reason = browser_skip_reason() if browser_items else None
    if reason:
        for item in browser_items:
            item.add_marker(pytest.mark.skip(reason=reason))
