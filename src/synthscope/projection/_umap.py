"""UMAP through umap-learn (McInnes et al. 2018), seeded so runs repeat."""

from __future__ import annotations

import time
import warnings

import numpy as np

from synthscope._params import check_params, fail
from synthscope.projection._checks import check_data
from synthscope.projection._cuml import cuml_available, cuml_umap
from synthscope.projection._request import CONSTRAINTS
from synthscope.projection._request import ProjectionRequest as _Defaults
from synthscope.projection._result import Projection

__all__ = ["umap"]


def umap(
    X: np.ndarray,
    dims: int = _Defaults.dims,
    n_neighbors: int = _Defaults.n_neighbors,
    min_dist: float = _Defaults.min_dist,
    seed: int = _Defaults.seed,
    metric: str = _Defaults.metric,
) -> Projection:
    """Uniform manifold approximation and projection of ``X`` into 2 or 3 dimensions.

    Parameters
    ----------
    X : array of shape (n_points, n_features)
        Input vectors (at least 4 points, no NaN or infinite values).
    dims : {2, 3}
        Output dimensions.
    n_neighbors : int
        Size of the local neighbourhood, 2 <= n_neighbors < n_points.
    min_dist : float
        Minimum distance between embedded points, in [0, 1) as in the TF Projector's slider.
    seed : int
        Random state; umap-learn then runs its layout single-threaded, which makes it repeatable.
    metric : {"euclidean", "cosine"}
        Input distance.
    """
    check_params(
        {
            "dims": dims,
            "n_neighbors": n_neighbors,
            "min_dist": min_dist,
            "seed": seed,
            "metric": metric,
        },
        CONSTRAINTS,
    )
    data = check_data(X)
    n = data.shape[0]
    if n_neighbors >= n:
        raise fail("n_neighbors", f"must be < n_points (got {n_neighbors} for {n} points)")
    start = time.perf_counter()
    if cuml_available():  # the GPU's UMAP, same parameters (projection/_cuml.py)
        embedding = cuml_umap(
            data, dims=dims, n_neighbors=n_neighbors, min_dist=min_dist, metric=metric, seed=seed
        )
        return _result(embedding, dims, n_neighbors, min_dist, metric, seed, n, start, "cuml")
    import umap as umap_learn

    model = umap_learn.UMAP(
        n_components=dims,
        n_neighbors=int(n_neighbors),
        min_dist=float(min_dist),
        metric=metric,
        random_state=int(seed),
        # small inputs make umap-learn's spectral initialisation fail; random is robust there
        init="spectral" if n > n_neighbors + 2 * dims else "random",
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_jobs value.*")
        warnings.filterwarnings("ignore", message=".*k >= N.*")
        embedding = model.fit_transform(data)
    return _result(embedding, dims, n_neighbors, min_dist, metric, seed, n, start, "umap-learn")


def _result(
    embedding: np.ndarray,
    dims: int,
    n_neighbors: int,
    min_dist: float,
    metric: str,
    seed: int,
    n: int,
    start: float,
    engine: str,
) -> Projection:
    params = {
        "method": "umap",
        "dims": dims,
        "n_neighbors": int(n_neighbors),
        "min_dist": float(min_dist),
        "metric": metric,
        "seed": int(seed),
        "n_points": n,
        "engine": engine,
    }
    return Projection(
        embedding=np.ascontiguousarray(embedding, dtype=np.float32),
        params=params,
        seconds=time.perf_counter() - start,
    )
