"""t-SNE input affinities: k nearest neighbours and perplexity-calibrated Gaussian rows.

``P`` is built the standard way (van der Maaten 2014; openTSNE's ``PerplexityBasedNN``): each
point's ``k = 3 * perplexity`` nearest neighbours, a Gaussian per row whose entropy is
``log(perplexity)``, then symmetrised, ``P = (P_cond + P_cond.T) / (2n)``, so ``sum(P) = 1``.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp

from synthscope._neighbors import knn_graph
from synthscope.projection import _kernels

__all__ = ["affinities", "conditional_affinities"]

log = logging.getLogger(__name__)


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
    indices, distances = knn_graph(X, k, metric=metric, seed=seed)
    rows = conditional_affinities(distances, perplexity)
    cond = sp.csr_matrix((rows.ravel(), indices.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n))
    P = (cond + cond.T).tocsr()
    P.sum_duplicates()
    P.sort_indices()
    P.data /= P.data.sum()
    return P.astype(np.float32)
