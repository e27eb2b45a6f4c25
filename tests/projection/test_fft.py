"""The FFT-interpolation engine against the exact sums, openTSNE's implementation and itself."""

import numpy as np
import pytest

from synthscope.projection._affinity import affinities
from synthscope.projection._engines import ExactEngine, FFTEngine, OpenTSNEEngine
from synthscope.projection._fft import FFTRepulsion, box_count
from tests.projection.conftest import exact_repulsion


def _layout(n: int, seed: int = 0) -> np.ndarray:
    """Three blobs of different spread, (2, n) float32: boxes are not all full or all empty."""
    rng = np.random.default_rng(seed)
    Y = rng.normal(size=(2, n)) * np.repeat([[1.0, 4.0, 9.0]], n // 3 + 1, axis=1)[:, :n]
    Y[:, : n // 3] += 25.0
    return Y.astype(np.float32)


@pytest.mark.parametrize("n", [600, 1500])
def test_repulsion_within_stated_error_of_exact(n):
    # 3 nodes per box of width <= 1: ~1e-3 relative error in Z and a few percent in the forces
    Y = _layout(n)
    f = np.empty((2, n))
    Z = FFTRepulsion(n)(Y[0], Y[1], f[0], f[1], np.empty(n))
    exact, Z_exact = exact_repulsion(Y)
    assert pytest.approx(Z_exact, rel=5e-3) == Z
    assert np.linalg.norm(f - exact) / np.linalg.norm(exact) < 0.05


def test_repulsion_equals_opentsne_fft():
    # the same approximation (nodes, boxes, kernel) as openTSNE's kl_divergence_fft
    from openTSNE import _tsne

    Y = _layout(1200, seed=2)
    f = np.empty((2, Y.shape[1]))
    repulsion = FFTRepulsion(Y.shape[1])
    Z = repulsion(Y[0], Y[1], f[0], f[1], np.empty(Y.shape[1]))
    embedding = np.ascontiguousarray(Y.T, np.float64)
    grad = np.zeros_like(embedding)
    Z_theirs = _tsne.estimate_negative_gradient_fft_2d(embedding, grad, 3, 50, 1.0, 1.0)
    # this layout is ~57 units wide: both round up to 60 boxes (openTSNE from its list of FFTW
    # sizes, we to the next pocketfft-friendly size), so the two must agree to rounding
    assert repulsion.boxes == 60
    assert pytest.approx(Z_theirs, rel=1e-9) == Z
    np.testing.assert_allclose(f / Z, -grad.T, rtol=1e-6, atol=1e-12)


def test_engine_gradient_close_to_exact_and_to_opentsne(clusters):
    X, _ = clusters
    P = affinities(X, 10.0)
    Y = _layout(X.shape[0], seed=3)
    ours, kl = FFTEngine(P, 2).gradient(Y, 12.0, True)
    exact, kl_exact = ExactEngine(P, 2).gradient(Y, 12.0, True)
    assert np.linalg.norm(ours - exact) / np.linalg.norm(exact) < 0.02
    assert kl == pytest.approx(kl_exact, rel=1e-3)
    theirs, kl_theirs = OpenTSNEEngine(P, 2, "fft").gradient(Y, 12.0, True)
    assert np.linalg.norm(ours - theirs) / np.linalg.norm(theirs) < 1e-3
    assert kl == pytest.approx(kl_theirs, rel=1e-3)


def test_fft_engine_is_bitwise_deterministic(clusters):
    X, _ = clusters
    P = affinities(X, 10.0)
    Y = _layout(X.shape[0], seed=4)
    first, kl1 = FFTEngine(P, 2).gradient(Y, 1.0, True)
    second, kl2 = FFTEngine(P, 2).gradient(Y, 1.0, True)
    assert first.tobytes() == second.tobytes() and kl1 == kl2


def test_box_count_follows_opentsne_rule_and_fast_sizes():
    import scipy.fft

    assert box_count(10.0) >= 50  # at least 50 boxes
    assert box_count(120.5) >= 121  # boxes at most 1 unit wide
    assert box_count(1e6) <= 1000 + 50  # capped (then rounded to a fast size)
    for extent in (10.0, 77.0, 333.0):
        size = 6 * box_count(extent)
        assert scipy.fft.next_fast_len(size, real=True) == size
