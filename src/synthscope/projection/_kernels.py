"""Numba kernels of the projection engine: the only module that imports numba.

Conventions (after umap/pynndescent's kernel modules): plain loops over flat float32 arrays in
*structure of arrays* layout (one contiguous array per embedding axis, so the inner loop streams
two or three arrays and vectorises), explicit signatures, ``cache=True`` so the CLI and the tests
do not recompile on every start.

Determinism: every parallel loop gives each point ``i`` to exactly one thread, which computes the
whole sum for that point in a fixed order and writes only ``out[i]``; there are no atomic adds
and no reductions across threads. The result therefore does not depend on the thread count or
on scheduling, and the same input gives the same bytes.

Precision: pair terms are accumulated in float32 inside blocks of ``_BLOCK`` points (fast, and
the vector lanes form partial sums), and the block sums in float64, so sums over 100,000 points
keep about seven significant digits.

Gradient convention: the t-SNE kernels return forces without the constant factor 4 of the true
gradient of KL(P||Q), as openTSNE and FIt-SNE do, so learning rates mean the same as theirs
(``n / exaggeration`` for "auto", Belkina et al. 2019).
"""

from __future__ import annotations

import os

# GNU OpenMP threads spin at every barrier by default; on a shared or oversubscribed machine the
# spinning eats the time slices the working thread needs (measured: 77 ms vs 9 ms per 3,600-point
# gradient at load 10 on 2 cores). Sleeping at barriers costs microseconds per iteration when
# the machine is idle. Only a default: a user's own setting wins. Read when numba first starts
# its OpenMP pool, i.e. at the first parallel kernel call.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numba
import numpy as np

__all__ = ["calibrate_perplexity", "forces_2d", "forces_3d", "kl_attraction_terms"]

_BLOCK = 2048

_ONE = np.float32(1.0)
_ZERO = np.float32(0.0)


@numba.njit(
    "void(f4[::1], f4[::1], i8[::1], i4[::1], f4[::1], f8[::1], f8[::1], f8[::1], f8[::1], f8[::1])",
    parallel=True,
    fastmath=True,
    cache=True,
)
def forces_2d(y0, y1, indptr, indices, data, f0, f1, a0_out, a1_out, zrow):  # pragma: no cover
    """Exact t-SNE forces in 2-D, repulsive over all pairs and attractive over the sparse P.

    For each point i: ``f[i] = sum_j w_ij**2 (y_i - y_j)``, ``zrow[i] = sum_{j != i} w_ij``
    with the Student-t kernel ``w_ij = 1 / (1 + |y_i - y_j|**2)`` (``sum(zrow)`` is Z), and
    ``a[i] = sum_j p_ij w_ij (y_i - y_j)`` over row i of P (CSR). Both in one parallel region,
    so an iteration meets one thread barrier, not two.
    """
    n = y0.shape[0]
    for i in numba.prange(n):
        a0 = y0[i]
        a1 = y1[i]
        z = 0.0
        s0 = 0.0
        s1 = 0.0
        for start in range(0, n, _BLOCK):
            stop = min(start + _BLOCK, n)
            c0 = y0[start:stop]
            c1 = y1[start:stop]
            bz = _ZERO
            b0 = _ZERO
            b1 = _ZERO
            # an unsigned trip count spares numba's negative-index wraparound, which would
            # otherwise turn the contiguous loads into gathers (about 5x slower)
            for j in range(numba.uint64(stop - start)):
                d0 = a0 - c0[j]
                d1 = a1 - c1[j]
                w = _ONE / (_ONE + d0 * d0 + d1 * d1)
                bz += w
                w2 = w * w
                b0 += w2 * d0
                b1 += w2 * d1
            z += bz
            s0 += b0
            s1 += b1
        # j == i contributed w = 1 and no force; remove it here instead of branching in the loop
        zrow[i] = z - 1.0
        f0[i] = s0
        f1[i] = s1
        s0 = 0.0
        s1 = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            d0 = a0 - y0[j]
            d1 = a1 - y1[j]
            pw = data[k] / (_ONE + d0 * d0 + d1 * d1)
            s0 += pw * d0
            s1 += pw * d1
        a0_out[i] = s0
        a1_out[i] = s1


@numba.njit(
    "void(f4[::1], f4[::1], f4[::1], i8[::1], i4[::1], f4[::1],"
    " f8[::1], f8[::1], f8[::1], f8[::1], f8[::1], f8[::1], f8[::1])",
    parallel=True,
    fastmath=True,
    cache=True,
)
def forces_3d(
    y0, y1, y2, indptr, indices, data, f0, f1, f2, a0_out, a1_out, a2_out, zrow
):  # pragma: no cover - compiled
    """Exact t-SNE forces in 3-D (see :func:`forces_2d`)."""
    n = y0.shape[0]
    for i in numba.prange(n):
        a0 = y0[i]
        a1 = y1[i]
        a2 = y2[i]
        z = 0.0
        s0 = 0.0
        s1 = 0.0
        s2 = 0.0
        for start in range(0, n, _BLOCK):
            stop = min(start + _BLOCK, n)
            c0 = y0[start:stop]
            c1 = y1[start:stop]
            c2 = y2[start:stop]
            bz = _ZERO
            b0 = _ZERO
            b1 = _ZERO
            b2 = _ZERO
            for j in range(numba.uint64(stop - start)):  # unsigned: see forces_2d
                d0 = a0 - c0[j]
                d1 = a1 - c1[j]
                d2 = a2 - c2[j]
                w = _ONE / (_ONE + d0 * d0 + d1 * d1 + d2 * d2)
                bz += w
                w2 = w * w
                b0 += w2 * d0
                b1 += w2 * d1
                b2 += w2 * d2
            z += bz
            s0 += b0
            s1 += b1
            s2 += b2
        zrow[i] = z - 1.0
        f0[i] = s0
        f1[i] = s1
        f2[i] = s2
        s0 = 0.0
        s1 = 0.0
        s2 = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            d0 = a0 - y0[j]
            d1 = a1 - y1[j]
            d2 = a2 - y2[j]
            pw = data[k] / (_ONE + d0 * d0 + d1 * d1 + d2 * d2)
            s0 += pw * d0
            s1 += pw * d1
            s2 += pw * d2
        a0_out[i] = s0
        a1_out[i] = s1
        a2_out[i] = s2


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
