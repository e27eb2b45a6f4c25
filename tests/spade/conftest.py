"""Tiny paired image/label folders and one tiny trained run for the SPADE tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def write_pairs(root: Path, n: int = 6, size: int = 36, seed: int = 0) -> Path:
    """``root/images`` and ``root/labels``: concentric classes 0..3 (a vessel) and noisy echoes."""
    rng = np.random.default_rng(seed)
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "labels").mkdir(parents=True, exist_ok=True)
    yy, xx = np.mgrid[:size, :size]
    for i in range(n):
        cy, cx = size / 2 + rng.uniform(-3, 3, size=2)
        r = np.hypot(yy - cy, xx - cx)
        label = np.zeros((size, size), np.uint8)
        label[r < size * 0.45] = 3
        label[r < size * 0.3] = 2
        label[r < size * (0.12 + 0.02 * (i % 3))] = 1
        image = np.clip(label * 55.0 + rng.normal(0, 12, (size, size)), 0, 255).astype(np.uint8)
        Image.fromarray(label).save(root / "labels" / f"frame{i:03d}.png")
        Image.fromarray(image).save(root / "images" / f"frame{i:03d}.png")
    return root


TINY = {
    "size": 32,
    "load_size": 36,
    "ngf": 8,
    "ndf": 8,
    "batch_size": 2,
    "epochs": 1,
    "log_every": 1,
    "sample_every": 2,
}


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """One intra-op thread: on a shared CPU, OpenMP threads that wait on each other cost 5x."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def pairs(tmp_path: Path) -> Path:
    return write_pairs(tmp_path / "data")


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(data folder, run folder) of a 3-step run with the tiny configuration."""
    import torch

    from synthscope.spade import SpadeConfig, training_loop

    root = tmp_path_factory.mktemp("spade")
    data = write_pairs(root / "data")
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # set up before the module-scoped thread fixture runs
    try:
        training_loop(data, root / "run", SpadeConfig(**TINY))
    finally:
        torch.set_num_threads(before)
    return data, root / "run"


@pytest.fixture
def tiny() -> dict:
    """The tiny training options (a fresh copy)."""
    return dict(TINY)
