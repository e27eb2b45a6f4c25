"""The kernels against dense numpy references, finite differences and openTSNE."""

import numpy as np
import pytest
import scipy.sparse as sp

from synthscope.projection._affinity import affinities
from synthscope.projection._engines import ExactEngine, OpenTSNEEngine, exact_kl


def _dense_kl(Y: np.ndarray, P: np.ndarray) -> float:
    """KL(P||Q) for Y of shape (n, dims), all in float64."""
    D = ((Y[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    W = 1.0 / (1.0 + D)
    np.fill_diagonal(W, 0.0)
    Q = W / W.sum()
    mask = P > 0
    return float((P[mask] * np.log(P[mask] / Q[mask])).sum())


@pytest.fixture(scope="module")
def small_case(clusters):
    X, _ = clusters
    P = affinities(X[::6], 5.0)  # 40 points
    rng = np.random.default_rng(3)
    Y = rng.normal(size=(P.shape[0], 3))
    return P, Y


@pytest.mark.parametrize("dims", [2, 3])
def test_gradient_matches_finite_differences(small_case, dims):
    P, Y = small_case
    Y = Y[:, :dims].copy()
    Pd = P.toarray().astype(np.float64)
    grad, _ = ExactEngine(P, dims).gradient(np.ascontiguousarray(Y.T, np.float32), 1.0, False)
    eps = 1e-5
    numeric = np.zeros_like(Y)
    for i in range(Y.shape[0]):
        for a in range(dims):
            plus, minus = Y.copy(), Y.copy()
            plus[i, a] += eps
            minus[i, a] -= eps
            numeric[i, a] = (_dense_kl(plus, Pd) - _dense_kl(minus, Pd)) / (2 * eps)
    # the kernels omit the constant factor 4 of dKL/dy (openTSNE's convention)
    np.testing.assert_allclose(4 * grad.T, numeric, rtol=2e-3, atol=2e-5)


@pytest.mark.parametrize("dims", [2, 3])
def test_kl_matches_dense_reference(small_case, dims):
    P, Y = small_case
    Y = Y[:, :dims]
    kl = exact_kl(np.ascontiguousarray(Y.T, np.float32), P)
    assert kl == pytest.approx(
        _dense_kl(Y.astype(np.float32).astype(np.float64), P.toarray()), rel=1e-5
    )


@pytest.mark.parametrize("dims", [2, 3])
def test_exact_gradient_agrees_with_opentsne_exact_tree(small_case, dims):
    # openTSNE's Barnes-Hut with theta = 0 opens every cell, i.e. computes the exact sums
    P, Y = small_case
    Y32 = np.ascontiguousarray(Y[:, :dims].T, np.float32)
    ours, kl_ours = ExactEngine(P, dims).gradient(Y32, 12.0, True)
    reference = OpenTSNEEngine(P, dims, "bh")
    reference.params["bh_params"]["theta"] = 0.0
    theirs, kl_theirs = reference.gradient(Y32, 12.0, True)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-7)
    assert kl_ours == pytest.approx(kl_theirs, rel=1e-4)


def test_exact_kernel_is_bitwise_deterministic(clusters):
    X, _ = clusters
    P = affinities(X, 10.0)
    Y = np.random.default_rng(0).normal(size=(3, X.shape[0])).astype(np.float32)
    first, kl1 = ExactEngine(P, 3).gradient(Y, 1.0, True)
    second, kl2 = ExactEngine(P, 3).gradient(Y, 1.0, True)
    assert first.tobytes() == second.tobytes() and kl1 == kl2


def test_attraction_uses_every_sparse_entry():
    # a 4-point chain: only neighbours attract
    P = sp.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]]) / 6.0)
    Y = np.array([[0.0, 1.0, 2.0, 3.0], [0.0, 0.0, 0.0, 0.0]], np.float32)
    engine = ExactEngine(P.astype(np.float32), 2)
    engine.gradient(Y, 1.0, False)
    expected = np.array([-0.5, 0.0, 0.0, 0.5]) / 6.0  # p * w * (y_i - y_j), w = 1/2
    np.testing.assert_allclose(engine.att[0], expected, atol=1e-7)


@pytest.mark.parametrize("dims", [2, 3])
def test_torch_engine_matches_numba_engine(small_case, dims):
    # the CUDA path's arithmetic, run by torch on the CPU (tests never need a GPU)
    from synthscope.projection._engines import TorchEngine

    P, Y = small_case
    Y32 = np.ascontiguousarray(Y[:, :dims].T, np.float32)
    ours, kl_ours = ExactEngine(P, dims).gradient(Y32, 4.0, True)
    engine = TorchEngine(P, dims, device="cpu")
    engine.block = 7  # several row blocks, last one partial
    theirs, kl_theirs = engine.gradient(Y32, 4.0, True)
    np.testing.assert_allclose(theirs, ours, rtol=1e-4, atol=1e-7)
    assert kl_theirs == pytest.approx(kl_ours, rel=1e-5)


def test_exact_kernel_does_not_depend_on_thread_count(clusters):
    import numba

    X, _ = clusters
    P = affinities(X, 10.0)
    Y = np.random.default_rng(1).normal(size=(2, X.shape[0])).astype(np.float32)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        serial = ExactEngine(P, 2).gradient(Y, 1.0, True)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        parallel = ExactEngine(P, 2).gradient(Y, 1.0, True)
    finally:
        numba.set_num_threads(before)
    assert serial[0].tobytes() == parallel[0].tobytes() and serial[1] == parallel[1]
