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

# Up to here the neighbour search is exact (float32 BLAS products re-ranked in float64,
# :func:`synthscope.projection._knn.exact_knn`); beyond, it compares each point with the rows of
# its 16 nearest k-means cells of ~512 points (``cell_knn``), about 8,000 candidates instead of
# n: 100,000 blob points x 50 dims, k = 91: recall 1.0000 against the exact search. Both are
# deterministic. Measured in ``benchmarks/tsne.py`` (see ``_knn``).
EXACT_KNN_MAX_POINTS = 20_000


def nearest_neighbors(
    X: np.ndarray, k: int, *, metric: str = "euclidean", seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and distances of each point's ``k`` nearest neighbours, itself excluded.

    Exact up to :data:`EXACT_KNN_MAX_POINTS` points, then approximate (k-means cells, seeded);
    both deterministic. ``metric`` is "euclidean" or "cosine" (1 - cosine similarity, the TF
    Projector's default neighbour search). Returns int32 indices and float64 distances.
    """
    from synthscope.projection._knn import cell_knn, exact_knn

    n = X.shape[0]
    data = np.asarray(X, dtype=np.float32)
    if metric == "cosine":  # Euclidean order of unit vectors is cosine order
        norms = np.linalg.norm(data, axis=1, keepdims=True)
        data = data / np.where(norms > 0, norms, np.float32(1.0))
    if n <= EXACT_KNN_MAX_POINTS:
        indices, distances = exact_knn(data, k + 1)
    else:
        log.info("approximate neighbour search (k-means cells) for %d points", n)
        indices, distances = cell_knn(data, k + 1, seed=seed)
    if metric == "cosine":  # 1 - a.b = 1 - (|a|^2 + |b|^2 - |a - b|^2) / 2; zero rows give 1
        sq = np.einsum("ij,ij->i", data, data).astype(np.float64)
        distances = np.maximum(1.0 - 0.5 * (sq[:, None] + sq[indices] - distances**2), 0.0)
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
