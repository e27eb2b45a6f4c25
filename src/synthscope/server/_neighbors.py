"""Brute-force nearest neighbours of one point in feature space (what a click in the page asks).

One query against n points of d values is a single (n, d) @ (d,) product, about 0.1 s for
100,000 points of 4,096 values: no index is worth building for it.
"""

from __future__ import annotations

import numpy as np

from synthscope.errors import InvalidParameterError

__all__ = ["METRICS", "nearest_neighbors"]

METRICS = ("cosine", "euclidean")
_BLOCK = 65536  # rows per block: bounds the float32 temporaries on memory-mapped vectors


def nearest_neighbors(
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
        ``"cosine"`` (1 - cosine similarity, the TF Projector's default) or ``"euclidean"``.

    Returns
    -------
    ids, distances
        int64 ids and float64 distances, nearest first; ties broken by the smaller id.
    """
    n = vectors.shape[0]
    if metric not in METRICS:
        raise InvalidParameterError(f"metric must be one of {', '.join(METRICS)} (got {metric!r})")
    if not 0 <= query < n:
        raise InvalidParameterError(f"point id must be in 0..{n - 1} (got {query})")
    if k < 1:
        raise InvalidParameterError(f"k must be >= 1 (got {k})")
    k = min(k, n - 1)
    q = np.asarray(vectors[query], dtype=np.float64)
    dist = np.empty(n, dtype=np.float64)
    q_norm = float(np.linalg.norm(q))
    for start in range(0, n, _BLOCK):
        block = np.asarray(vectors[start : start + _BLOCK], dtype=np.float64)
        if metric == "cosine":
            norms = np.linalg.norm(block, axis=1) * q_norm
            with np.errstate(divide="ignore", invalid="ignore"):
                sim = np.where(norms > 0, block @ q / np.where(norms > 0, norms, 1.0), 0.0)
            dist[start : start + len(block)] = 1.0 - sim
        else:
            diff = block - q
            dist[start : start + len(block)] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    dist[query] = np.inf
    # A full stable sort (not argpartition) so that ties always resolve to the smaller id.
    ids = np.argsort(dist, kind="stable")[:k].astype(np.int64)
    return ids, dist[ids]
