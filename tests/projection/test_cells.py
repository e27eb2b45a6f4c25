"""The cells engine (3-D far field over cells of nearby points) against the exact sums and itself."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from synthscope.errors import InvalidParameterError
from synthscope.projection import tsne
from synthscope.projection._affinity import affinities
from synthscope.projection._cells import CellRepulsion
from synthscope.projection._engines import CellEngine, ExactEngine, resolve_engine
from tests.projection.conftest import exact_repulsion, make_clusters


def _layout(n: int, scale: float, seed: int = 0) -> np.ndarray:
    """Twelve blobs of different spread in a cube ``scale`` wide, (3, n) float32."""
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-scale / 2, scale / 2, size=(12, 3))
    spread = rng.uniform(0.02, 0.15, size=12) * scale
    member = rng.integers(0, 12, n)
    Y = centers[member] + rng.normal(size=(n, 3)) * spread[member, None]
    return np.ascontiguousarray(Y.T, dtype=np.float32)


def _cells(Y: np.ndarray, **kwargs) -> tuple[np.ndarray, float]:
    n = Y.shape[1]
    rep = np.empty((3, n))
    Z = CellRepulsion(n, **kwargs)(Y, rep, np.empty(n))
    return rep, Z


@pytest.mark.parametrize("scale, force_error", [(0.01, 1e-4), (3.0, 0.04), (30.0, 0.01)])
def test_repulsion_close_to_exact_at_every_scale(scale, force_error):
    # early in a run the layout is far smaller than the kernel's length (every cell is far and
    # the centroid is exact to first order), late it is tens of units wide (nearby cells exact,
    # distant ones through their centroid); in between, where cells are about one kernel
    # length wide, the error is Barnes-Hut's: a few percent (2.8 % measured at scale 3)
    Y = _layout(2500, scale)
    rep, Z = _cells(Y)
    exact, Z_exact = exact_repulsion(Y)
    assert pytest.approx(Z_exact, rel=5e-3) == Z
    assert np.linalg.norm(rep - exact) / np.linalg.norm(exact) < force_error


def test_smaller_theta_is_more_accurate():
    Y = _layout(2500, 10.0, seed=1)
    exact, _ = exact_repulsion(Y)
    errors = [
        np.linalg.norm(_cells(Y, theta=theta)[0] - exact) / np.linalg.norm(exact)
        for theta in (0.8, 0.4, 0.1)
    ]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-3
    # theta 0 leaves no far field: the exact sums, up to float32 rounding
    rep, _ = _cells(Y, theta=0.0)
    np.testing.assert_allclose(rep, exact, rtol=1e-3, atol=1e-6 * np.abs(exact).max())


def test_points_order_does_not_matter():
    Y = _layout(1500, 10.0, seed=2)
    order = np.random.default_rng(3).permutation(Y.shape[1])
    rep, Z = _cells(Y)
    rep_permuted, Z_permuted = _cells(np.ascontiguousarray(Y[:, order]))
    np.testing.assert_allclose(rep_permuted, rep[:, order], rtol=1e-4, atol=1e-9)
    assert Z_permuted == pytest.approx(Z, rel=1e-6)


def test_bitwise_deterministic_across_thread_counts():
    Y = _layout(3000, 10.0, seed=4)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _cells(Y)
        numba.set_num_threads(threads)
        many = _cells(Y)
    finally:
        numba.set_num_threads(threads)
    assert one[0].tobytes() == many[0].tobytes() and one[1] == many[1]


def test_engine_gradient_and_kl_close_to_exact(clusters):
    X, _ = clusters
    P = affinities(X, 10.0)
    Y = _layout(X.shape[0], 8.0, seed=5)
    ours, kl = CellEngine(P, 3).gradient(Y, 12.0, True)
    exact, kl_exact = ExactEngine(P, 3).gradient(Y, 12.0, True)
    assert np.linalg.norm(ours - exact) / np.linalg.norm(exact) < 1e-2
    assert kl == pytest.approx(kl_exact, rel=1e-3)


def test_tsne_with_cells_reaches_the_exact_kl():
    X, _ = make_clusters(n_per=500, k=6)
    common = {"dims": 3, "perplexity": 30.0, "iterations": 400, "seed": 0}
    ours = tsne(X, engine="cells", **common)
    exact = tsne(X, engine="exact", **common)
    assert ours.params["engine"] == "cells"
    assert ours.kl == pytest.approx(exact.kl, rel=0.02)


def test_cells_is_three_dimensional_only():
    with pytest.raises(InvalidParameterError, match="'cells' supports only dims=3"):
        resolve_engine("cells", 1000, 2)
