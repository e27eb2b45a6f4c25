"""The one neighbour search against brute force: exact blocks, k-means cells, determinism, the
single query of the projector's click."""

import numpy as np
import pytest

from synthscope import _knn, _neighbors
from synthscope._neighbors import knn_graph


def _brute(X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    X = X.astype(np.float64)
    D = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    order = np.lexsort((np.broadcast_to(np.arange(len(X)), D.shape), D), axis=1)[:, :k]
    return order, np.sqrt(np.take_along_axis(D, order, axis=1))


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(5)
    centers = rng.normal(size=(6, 12)) * 5
    X = centers[rng.integers(0, 6, 1500)] + rng.normal(size=(1500, 12))
    return (X + 40.0).astype(np.float32)  # off-centre: the search must not rely on a centred input


def test_exact_knn_matches_brute_force_across_blocks(blobs, monkeypatch):
    monkeypatch.setattr(_knn, "QUERY_BLOCK", 256)
    monkeypatch.setattr(_knn, "REFERENCE_BLOCK", 700)  # partial last block
    indices, distances = _knn.exact_knn(blobs, 12)
    ref_i, ref_d = _brute(blobs, 12)
    np.testing.assert_allclose(distances, ref_d, rtol=1e-6, atol=1e-6)
    assert (indices == ref_i).mean() > 0.999  # only exact ties may differ in order
    assert indices.dtype == np.int32 and distances.dtype == np.float64


def test_cell_knn_recall_and_exact_distances(blobs):
    indices, distances = _knn.cell_knn(blobs, 10, cell_size=100, probes=4)
    ref_i, _ = _brute(blobs, 10)
    recall = np.mean([len(np.intersect1d(a, b)) / 10 for a, b in zip(indices, ref_i, strict=True)])
    assert recall > 0.97
    # whatever was found, its distances are the true ones, ascending
    true = np.linalg.norm(blobs[indices].astype(np.float64) - blobs[:, None, :], axis=-1)
    np.testing.assert_allclose(distances, true, rtol=1e-6, atol=1e-6)
    assert (np.diff(distances, axis=1) >= 0).all()


def test_cell_knn_is_deterministic(blobs):
    first = _knn.cell_knn(blobs, 8, cell_size=100, probes=3, seed=1)
    second = _knn.cell_knn(blobs, 8, cell_size=100, probes=3, seed=1)
    assert first[0].tobytes() == second[0].tobytes()
    assert first[1].tobytes() == second[1].tobytes()


def test_knn_graph_switches_to_cells_above_threshold(blobs, monkeypatch):
    calls = []
    real = _knn.cell_knn
    monkeypatch.setattr(_neighbors, "EXACT_KNN_MAX_POINTS", 1000)
    monkeypatch.setattr(_knn, "cell_knn", lambda *a, **k: calls.append(1) or real(*a, **k))
    indices, _ = knn_graph(blobs, 5)
    assert calls and not (indices == np.arange(len(blobs))[:, None]).any()
    assert indices.shape == (1500, 5) and indices.dtype == np.int32


def test_read_only_inputs_are_searched(blobs):
    frozen = blobs.copy()
    frozen.flags.writeable = False  # as a memory-mapped feature is read
    indices, _ = knn_graph(frozen, 4)
    assert indices.shape == (1500, 4)
