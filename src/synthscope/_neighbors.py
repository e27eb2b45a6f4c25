"""The one neighbour search: exact, deterministic, euclidean or cosine.

* :func:`knn_graph`: every point's k nearest neighbours (t-SNE's affinities): exact by blocks
  (float32 BLAS products, a numba heap per query, re-ranked in float64) up to
  :data:`EXACT_KNN_MAX_POINTS`, then an exact search within each point's nearest k-means cells
  (kernels in ``_knn``).
* :func:`query_neighbors`: the k nearest points of one point (the projector's click), one pass
  over the rows in blocks, so a memory-mapped feature of any size is never loaded whole.

Distances: ``euclidean``, or ``cosine`` = 1 - cosine similarity (the TF Projector's default).
"""

from __future__ import annotations

import logging

import numpy as np

from synthscope._params import Options, check_value, fail

__all__ = ["EXACT_KNN_MAX_POINTS", "METRICS", "knn_graph", "query_neighbors"]

log = logging.getLogger(__name__)

METRICS = ("cosine", "euclidean")
# Up to here the neighbour graph is exact (float32 BLAS products re-ranked in float64,
# :func:`synthscope._knn.exact_knn`); beyond, each point is compared with the rows of its 16
# nearest k-means cells of ~512 points (``cell_knn``), about 8,000 candidates instead of n:
# 100,000 blob points x 50 dims, k = 91: recall 1.0000 against the exact search. Both are
# deterministic. Speed against scikit-learn: ``benchmarks/results/neighbors.json``.
EXACT_KNN_MAX_POINTS = 20_000
_BLOCK = 8192  # rows per block of a query: bounds the temporaries on memmaps


def knn_graph(
    X: np.ndarray, k: int, *, metric: str = "euclidean", seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (int32) and distances (float64) of each point's ``k`` nearest, itself excluded.

    Exact up to :data:`EXACT_KNN_MAX_POINTS` points, then approximate (k-means cells, seeded);
    both deterministic, ties to the smaller index.
    """
    from synthscope._knn import cell_knn, exact_knn

    check_value("metric", metric, Options(*METRICS))
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


def query_neighbors(
    vectors: np.ndarray, query: int, k: int = 10, metric: str = "cosine"
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` points nearest to point ``query``, the point itself left out.

    Parameters
    ----------
    vectors
        ``(n, d)`` feature vectors (a memmap is fine: it is read in blocks).
    query
        Row of the query point.
    k
        How many neighbours, ``1 <= k < n`` (clipped to ``n - 1``).
    metric
        ``"cosine"`` or ``"euclidean"``.

    Returns
    -------
    ids, distances
        int64 ids and float64 distances, nearest first; ties broken by the smaller id.
    """
    n = vectors.shape[0]
    check_value("metric", metric, Options(*METRICS))
    if not 0 <= query < n:
        raise fail("point", f"id must be in 0..{n - 1} (got {query})")
    if k < 1:
        raise fail("k", f"must be >= 1 (got {k})")
    k = min(k, n - 1)
    # float32 products in modest blocks: the rows are float32 already, so this neither copies a
    # memmap whole nor doubles it to float64 (benchmarks/results/neighbors.json).
    q = np.asarray(vectors[query], dtype=np.float32)
    q_norm = float(np.linalg.norm(q.astype(np.float64)))
    dist = np.empty(n, dtype=np.float64)
    for start in range(0, n, _BLOCK):
        block = np.asarray(vectors[start : start + _BLOCK], dtype=np.float32)
        dot = (block @ q).astype(np.float64)
        squares = np.einsum("ij,ij->i", block, block, dtype=np.float64)
        if metric == "cosine":
            norms = np.sqrt(squares) * q_norm
            with np.errstate(divide="ignore", invalid="ignore"):
                sim = np.where(norms > 0, dot / np.where(norms > 0, norms, 1.0), 0.0)
            dist[start : start + len(block)] = 1.0 - sim
        else:
            d2 = squares - 2.0 * dot + q_norm * q_norm
            dist[start : start + len(block)] = np.sqrt(np.maximum(d2, 0.0))
    dist[query] = np.inf
    # A full stable sort (not argpartition) so that ties always resolve to the smaller id.
    ids = np.argsort(dist, kind="stable")[:k].astype(np.int64)
    return ids, dist[ids]
