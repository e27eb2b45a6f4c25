"""UMAP through umap-learn (McInnes et al. 2018), seeded so runs repeat."""

from __future__ import annotations

import time
import warnings

import numpy as np

from synthscope.errors import InvalidParameterError
from synthscope.projection._checks import check_choice, check_data, check_number
from synthscope.projection._result import Projection

__all__ = ["umap"]


def umap(
    X: np.ndarray,
    dims: int = 2,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    seed: int = 0,
    metric: str = "euclidean",
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
    check_choice("dims", dims, (2, 3))
    data = check_data(X)
    n = data.shape[0]
    check_number("n_neighbors", n_neighbors, low=2, integer=True)
    if n_neighbors >= n:
        raise InvalidParameterError(
            f"n_neighbors must be < n_points (got {n_neighbors} for {n} points)"
        )
    check_number("min_dist", min_dist, low=0)
    if min_dist >= 1:
        raise InvalidParameterError(f"min_dist must be < 1 (got {min_dist!r})")
    check_number("seed", seed, low=0, integer=True)
    check_choice("metric", metric, ("euclidean", "cosine"))
    import umap as umap_learn

    start = time.perf_counter()
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
    params = {
        "method": "umap",
        "dims": dims,
        "n_neighbors": int(n_neighbors),
        "min_dist": float(min_dist),
        "metric": metric,
        "seed": int(seed),
        "n_points": n,
    }
    return Projection(
        embedding=np.ascontiguousarray(embedding, dtype=np.float32),
        params=params,
        seconds=time.perf_counter() - start,
    )
