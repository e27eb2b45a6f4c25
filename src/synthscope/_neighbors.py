"""The one neighbour search: exact, deterministic, euclidean or cosine.

* :func:`knn_graph`: every point's k nearest neighbours (t-SNE's affinities). Exact through
  scikit-learn's brute-force search (BLAS over all n**2 distances) up to
  :data:`EXACT_KNN_MAX_POINTS`, then pynndescent (approximate, seeded, one thread so it repeats).
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
# Up to here the exact search (BLAS over all n**2 distances in the PCA-reduced space, on every
# core) is deterministic and beats the approximate one: 100,000 points x 50 dims, k = 91, took
# 24 s exact against 66 s for pynndescent on one thread (its first call, compilation included;
# one thread because that is what keeps it deterministic). Beyond, pynndescent takes over.
EXACT_KNN_MAX_POINTS = 200_000
_BLOCK = 8192  # rows per block of a query: bounds the temporaries on memmaps


def knn_graph(
    X: np.ndarray, k: int, *, metric: str = "euclidean", seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (int32) and distances (float64) of each point's ``k`` nearest, itself excluded."""
    check_value("metric", metric, Options(*METRICS))
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
