"""Principal component analysis: the PCA projection and t-SNE's reduction and initialisation."""

from __future__ import annotations

import time

import numpy as np

from synthscope.projection._checks import check_choice, check_data, check_number
from synthscope.projection._result import Projection

__all__ = ["pca", "principal_components"]


def principal_components(
    X: np.ndarray, n_components: int, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Scores of the first ``n_components`` principal components and their variance ratios.

    Randomised SVD (Halko et al. 2011) when the matrix is much larger than the number of
    components, full SVD otherwise; signs are fixed so that the largest loading of each component
    is positive, which makes the result independent of the solver's sign choices.
    """
    from sklearn.decomposition import PCA

    n, d = X.shape
    n_components = min(n_components, n, d)
    solver = "randomized" if min(n, d) > 4 * n_components and n * d > 1_000_000 else "full"
    model = PCA(n_components=n_components, svd_solver=solver, random_state=seed)
    scores = model.fit_transform(np.asarray(X, dtype=np.float32)).astype(np.float64)
    flip = np.sign(
        model.components_[np.arange(n_components), np.argmax(np.abs(model.components_), axis=1)]
    )
    flip[flip == 0] = 1.0
    return scores * flip, model.explained_variance_ratio_.astype(np.float64)


def pca(X: np.ndarray, dims: int = 3, seed: int = 0) -> Projection:
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
    check_choice("dims", dims, (2, 3))
    check_number("seed", seed, low=0, integer=True)
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
