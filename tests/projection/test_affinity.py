import numpy as np
import pytest

from synthscope._neighbors import knn_graph
from synthscope.projection._affinity import affinities, conditional_affinities


@pytest.mark.parametrize("perplexity", [5.0, 30.0])
def test_each_row_has_entropy_log_perplexity(clusters, perplexity):
    X, _ = clusters
    _, distances = knn_graph(X, int(3 * perplexity))
    rows = conditional_affinities(distances, perplexity)
    np.testing.assert_allclose(rows.sum(axis=1), 1.0, rtol=1e-10)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.nansum(np.where(rows > 0, rows * np.log(rows), 0.0), axis=1)
    np.testing.assert_allclose(entropy, np.log(perplexity), atol=1e-4)


def test_calibration_handles_huge_distances():
    # 4096-d pixel vectors have squared distances ~1e6: exp(-beta d) must not underflow to 0/0
    rng = np.random.default_rng(1)
    distances = np.sort(rng.uniform(900.0, 1100.0, size=(10, 30)), axis=1)
    rows = conditional_affinities(distances, 10.0)
    entropy = -(rows * np.log(rows)).sum(axis=1)
    np.testing.assert_allclose(entropy, np.log(10.0), atol=1e-4)


def test_neighbors_exclude_self_and_match_brute_force(clusters):
    X, _ = clusters
    indices, distances = knn_graph(X, 5)
    assert not (indices == np.arange(len(X))[:, None]).any()
    D = np.sqrt(((X[:, None, :].astype(np.float64) - X[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(D, np.inf)
    np.testing.assert_allclose(distances, np.sort(D, axis=1)[:, :5], rtol=1e-4)


def test_cosine_neighbors_use_angles(clusters):
    X, _ = clusters
    _, distances = knn_graph(X, 3, metric="cosine")
    assert (distances >= 0).all() and (distances <= 2).all()
    # scaling a point does not move it in cosine distance
    _, scaled = knn_graph(X * np.float32(7.0), 3, metric="cosine")
    np.testing.assert_allclose(scaled, distances, atol=1e-5)


def test_joint_probabilities_are_symmetric_and_sum_to_one(clusters):
    X, _ = clusters
    P = affinities(X, 10.0)
    assert P.dtype == np.float32
    assert abs(float(P.sum()) - 1.0) < 1e-5
    assert abs(P - P.T).max() < 1e-8
    assert P.diagonal().max() == 0
