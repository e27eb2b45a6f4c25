import numpy as np
import pytest

from synthscope.errors import InvalidParameterError
from synthscope.projection import pca, umap


def test_pca_matches_svd_up_to_sign(clusters):
    X, _ = clusters
    result = pca(X, dims=3)
    centered = X.astype(np.float64) - X.mean(axis=0)
    u, s, _ = np.linalg.svd(centered, full_matrices=False)
    expected = u[:, :3] * s[:3]
    for a in range(3):
        sign = np.sign(expected[:, a] @ result.embedding[:, a])
        np.testing.assert_allclose(
            result.embedding[:, a], sign * expected[:, a], rtol=1e-3, atol=1e-3
        )
    ratios = result.params["explained_variance_ratio"]
    assert ratios == sorted(ratios, reverse=True) and sum(ratios) <= 1


def test_pca_is_deterministic_and_2d(clusters):
    X, _ = clusters
    assert pca(X, dims=2).embedding.tobytes() == pca(X, dims=2).embedding.tobytes()
    assert pca(X, dims=2).embedding.shape == (X.shape[0], 2)


def test_pca_of_two_features_pads_third_axis():
    X = np.random.default_rng(0).normal(size=(10, 2))
    assert pca(X, dims=3).embedding[:, 2].tolist() == [0.0] * 10


def test_pca_rejects_bad_dims(clusters):
    X, _ = clusters
    with pytest.raises(InvalidParameterError, match="dims must be one of 2, 3"):
        pca(X, dims=1)


@pytest.mark.slow
def test_umap_is_seeded_and_shaped(clusters):
    X, _ = clusters
    first = umap(X, dims=3, n_neighbors=10, seed=3)
    second = umap(X, dims=3, n_neighbors=10, seed=3)
    assert first.embedding.shape == (X.shape[0], 3)
    assert first.embedding.tobytes() == second.embedding.tobytes()
    assert first.params["method"] == "umap"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_neighbors": 1000}, r"n_neighbors must be < n_points \(got 1000 for 240 points\)"),
        ({"min_dist": 1.5}, r"min_dist must be in \[0, 1\) \(got 1.5\)"),
        ({"dims": 5}, r"dims must be one of 2, 3"),
    ],
)
def test_umap_bad_parameters(clusters, kwargs, message):
    X, _ = clusters
    with pytest.raises(InvalidParameterError, match=message):
        umap(X, **kwargs)
