"""The one principal component analysis: exact for few points, seeded randomised SVD for many,
and the same randomised SVD out of core, a block of rows at a time, for data beyond memory.

Used for the PCA projection, t-SNE's reduction and initialisation, and the realism tests'
label-free reduction (reducing before a permutation test keeps it valid: the permutation acts on
labels only).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["GRAM_PCA_LIMIT", "IN_MEMORY_PCA_BYTES", "one_blas_thread", "principal_components"]

GRAM_PCA_LIMIT = 1000  # rows up to which the exact n x n Gram eigendecomposition is used
#: Beyond this size of a centred float64 copy (n x d x 8 bytes: 32,768 x 4,096 pixels64), the
#: data are read a block of rows at a time (a memory-mapped feature is never loaded whole).
IN_MEMORY_PCA_BYTES = 1 << 30
_BLOCK_BYTES = 64 << 20  # float32 rows per block in the out-of-core path
_POWER_ITERATIONS = 4
_OVERSAMPLING = 10


def one_blas_thread() -> Any:
    """Context limiting BLAS/LAPACK to one thread.

    Multithreaded LAPACK stalls badly when the cores are busy: on a loaded two-core machine an
    1,800 x 1,800 ``eigvalsh`` took 19.5 s on two threads and 0.7 s on one, a randomized PCA
    of 3,600 x 4,096 took 4 s against 0.6 s, while large matrix products lost little.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def principal_components(
    X: np.ndarray, n_components: int, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Scores on the first ``n_components`` principal components, and each one's variance share.

    Up to :data:`GRAM_PCA_LIMIT` rows the components are exact (eigendecomposition of the
    ``n x n`` Gram matrix, cheaper than an SVD over ``d`` columns); beyond, a seeded randomised
    SVD in single precision (Halko et al. 2011; 4 power iterations): about 1 s for 3,600 x 4,096
    on two cores. Each component's sign is fixed (largest loading |score| positive), so results
    do not hinge on the solver's sign choices. ``n_components`` is capped at ``min(n, d)``.

    Returns
    -------
    scores : (n, k) float64
    ratio : (k,) float64
        Share of the total variance along each component.
    """
    X = np.asanyarray(X)  # a memory map stays one (read a block at a time below)
    n, d = X.shape
    k = max(1, min(int(n_components), n, d))
    if n > GRAM_PCA_LIMIT and n * d * 8 > IN_MEMORY_PCA_BYTES:
        with one_blas_thread():
            u, s, total = _out_of_core_svd(X, k, seed)
        return _scores(u, s, total)
    X = np.asarray(X)
    centred = X.astype(np.float64) - X.mean(axis=0, dtype=np.float64)
    total = float(np.einsum("ij,ij->", centred, centred))
    with one_blas_thread():
        if n <= GRAM_PCA_LIMIT:
            values, vectors = np.linalg.eigh(centred @ centred.T)
            top = np.argsort(values)[::-1][:k]
            u, s = vectors[:, top], np.sqrt(np.clip(values[top], 0.0, None))
        else:
            from sklearn.utils.extmath import randomized_svd

            # Single precision halves the matrix-product time; 7 significant digits are plenty
            # for components that feed projections and distance- or classifier-based tests.
            u, s, _ = randomized_svd(centred.astype(np.float32), k, n_iter=4, random_state=seed)
            u, s = u.astype(np.float64), s.astype(np.float64)
    return _scores(u, s, total)


def _scores(u: np.ndarray, s: np.ndarray, total: float) -> tuple[np.ndarray, np.ndarray]:
    """Scores with each component's sign fixed (largest |loading| positive), and variance shares."""
    signs = np.sign(u[np.abs(u).argmax(axis=0), np.arange(u.shape[1])])
    signs[signs == 0] = 1.0
    ratio = s * s / total if total > 0 else np.zeros_like(s)
    return u * (s * signs), ratio


def _out_of_core_svd(X: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The top ``k`` left singular vectors and values of the centred ``X``, and its total
    squared norm, reading ``X`` a block of rows at a time.

    The randomised range finder of Halko, Martinsson & Tropp (2011, algorithms 4.4 and 5.1),
    as in the in-memory path: ``k + 10`` random directions, 4 power iterations with QR
    re-orthonormalisation, in single precision. Centring stays implicit
    (``(X - 1 m^T) M = X M - 1 (m^T M)``), so only ``n x (k + 10)`` numbers are held besides a
    block; each iteration reads ``X`` twice.
    """
    n, d = X.shape
    step = max(1, _BLOCK_BYTES // (4 * d))
    blocks = [slice(start, min(start + step, n)) for start in range(0, n, step)]
    mean = np.zeros(d, dtype=np.float64)
    for rows in blocks:
        mean += X[rows].sum(axis=0, dtype=np.float64)
    mean /= n
    total = 0.0
    for rows in blocks:
        centred = X[rows].astype(np.float64) - mean
        total += float(np.einsum("ij,ij->", centred, centred))
    mean32 = mean.astype(np.float32)

    def times(M: np.ndarray) -> np.ndarray:  # (X - 1 m^T) @ M, (n, l)
        out = np.empty((n, M.shape[1]), dtype=np.float32)
        shift = mean32 @ M
        for rows in blocks:
            out[rows] = np.asarray(X[rows], dtype=np.float32) @ M - shift
        return out

    def transposed_times(Q: np.ndarray) -> np.ndarray:  # (X - 1 m^T)^T @ Q, (d, l)
        out = np.zeros((d, Q.shape[1]), dtype=np.float32)
        for rows in blocks:
            out += np.asarray(X[rows], dtype=np.float32).T @ Q[rows]
        return out - np.outer(mean32, Q.sum(axis=0))

    width = min(k + _OVERSAMPLING, n, d)
    omega = np.random.default_rng(seed).standard_normal((d, width)).astype(np.float32)
    Q = np.linalg.qr(times(omega))[0]
    for _ in range(_POWER_ITERATIONS):
        Q = np.linalg.qr(times(np.linalg.qr(transposed_times(Q))[0]))[0]
    small, s, _ = np.linalg.svd(transposed_times(Q).T.astype(np.float64), full_matrices=False)
    u = Q.astype(np.float64) @ small[:, :k]
    return u, s[:k], total
