"""Shared geometry: label-free reduction, pooled squared distances, group masks, neighbours.

Everything here ignores which points are real and which are generated, so reducing or measuring
before a permutation test keeps the test valid (the permutation acts on labels only).
"""

from __future__ import annotations

import numpy as np

from synthscope._pca import principal_components


def reduce_dims(
    pooled: np.ndarray, n_components: int | None, seed: int
) -> tuple[np.ndarray, int | None]:
    """Pooled points on their first principal components (label-free).

    At most ``n_components``, and never more than ``n - 1``: centred points span at most that
    many dimensions, so fewer points than ``n_components`` are reduced without losing any
    distance (48 images of 4,096 pixels become 47 components, not 4,096 columns for a
    classifier). Returns the projected points and the number of components kept, or the input
    unchanged and ``None`` when ``n_components`` is ``None`` or the input is already that small.
    """
    n, d = pooled.shape
    if n_components is None:
        return pooled, None
    k = min(n_components, n - 1, d)
    if k >= d or k < 1:
        return pooled, None
    return principal_components(pooled, k, seed=seed)[0], k


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
