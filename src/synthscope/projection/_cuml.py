"""RAPIDS cuML's t-SNE and UMAP on a CUDA GPU, behind synthscope's parameters (optional).

cuML runs the whole optimisation on the GPU (its own neighbour search, P and FFT gradient), so
it is a whole-run engine, not a gradient engine: :func:`cuml_tsne` returns the finished layout.
Used only when ``import cuml`` works; nothing here imports it at module level. cuML's t-SNE is
2-D only and, with its atomic GPU sums, not bit-for-bit repeatable.
"""

from __future__ import annotations

import importlib.util

import numpy as np

from synthscope.errors import InvalidParameterError

__all__ = ["cuml_available", "cuml_tsne", "cuml_umap"]


def cuml_available() -> bool:
    """Whether ``cuml`` can be imported (it needs a CUDA GPU to run)."""
    try:
        return importlib.util.find_spec("cuml") is not None
    except (ImportError, ValueError):  # a broken or stubbed package
        return False


def cuml_tsne(
    X: np.ndarray,
    *,
    dims: int = 2,
    perplexity: float = 30.0,
    iterations: int = 1000,
    learning_rate: float | str = "auto",
    early_exaggeration: float = 12.0,
    exaggeration_iterations: int = 250,
    init: str = "pca",
    seed: int = 0,
) -> np.ndarray:
    """cuML's FFT t-SNE of ``X`` with synthscope's schedule; returns (n, 2) float32.

    ``learning_rate="auto"`` becomes scikit-learn's ``max(n / early_exaggeration / 4, 50)`` (cuML
    keeps the factor 4 in its gradient, as scikit-learn does, where openTSNE and our engines drop
    it); cuML's adaptive learning rate is switched off so the schedule is the one asked for.
    """
    if dims != 2:
        raise InvalidParameterError("cuML's t-SNE supports only dims=2; use engine 'exact-cuda'")
    if not isinstance(init, str) or init not in ("pca", "random"):
        raise InvalidParameterError("cuML's t-SNE takes init 'pca' or 'random', not an array")
    from cuml.manifold import TSNE

    n = X.shape[0]
    rate = max(n / early_exaggeration / 4, 50.0) if learning_rate == "auto" else learning_rate
    model = TSNE(
        n_components=2,
        perplexity=float(perplexity),
        n_neighbors=min(n - 1, int(3 * perplexity)),
        early_exaggeration=float(early_exaggeration),
        exaggeration_iter=int(exaggeration_iterations),
        max_iter=int(iterations),
        learning_rate=float(rate),
        learning_rate_method=None,
        method="fft",
        init=init,
        random_state=int(seed),
    )
    return np.asarray(model.fit_transform(np.asarray(X, dtype=np.float32)), dtype=np.float32)


def cuml_umap(
    X: np.ndarray,
    *,
    dims: int = 2,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    metric: str = "euclidean",
    seed: int = 0,
) -> np.ndarray:
    """cuML's UMAP of ``X`` (umap-learn's parameters and defaults); returns (n, dims) float32."""
    from cuml.manifold import UMAP

    model = UMAP(
        n_components=int(dims),
        n_neighbors=int(n_neighbors),
        min_dist=float(min_dist),
        metric=metric,
        random_state=int(seed),
    )
    return np.asarray(model.fit_transform(np.asarray(X, dtype=np.float32)), dtype=np.float32)
