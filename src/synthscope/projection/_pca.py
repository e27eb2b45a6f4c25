"""The PCA projection (the components themselves come from :mod:`synthscope._pca`)."""

from __future__ import annotations

import time

import numpy as np

from synthscope._params import check_params
from synthscope._pca import principal_components
from synthscope.projection._checks import check_data
from synthscope.projection._request import CONSTRAINTS
from synthscope.projection._request import ProjectionRequest as _Defaults
from synthscope.projection._result import Projection

__all__ = ["pca", "principal_components"]


def pca(X: np.ndarray, dims: int = _Defaults.dims, seed: int = _Defaults.seed) -> Projection:
    """Project ``X`` on its first ``dims`` principal components.

    Parameters
    ----------
    X : array of shape (n_points, n_features)
        Input vectors; NaN or infinite rows are refused.
    dims : {2, 3}
        Output dimensions.
    seed : int
        Seed of the randomised SVD used for large inputs.

    Returns
    -------
    Projection
        ``params['explained_variance_ratio']`` lists each component's share of the variance.
    """
    check_params({"dims": dims, "seed": seed}, CONSTRAINTS)
    data = check_data(X)
    start = time.perf_counter()
    scores, ratio = principal_components(data, dims, seed=seed)
    if scores.shape[1] < dims:  # fewer features than dims: pad with zeros, keep the shape promise
        scores = np.pad(scores, ((0, 0), (0, dims - scores.shape[1])))
        ratio = np.pad(ratio, (0, dims - ratio.size))
    params = {
        "method": "pca",
        "dims": dims,
        "seed": seed,
        "explained_variance_ratio": [float(r) for r in ratio],
    }
    return Projection(
        embedding=np.ascontiguousarray(scores, dtype=np.float32),
        params=params,
        seconds=time.perf_counter() - start,
    )
