"""t-SNE input affinities: k nearest neighbours and perplexity-calibrated Gaussian rows.

``P`` is built the standard way (van der Maaten 2014; openTSNE's ``PerplexityBasedNN``): each
point's ``k = 3 * perplexity`` nearest neighbours, a Gaussian per row whose entropy is
``log(perplexity)``, then symmetrised, ``P = (P_cond + P_cond.T) / (2n)``, so ``sum(P) = 1``.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp

from synthscope.projection import _kernels

__all__ = ["EXACT_KNN_MAX_POINTS", "affinities", "conditional_affinities", "nearest_neighbors"]

log = logging.getLogger(__name__)

# Up to here the exact search (BLAS over all n**2 distances in the PCA-reduced space, on every
# core) is deterministic and beats the approximate one: 100,000 points x 50 dims, k = 91, took
# 24 s exact against 66 s for pynndescent on one thread (its first call, compilation included;
# one thread because that is what keeps it deterministic).
# Beyond, the n**2 cost wins and pynndescent takes over.
EXACT_KNN_MAX_POINTS = 200_000


def nearest_neighbors(
    X: np.ndarray, k: int, *, metric: str = "euclidean", seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and distances of each point's ``k`` nearest neighbours, itself excluded.

    Exact (scikit-learn) up to :data:`EXACT_KNN_MAX_POINTS` points, then approximate
    (pynndescent, seeded). ``metric`` is "euclidean" or "cosine" (1 - cosine similarity, the
    TF Projector's default neighbour search).
    """
    n = X.shape[0]
    if n <= EXACT_KNN_MAX_POINTS:
        from sklearn.neighbors import NearestNeighbors

        algorithm = "brute" if metric == "cosine" or X.shape[1] > 15 else "auto"
        index = NearestNeighbors(n_neighbors=k + 1, metric=metric, algorithm=algorithm)
        index.fit(X)
        distances, indices = index.kneighbors(X)
    else:
        from pynndescent import NNDescent

        log.info("approximate neighbour search (pynndescent) for %d points", n)
        index = NNDescent(X, metric=metric, n_neighbors=k + 1, random_state=seed, n_jobs=1)
        indices, distances = index.neighbor_graph
    indices, distances = _drop_self(indices, distances)
    return indices.astype(np.int32), distances.astype(np.float64)


def _drop_self(indices: np.ndarray, distances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove each point from its own neighbour list (duplicates may put it second)."""
    n, k1 = indices.shape
    rows = np.arange(n)[:, None]
    is_self = indices == rows
    # rows where the point itself is missing (exact duplicates crowd it out): drop the last one
    missing = ~is_self.any(axis=1)
    is_self[missing, k1 - 1] = True
    keep = ~is_self
    return (indices[keep].reshape(n, k1 - 1), distances[keep].reshape(n, k1 - 1))


def conditional_affinities(distances: np.ndarray, perplexity: float) -> np.ndarray:
    """Row-stochastic Gaussian affinities over the neighbour distances, entropy log(perplexity)."""
    sqdist = np.ascontiguousarray(distances, dtype=np.float64) ** 2
    return _kernels.calibrate_perplexity(sqdist, float(perplexity), 1e-5, 200)


def affinities(
    X: np.ndarray, perplexity: float, *, metric: str = "euclidean", seed: int = 0
) -> sp.csr_matrix:
    """The symmetric joint-probability matrix P (CSR, float32, sorted indices, sums to 1)."""
    n = X.shape[0]
    k = min(n - 1, int(3 * perplexity))
    indices, distances = nearest_neighbors(X, k, metric=metric, seed=seed)
    rows = conditional_affinities(distances, perplexity)
    cond = sp.csr_matrix((rows.ravel(), indices.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n))
    P = (cond + cond.T).tocsr()
    P.sum_duplicates()
    P.sort_indices()
    P.data /= P.data.sum()
    return P.astype(np.float32)
