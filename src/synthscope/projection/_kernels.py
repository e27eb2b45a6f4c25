"""Numba kernels of the projection engine (with their siblings ``_fft.py`` and ``_knn.py``).

Conventions (after umap/pynndescent's kernel modules): plain loops over flat float32 arrays in
*structure of arrays* layout (one contiguous array per embedding axis, so the inner loop streams
two or three arrays and vectorises), explicit signatures, ``cache=True`` so the CLI and the tests
do not recompile on every start.

Exact repulsion, each pair once: the points are cut into tiles of ``TILE`` consecutive points and
the work into tile pairs ``(I, J)``, ``I <= J`` (:func:`tile_pairs`); one work item computes every
pair between its two tiles once and credits both points (forces are symmetric), which halves the
divisions of the ``n**2`` all-pairs loop. Tile J's sums live in a float32 buffer of one tile,
which stays in L1 cache while the inner loop streams over it.

Determinism: each work item writes only its own slice of a parts buffer (one slot per tile
pair, about ``16 n**2 / TILE`` bytes), and :func:`reduce_tiles` adds the slots for a tile in the
fixed order of the partner tile. There are no atomic adds and no per-thread accumulators, so
the result depends on neither the thread count nor the scheduling, and the same input gives
the same bytes. Every other parallel loop gives each point to exactly one thread, which writes
only that point's outputs.

Precision: pair terms are accumulated in float32 over one tile (at most ``TILE`` terms, and the
vector lanes form partial sums), tiles are added in float64, so sums over 100,000 points keep
about seven significant digits.

Gradient convention: the t-SNE kernels return forces without the constant factor 4 of the true
gradient of KL(P||Q), as openTSNE and FIt-SNE do, so learning rates mean the same as theirs
(``n / exaggeration`` for "auto", Belkina et al. 2019).
"""

from __future__ import annotations

import numba
import numpy as np

import synthscope._openmp  # noqa: F401  (threads sleep at barriers: set before numba starts)

__all__ = [
    "TILE",
    "attraction",
    "calibrate_perplexity",
    "kl_attraction_terms",
    "reduce_tiles",
    "tile_forces_2d",
    "tile_forces_3d",
    "tile_pairs",
]


# Points per tile: a tile of sums (4 x 4 KiB in 3-D) and its coordinates fit in L1 together.
TILE = 1024

_ONE = np.float32(1.0)
_ZERO = np.float32(0.0)


def tile_pairs(n: int, tile: int) -> tuple[np.ndarray, np.ndarray]:
    """The tile pairs ``(I, J)``, ``I <= J``, of ``n`` points in tiles of ``tile``, row-major.

    Pair ``(I, J)`` is work item ``I * m - I * (I - 1) // 2 + J - I`` (``m`` tiles), the order
    :func:`reduce_tiles` relies on.
    """
    m = -(-n // tile)
    first, second = np.triu_indices(m)
    return first.astype(np.int64), second.astype(np.int64)


@numba.njit(
    "void(f4[::1], f4[::1], i8, i8[::1], i8[::1], f4[:, :, :, ::1])",
    parallel=True,
    fastmath=True,
    cache=True,
)
def tile_forces_2d(y0, y1, tile, first, second, part):  # pragma: no cover - compiled
    """Repulsion over all pairs in 2-D, each unordered pair once, by tile pairs.

    Work item ``k`` is the tile pair ``(I, J) = (first[k], second[k])``. For every ``i`` in
    tile I and ``j`` in tile J it adds ``w_ij`` and ``+w_ij**2 (y_i - y_j)`` to i's sums and
    ``w_ij`` and ``-w_ij**2 (y_i - y_j)`` to j's (Newton's third law), with the Student-t kernel
    ``w = 1 / (1 + |y_i - y_j|**2)``. Item k writes only ``part[k]``: ``part[k, 0]`` holds
    tile I's sums and ``part[k, 1]`` tile J's, as rows (force axis 0, force axis 1, w) of
    ``tile`` float32 values, each a sum over at most ``tile`` pairs. A diagonal item (I == J)
    sums each ordered pair from i's side only and leaves ``part[k, 1]`` untouched.
    :func:`reduce_tiles` then adds the parts in a fixed order, so the result depends on neither
    the thread count nor the scheduling: no atomics, no shared accumulators.
    """
    n = y0.shape[0]
    for k in numba.prange(first.shape[0]):
        i0 = first[k] * tile
        j0 = second[k] * tile
        ni = min(i0 + tile, n) - i0
        nj = min(j0 + tile, n) - j0
        c0 = y0[j0 : j0 + nj]
        c1 = y1[j0 : j0 + nj]
        own = part[k, 0]
        if i0 == j0:
            for ii in range(ni):
                a0 = y0[i0 + ii]
                a1 = y1[i0 + ii]
                bz = _ZERO
                b0 = _ZERO
                b1 = _ZERO
                # an unsigned trip count spares numba's negative-index wraparound, which would
                # otherwise turn the contiguous loads into gathers (about 5x slower)
                for jj in range(numba.uint64(nj)):
                    d0 = a0 - c0[jj]
                    d1 = a1 - c1[jj]
                    w = _ONE / (_ONE + d0 * d0 + d1 * d1)
                    bz += w
                    w2 = w * w
                    b0 += w2 * d0
                    b1 += w2 * d1
                own[0, ii] = b0
                own[1, ii] = b1
                own[2, ii] = bz - _ONE  # j == i gave w = 1 and no force
            continue
        e0 = part[k, 1, 0]
        e1 = part[k, 1, 1]
        ez = part[k, 1, 2]
        for jj in range(nj):
            e0[jj] = _ZERO
            e1[jj] = _ZERO
            ez[jj] = _ZERO
        for ii in range(ni):
            a0 = y0[i0 + ii]
            a1 = y1[i0 + ii]
            bz = _ZERO
            b0 = _ZERO
            b1 = _ZERO
            for jj in range(numba.uint64(nj)):
                d0 = a0 - c0[jj]
                d1 = a1 - c1[jj]
                w = _ONE / (_ONE + d0 * d0 + d1 * d1)
                w2 = w * w
                g0 = w2 * d0
                g1 = w2 * d1
                bz += w
                b0 += g0
                b1 += g1
                ez[jj] += w
                e0[jj] -= g0
                e1[jj] -= g1
            own[0, ii] = b0
            own[1, ii] = b1
            own[2, ii] = bz


@numba.njit(
    "void(f4[::1], f4[::1], f4[::1], i8, i8[::1], i8[::1], f4[:, :, :, ::1])",
    parallel=True,
    fastmath=True,
    cache=True,
)
def tile_forces_3d(y0, y1, y2, tile, first, second, part):  # pragma: no cover - compiled
    """Repulsion over all pairs in 3-D, each pair once (see :func:`tile_forces_2d`)."""
    n = y0.shape[0]
    for k in numba.prange(first.shape[0]):
        i0 = first[k] * tile
        j0 = second[k] * tile
        ni = min(i0 + tile, n) - i0
        nj = min(j0 + tile, n) - j0
        c0 = y0[j0 : j0 + nj]
        c1 = y1[j0 : j0 + nj]
        c2 = y2[j0 : j0 + nj]
        own = part[k, 0]
        if i0 == j0:
            for ii in range(ni):
                a0 = y0[i0 + ii]
                a1 = y1[i0 + ii]
                a2 = y2[i0 + ii]
                bz = _ZERO
                b0 = _ZERO
                b1 = _ZERO
                b2 = _ZERO
                for jj in range(numba.uint64(nj)):  # unsigned: see tile_forces_2d
                    d0 = a0 - c0[jj]
                    d1 = a1 - c1[jj]
                    d2 = a2 - c2[jj]
                    w = _ONE / (_ONE + d0 * d0 + d1 * d1 + d2 * d2)
                    bz += w
                    w2 = w * w
                    b0 += w2 * d0
                    b1 += w2 * d1
                    b2 += w2 * d2
                own[0, ii] = b0
                own[1, ii] = b1
                own[2, ii] = b2
                own[3, ii] = bz - _ONE
            continue
        e0 = part[k, 1, 0]
        e1 = part[k, 1, 1]
        e2 = part[k, 1, 2]
        ez = part[k, 1, 3]
        for jj in range(nj):
            e0[jj] = _ZERO
            e1[jj] = _ZERO
            e2[jj] = _ZERO
            ez[jj] = _ZERO
        for ii in range(ni):
            a0 = y0[i0 + ii]
            a1 = y1[i0 + ii]
            a2 = y2[i0 + ii]
            bz = _ZERO
            b0 = _ZERO
            b1 = _ZERO
            b2 = _ZERO
            for jj in range(numba.uint64(nj)):
                d0 = a0 - c0[jj]
                d1 = a1 - c1[jj]
                d2 = a2 - c2[jj]
                w = _ONE / (_ONE + d0 * d0 + d1 * d1 + d2 * d2)
                w2 = w * w
                g0 = w2 * d0
                g1 = w2 * d1
                g2 = w2 * d2
                bz += w
                b0 += g0
                b1 += g1
                b2 += g2
                ez[jj] += w
                e0[jj] -= g0
                e1[jj] -= g1
                e2[jj] -= g2
            own[0, ii] = b0
            own[1, ii] = b1
            own[2, ii] = b2
            own[3, ii] = bz


@numba.njit("void(f4[:, :, :, ::1], i8, f8[:, ::1], f8[::1])", parallel=True, cache=True)
def reduce_tiles(part, tile, rep, zrow):  # pragma: no cover - compiled
    """Sum the tile parts into per-point repulsion ``rep`` (dims, n) and ``w`` sums ``zrow``.

    ``part`` comes from :func:`tile_forces_2d` or :func:`tile_forces_3d`; ``rep[:, i]`` gets
    ``sum_j w_ij**2 (y_i - y_j)`` and ``zrow[i]`` ``sum_{j != i} w_ij``, both added in float64 in
    the order of the partner tile (0, 1, ..., m - 1) whatever the thread count. One thread per
    tile of points.
    """
    dims, n = rep.shape
    m = (n + tile - 1) // tile
    for K in numba.prange(m):
        s = K * tile
        size = min(s + tile, n) - s
        for t in range(size):
            for a in range(dims):
                rep[a, s + t] = 0.0
            zrow[s + t] = 0.0
        for other in range(m):
            if other < K:  # item (other, K): K is the second tile
                k = other * m - other * (other - 1) // 2 + K - other
                side = 1
            else:  # item (K, other)
                k = K * m - K * (K - 1) // 2 + other - K
                side = 0
            src = part[k, side]
            for a in range(dims):
                for t in range(size):
                    rep[a, s + t] += src[a, t]
            for t in range(size):
                zrow[s + t] += src[dims, t]


@numba.njit(
    "void(f4[:, ::1], i8[::1], i8[::1], i4[::1], f4[::1], f4[:, ::1], f8[:, ::1])",
    parallel=True,
    fastmath=True,
    cache=True,
)
def attraction(Y, order, indptr, indices, data, packed, att):  # pragma: no cover - compiled
    """``att[:, i] = sum_j p_ij w_ij (y_i - y_j)`` over the sparse P; ``Y``, ``att`` (dims, n).

    P comes permuted for memory locality: row ``r`` of the CSR arrays is point ``order[r]`` and
    its column indices are rows too (``P[order][:, order]``, e.g. reverse Cuthill-McKee, so a
    point's neighbours sit near it in memory). The coordinates are first packed by row into
    ``packed`` (n, dims), one cache line per neighbour instead of one per axis: the random reads
    of the neighbours' coordinates are what this kernel waits on (12.8 M of them per call at
    100,000 points, 2.3x faster packed and permuted than axis arrays in input order).
    """
    dims, n = Y.shape
    for r in numba.prange(n):
        i = order[r]
        for a in range(dims):
            packed[r, a] = Y[a, i]
    for r in numba.prange(n):
        s0 = 0.0
        s1 = 0.0
        s2 = 0.0
        x0 = packed[r, 0]
        x1 = packed[r, 1]
        x2 = packed[r, 2] if dims == 3 else _ZERO
        for q in range(indptr[r], indptr[r + 1]):
            j = indices[q]
            d0 = x0 - packed[j, 0]
            d1 = x1 - packed[j, 1]
            d2 = x2 - packed[j, 2] if dims == 3 else _ZERO
            pw = data[q] / (_ONE + d0 * d0 + d1 * d1 + d2 * d2)
            s0 += pw * d0
            s1 += pw * d1
            s2 += pw * d2
        i = order[r]
        att[0, i] = s0
        att[1, i] = s1
        if dims == 3:
            att[2, i] = s2


@numba.njit("f8(f4[:, ::1], i8[::1], i4[::1], f4[::1])", parallel=True, cache=True)
def kl_attraction_terms(Y, indptr, indices, data):  # pragma: no cover - compiled
    """``sum_ij p_ij log(p_ij (1 + |y_i - y_j|**2))`` over the sparse P; ``Y`` is (dims, n).

    With ``q_ij = w_ij / Z`` and ``sum p = 1``, ``KL(P||Q)`` is this value plus ``log Z``.
    """
    dims, n = Y.shape
    rows = np.zeros(n)
    for i in numba.prange(n):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            p = np.float64(data[k])
            if p <= 0.0:
                continue
            d = 0.0
            for a in range(dims):
                diff = np.float64(Y[a, i]) - np.float64(Y[a, j])
                d += diff * diff
            s += p * np.log(p * (1.0 + d))
        rows[i] = s
    total = 0.0
    for i in range(n):  # serial: a fixed summation order keeps the bytes reproducible
        total += rows[i]
    return total


@numba.njit("f8[:, ::1](f8[:, ::1], f8, f8, i8)", parallel=True, cache=True)
def calibrate_perplexity(sqdist, perplexity, tol, max_iter):  # pragma: no cover - compiled
    """Conditional Gaussian affinities whose rows each have perplexity ``perplexity``.

    ``sqdist`` holds each point's squared distances to its k nearest neighbours (itself
    excluded). A bisection on the precision ``beta`` makes the Shannon entropy (in nats) of row i
    equal ``log(perplexity)`` within ``tol`` (van der Maaten & Hinton 2008). Returns the rows,
    each summing to 1.
    """
    n, k = sqdist.shape
    target = np.log(perplexity)
    out = np.empty((n, k))
    for i in numba.prange(n):
        dmin = np.inf
        dmean = 0.0
        for j in range(k):
            dmin = min(dmin, sqdist[i, j])
        for j in range(k):
            dmean += sqdist[i, j] - dmin
        dmean /= k
        # shift by the smallest distance: exp() then never underflows for the nearest neighbour
        beta = 1.0 / dmean if dmean > 0.0 else 1.0
        lo = 0.0
        hi = np.inf
        for _ in range(max_iter):
            total = 0.0
            weighted = 0.0
            for j in range(k):
                d = sqdist[i, j] - dmin
                p = np.exp(-beta * d)
                out[i, j] = p
                total += p
                weighted += d * p
            entropy = np.log(total) + beta * weighted / total
            if abs(entropy - target) <= tol:
                break
            if entropy > target:  # too flat: sharpen
                lo = beta
                beta = beta * 2.0 if hi == np.inf else 0.5 * (beta + hi)
            else:
                hi = beta
                beta = 0.5 * (beta + lo)
        for j in range(k):
            out[i, j] /= total
    return out
