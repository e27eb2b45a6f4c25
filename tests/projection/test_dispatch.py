"""Engine choice ("auto" by size and dims) and the optional GPU engines, with mocked imports."""

import importlib.machinery
import sys
import types

import numpy as np
import pytest

from synthscope.errors import InvalidParameterError
from synthscope.projection import _engines
from synthscope.projection._cuml import cuml_tsne, cuml_umap
from synthscope.projection._engines import EXACT_MAX_POINTS, resolve_engine


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(_engines, "_cuda_available", lambda: False)
    monkeypatch.setattr(_engines, "_cuml_available", lambda: False)


@pytest.fixture
def fake_cuml(monkeypatch):
    """A stand-in ``cuml`` package whose TSNE/UMAP record their arguments."""
    calls = {}

    class _Model:
        def __init__(self, **kwargs):
            calls[type(self).__name__] = kwargs
            self.kwargs = kwargs

        def fit_transform(self, X):
            return np.zeros((X.shape[0], self.kwargs["n_components"]), np.float64)

    manifold = types.ModuleType("cuml.manifold")
    manifold.TSNE = type("TSNE", (_Model,), {})
    manifold.UMAP = type("UMAP", (_Model,), {})
    package = types.ModuleType("cuml")
    package.__spec__ = importlib.machinery.ModuleSpec("cuml", None)
    package.manifold = manifold
    monkeypatch.setitem(sys.modules, "cuml", package)
    monkeypatch.setitem(sys.modules, "cuml.manifold", manifold)
    return calls


@pytest.mark.parametrize("dims, beyond", [(2, "fft"), (3, "cells")])
def test_auto_picks_exact_up_to_the_crossover_then_the_approximation(no_gpu, dims, beyond):
    limit = EXACT_MAX_POINTS[dims]
    assert resolve_engine("auto", limit, dims) == "exact"
    assert resolve_engine("auto", limit + 1, dims) == beyond


def test_auto_prefers_the_gpu_kernels(monkeypatch, fake_cuml):
    monkeypatch.setattr(_engines, "_cuda_available", lambda: True)
    assert resolve_engine("auto", 1_000, 2) == "exact-cuda"
    big = _engines.CUDA_MAX_POINTS[2] + 1
    assert resolve_engine("auto", big, 2) == "cuml"  # cuml importable (mocked)
    assert resolve_engine("auto", _engines.CUDA_MAX_POINTS[3] + 1, 3) == "cells"  # cuML: 2-D only


def test_cuml_without_the_package_or_in_3d_is_refused(no_gpu, fake_cuml):
    with pytest.raises(InvalidParameterError, match="not installed"):
        resolve_engine("cuml", 100, 2)
    with pytest.raises(InvalidParameterError, match="dims=2"):
        resolve_engine("fft", 100, 3)


def test_cuml_is_detected_when_importable(fake_cuml, monkeypatch):
    from synthscope.projection._cuml import cuml_available

    assert cuml_available()
    monkeypatch.delitem(sys.modules, "cuml")
    monkeypatch.delitem(sys.modules, "cuml.manifold")
    monkeypatch.setattr(sys, "path", [])  # nothing left to find it on
    assert not cuml_available()


def test_cuml_tsne_maps_our_parameters(fake_cuml):
    X = np.random.default_rng(0).normal(size=(1200, 5))
    Y = cuml_tsne(X, perplexity=20, iterations=500, early_exaggeration=12, seed=3)
    assert Y.shape == (1200, 2) and Y.dtype == np.float32
    kwargs = fake_cuml["TSNE"]
    assert kwargs["n_components"] == 2 and kwargs["max_iter"] == 500
    assert kwargs["perplexity"] == 20 and kwargs["n_neighbors"] == 60
    assert kwargs["learning_rate"] == pytest.approx(max(1200 / 12 / 4, 50))
    assert kwargs["learning_rate_method"] is None and kwargs["random_state"] == 3
    with pytest.raises(InvalidParameterError, match="dims=2"):
        cuml_tsne(X, dims=3)


def test_cuml_umap_maps_our_parameters(fake_cuml):
    X = np.random.default_rng(0).normal(size=(300, 5))
    Y = cuml_umap(X, dims=3, n_neighbors=10, min_dist=0.2, seed=1)
    assert Y.shape == (300, 3) and Y.dtype == np.float32
    assert fake_cuml["UMAP"]["n_neighbors"] == 10 and fake_cuml["UMAP"]["min_dist"] == 0.2


def test_cuml_has_no_gradient_engine():
    import scipy.sparse as sp

    with pytest.raises(InvalidParameterError, match="runs whole"):
        _engines.make_engine("cuml", sp.identity(4, format="csr"), 2)


def test_tsne_and_umap_hand_the_whole_run_to_cuml_when_asked(fake_cuml, clusters):
    from synthscope.projection import tsne, umap

    X, _ = clusters
    result = tsne(X, dims=2, perplexity=10, iterations=50, engine="cuml", seed=3)
    assert result.params["engine"] == "cuml" and result.embedding.shape == (X.shape[0], 2)
    assert fake_cuml["TSNE"]["max_iter"] == 50 and fake_cuml["TSNE"]["random_state"] == 3
    assert np.isfinite(result.kl)  # scored against our own P
    mapped = umap(X, dims=3, n_neighbors=7, seed=2)
    assert mapped.params["engine"] == "cuml" and fake_cuml["UMAP"]["n_neighbors"] == 7
