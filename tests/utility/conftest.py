"""Tiny phantom sets for the utility tests: 32x32 frames, a few pullbacks, one torch thread."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from synthscope.phantom import LABELS, PhantomFrames, simulate
from synthscope.utility import UtilityData

NAMES = tuple(LABELS)


@pytest.fixture(autouse=True, scope="session")
def one_thread():
    """Two cores are shared: one thread each, and bit-for-bit repeatable CPU training."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def real_frames() -> PhantomFrames:
    return simulate(36, size=32, seed=0, pullbacks=6, workers=1)


@pytest.fixture(scope="session")
def generated_frames() -> PhantomFrames:
    """A perfect 'generator': phantom frames of other vessels, with their true label maps."""
    return simulate(36, size=32, seed=1, pullbacks=6, workers=1)


def make_data(
    real: PhantomFrames,
    generated: PhantomFrames,
    *,
    task: str = "segment",
    generated_labels: np.ndarray | None = None,
    test_pullbacks: tuple[str, ...] = ("pb000", "pb001", "pb002"),
) -> UtilityData:
    groups = np.array([r.pullback for r in real.records])
    test = np.isin(groups, test_pullbacks)
    if task == "segment":
        targets = real.labels
        gen_targets = generated.labels if generated_labels is None else generated_labels
        names = NAMES
    else:
        targets = np.array([r.calcium_present for r in real.records])
        gen_targets = np.array([r.calcium_present for r in generated.records])
        names = ("no calcium", "calcium")
    return UtilityData(
        task=task,
        class_names=names,
        train_images=real.images[~test],
        train_targets=targets[~test],
        test_images=real.images[test],
        test_targets=targets[test],
        test_groups=groups[test],
        generated_images=generated.images,
        generated_targets=gen_targets,
    )
