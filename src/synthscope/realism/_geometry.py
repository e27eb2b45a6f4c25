"""Shared geometry: label-free PCA, pooled squared distances, group masks, nearest neighbours.

Everything here ignores which points are real and which are generated, so reducing or measuring
before a permutation test keeps the test valid (the permutation acts on labels only).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def one_blas_thread() -> Any:
    """Context limiting BLAS/LAPACK to one thread.

    Multithreaded LAPACK stalls badly when the cores are busy: on a loaded two-core machine an
    1,800 x 1,800 ``eigvalsh`` took 19.5 s on two threads and 0.7 s on one, a randomized PCA
    of 3,600 x 4,096 took 4 s against 0.6 s, while large matrix products lost little.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


_GRAM_PCA_LIMIT = 1000  # pooled points up to which PCA uses the exact Gram eigendecomposition


def reduce_dims(
    pooled: np.ndarray, n_components: int | None, seed: int
) -> tuple[np.ndarray, int | None]:
    """Project pooled points onto their first ``n_components`` principal components.

    Returns the projected points and the number of components kept, or the input unchanged and
    ``None`` when ``n_components`` is ``None`` or not smaller than the dimension. Up to 1,000
    points the components are exact (Gram eigendecomposition); beyond, a seeded randomized SVD:
    about 1 s for 3,600 x 4,096 on two cores, against tens of seconds for a full one.
    """
    n, d = pooled.shape
    if n_components is None or n_components >= min(n, d):
        return pooled, None
    centred = pooled - pooled.mean(axis=0)
    with one_blas_thread():
        if n <= _GRAM_PCA_LIMIT:
            # Few points: the exact components come from the n x n Gram matrix, cheaper than
            # a randomized range finder over d columns.
            values, vectors = np.linalg.eigh(centred @ centred.T)
            top = np.argsort(values)[::-1][:n_components]
            u, s = vectors[:, top], np.sqrt(np.clip(values[top], 0.0, None))
        else:
            from sklearn.utils.extmath import randomized_svd

            # Single precision halves the matrix-product time; 7 significant digits are
            # plenty for components that only feed distance- and classifier-based tests.
            u, s, _ = randomized_svd(
                centred.astype(np.float32), n_components, n_iter=4, random_state=seed
            )
    # Fix each component's sign (largest |loading| positive) so results do not hinge on BLAS.
    signs = np.sign(u[np.abs(u).argmax(axis=0), np.arange(u.shape[1])])
    signs[signs == 0] = 1.0
    return (u * (s * signs)).astype(np.float64), n_components


def gram_to_squared_distances(gram: np.ndarray) -> np.ndarray:
    """Pooled squared distances from the pooled Gram matrix ``X X'``, clipped at 0."""
    norms = np.diag(gram).copy()
    d2 = norms[:, None] + norms[None, :] - 2.0 * gram
    np.fill_diagonal(d2, 0.0)
    np.maximum(d2, 0.0, out=d2)
    return d2


def squared_distances(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Squared Euclidean distances ``|a_i - b_j|^2`` through one matrix product, clipped at 0."""
    if b is None:
        return gram_to_squared_distances(a @ a.T)
    d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
    np.maximum(d2, 0.0, out=d2)
    return d2


def group_codes(groups: np.ndarray | None, n: int) -> np.ndarray:
    """Integer code per point; ``None`` (unknown group) becomes its own singleton code."""
    codes = np.arange(n, dtype=np.int64)
    if groups is None:
        return codes
    mapping: dict[object, int] = {}
    for i, g in enumerate(groups):
        if g is not None:
            codes[i] = mapping.setdefault(g, n + len(mapping))
    # Renumber densely so codes index small arrays.
    _, dense = np.unique(codes, return_inverse=True)
    return dense.astype(np.int64)


def exclusion_mask(codes: np.ndarray) -> np.ndarray:
    """``mask[i, j]`` is True where j may not serve as i's neighbour (itself or its own group)."""
    return codes[:, None] == codes[None, :]


def nearest(
    d2: np.ndarray, k: int, excluded: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and squared distances of each row's ``k`` nearest columns, nearest first.

    ``excluded`` marks pairs that may not be neighbours (set to infinity); with ``excluded``
    None the diagonal is excluded when ``d2`` is square.
    """
    work = d2.copy()
    if excluded is not None:
        work[excluded] = np.inf
    elif d2.shape[0] == d2.shape[1]:
        np.fill_diagonal(work, np.inf)
    k = min(k, work.shape[1])
    idx = np.argpartition(work, k - 1, axis=1)[:, :k]
    part = np.take_along_axis(work, idx, axis=1)
    order = np.argsort(part, axis=1, kind="stable")
    idx = np.take_along_axis(idx, order, axis=1)
    return idx, np.take_along_axis(part, order, axis=1)
