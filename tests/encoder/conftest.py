"""Tiny phantom frames, the tiny training options and one trained run for the encoder tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

#: A network and a run small enough for a test: 24 frames of 40x40 at size 32, 3 steps an epoch.
TINY = {
    "size": 32,
    "width": 4,
    "projector_dim": 16,
    "batch_size": 8,
    "epochs": 1,
    "warmup_steps": 2,
    "device": "cpu",
}


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """One intra-op thread: determinism, and no contention on a shared CPU."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def frames() -> np.ndarray:
    """24 phantom frames of 40x40 (three pullbacks), uint8."""
    from synthscope.phantom import simulate

    return simulate(24, size=40, seed=0, pullbacks=3, workers=1).images


@pytest.fixture
def tiny() -> dict:
    """The tiny training options (a fresh copy)."""
    return dict(TINY)


@pytest.fixture(scope="session")
def trained_run(frames: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-epoch run on ``frames`` with the tiny options (do not modify it)."""
    import torch

    from synthscope.encoder import EncoderConfig, training_loop

    run = tmp_path_factory.mktemp("encoder") / "run"
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        training_loop(list(frames), run, EncoderConfig(**TINY))
    finally:
        torch.set_num_threads(before)
    return run
