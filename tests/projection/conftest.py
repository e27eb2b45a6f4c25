"""Small fixtures for the projection tests: well-separated Gaussian clusters."""

from __future__ import annotations

import numpy as np
import pytest


def make_clusters(
    n_per: int = 60, k: int = 4, d: int = 20, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(k, d)) * 6.0
    X = np.vstack([c + rng.normal(size=(n_per, d)) for c in centers]).astype(np.float32)
    labels = np.repeat(np.arange(k), n_per)
    return X, labels


def exact_repulsion(Y: np.ndarray) -> tuple[np.ndarray, float]:
    """The repulsive sums and ``Z`` over all pairs in float64, by brute force (2-D or 3-D)."""
    Y = Y.astype(np.float64)
    D = Y[:, :, None] - Y[:, None, :]
    W = 1.0 / (1.0 + (D**2).sum(0))
    np.fill_diagonal(W, 0.0)
    return (W**2 * D).sum(-1), float(W.sum())


@pytest.fixture(scope="session")
def clusters() -> tuple[np.ndarray, np.ndarray]:
    return make_clusters()
