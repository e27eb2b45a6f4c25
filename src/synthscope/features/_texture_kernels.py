"""numba kernels of the ``texture`` extractor: plain loops, compiled once and cached on disk.

Each runs without the GIL (``nogil=True``), so the extractor's thread pool runs them on every core,
and each is tested against the library it replaces: :func:`lbp_codes` against scikit-image's
``local_binary_pattern(..., "uniform")`` and :func:`lbp_counts` against a histogram of those codes,
:func:`glcm_counts` against ``graycomatrix``, :func:`band_histograms` against ``numpy.bincount``,
and :func:`sharpness_sums` against ``scipy.ndimage`` filters.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = [
    "band_histograms",
    "bilinear_gather",
    "glcm_counts",
    "lbp_codes",
    "lbp_counts",
    "sharpness_sums",
]

#: Code of pixels left out of an LBP image (outside the mask).
LBP_OUTSIDE = 255


@njit(cache=True, nogil=True)
def _row_spans(inside):  # pragma: no cover - compiled
    """First and one-past-last column inside, per row (first == cols for an empty row)."""
    rows, cols = inside.shape
    first = np.full(rows, cols, np.int64)
    last = np.zeros(rows, np.int64)
    for r in range(rows):
        for c in range(cols):
            if inside[r, c]:
                if first[r] == cols:
                    first[r] = c
                last[r] = c + 1
    return first, last


@njit(cache=True, nogil=True)
def _lbp_bits(padded, first, last, pad, rp, cp, ones, changes):  # pragma: no cover - compiled
    """Fill ``ones`` (count of neighbours >= the centre) and ``changes`` (0/1 changes along the
    non-circular neighbour sequence) for the pixels of each row's span.

    ``padded`` is the float64 image with ``pad`` >= ceil(R) + 1 zeros on every side (scikit-image
    reads zeros outside the image). Neighbour i of pixel (r, c) is the bilinear sample at
    (r + rp[i], c + cp[i]) with scikit-image's arithmetic: the fractions are ``y - floor(y)`` of
    ``y = r + rp[i]`` (so they carry the same rounding), and ``floor(r + rp[i]) = r +
    floor(rp[i])`` because offsets are integers or >= 1e-5 from one. Neighbour by neighbour over
    whole rows, so the inner loops are branch-free and vectorise.
    """
    rows = first.shape[0]
    cols = ones.shape[1]
    n = rp.shape[0]
    previous = np.zeros((rows, cols), np.uint8)
    fx = np.empty(cols)
    for r in range(rows):
        for c in range(first[r], last[r]):
            ones[r, c] = 0
            changes[r, c] = 0
    # Unsigned column indices: numba then drops its negative-index checks and the loops vectorise
    # (4x faster).
    centre_x = np.uint64(pad)
    for i in range(n):
        counted = np.uint8(1 if i > 0 else 0)
        y0 = math.floor(rp[i]) + pad
        y1 = math.ceil(rp[i]) + pad
        x0 = np.uint64(math.floor(cp[i]) + pad)
        x1 = np.uint64(math.ceil(cp[i]) + pad)
        for c in range(cols):
            x = c + cp[i]
            fx[c] = x - math.floor(x)
        whole_column = cp[i] == math.floor(cp[i])
        for r in range(rows):
            y = r + rp[i]
            dy = y - math.floor(y)
            upper = padded[r + y0]
            lower = padded[r + y1]
            centre = padded[r + pad]
            o = ones[r]
            ch = changes[r]
            pv = previous[r]
            lo = np.uint64(first[r])
            hi = np.uint64(max(last[r], first[r]))
            if dy == 0.0 and whole_column:
                for c in range(lo, hi):
                    bit = np.uint8(upper[c + x0] - centre[c + centre_x] >= 0)
                    o[c] += bit
                    ch[c] += (bit ^ pv[c]) & counted
                    pv[c] = bit
            else:
                for c in range(lo, hi):
                    dx = fx[c]
                    top = (1 - dx) * upper[c + x0] + dx * upper[c + x1]
                    bottom = (1 - dx) * lower[c + x0] + dx * lower[c + x1]
                    bit = np.uint8(((1 - dy) * top + dy * bottom) - centre[c + centre_x] >= 0)
                    o[c] += bit
                    ch[c] += (bit ^ pv[c]) & counted
                    pv[c] = bit


@njit(cache=True, nogil=True)
def lbp_codes(padded, inside, pad, rp, cp):  # pragma: no cover - compiled
    """Uniform LBP code (0..P+1) of every pixel where ``inside``; :data:`LBP_OUTSIDE` elsewhere:
    a pattern with at most two changes gets its count of ones, any other P + 1 (see
    :func:`_lbp_bits` for the neighbours)."""
    rows, cols = inside.shape
    n = rp.shape[0]
    first, last = _row_spans(inside)
    ones = np.zeros((rows, cols), np.uint8)
    changes = np.zeros((rows, cols), np.uint8)
    _lbp_bits(padded, first, last, pad, rp, cp, ones, changes)
    out = np.full((rows, cols), LBP_OUTSIDE, np.uint8)
    for r in range(rows):
        for c in range(cols):
            if inside[r, c]:
                out[r, c] = ones[r, c] if changes[r, c] <= 2 else n + 1
    return out


@njit(cache=True, nogil=True)
def lbp_counts(padded, inside, pad, rps, cps):  # pragma: no cover - compiled
    """Histograms ``(settings, P + 2)`` of the uniform LBP codes over ``inside``, one per row of
    ``rps`` / ``cps`` (neighbour offsets of each (P, R) setting, all with the same P)."""
    rows, cols = inside.shape
    n = rps.shape[1]
    first, last = _row_spans(inside)
    ones = np.zeros((rows, cols), np.uint8)
    changes = np.zeros((rows, cols), np.uint8)
    out = np.zeros((rps.shape[0], n + 2), np.int64)
    for s in range(rps.shape[0]):
        _lbp_bits(padded, first, last, pad, rps[s], cps[s], ones, changes)
        for r in range(rows):
            for c in range(first[r], last[r]):
                if inside[r, c]:
                    out[s, ones[r, c] if changes[r, c] <= 2 else n + 1] += 1
    return out


@njit(cache=True, nogil=True)
def sharpness_sums(image, inside):  # pragma: no cover - compiled
    """Exact integer sums over pixels ``inside`` (not on the image border) of a uint8 image:
    count, Sobel energy gx² + gy², Laplacian, Laplacian², grey level, grey level²."""
    rows, cols = image.shape
    n = 0
    energy = 0
    lap = 0
    lap2 = 0
    grey = 0
    grey2 = 0
    for r in range(1, rows - 1):
        for c in range(1, cols - 1):
            if not inside[r, c]:
                continue
            a00 = np.int64(image[r - 1, c - 1])
            a01 = np.int64(image[r - 1, c])
            a02 = np.int64(image[r - 1, c + 1])
            a10 = np.int64(image[r, c - 1])
            a11 = np.int64(image[r, c])
            a12 = np.int64(image[r, c + 1])
            a20 = np.int64(image[r + 1, c - 1])
            a21 = np.int64(image[r + 1, c])
            a22 = np.int64(image[r + 1, c + 1])
            gx = (a02 + 2 * a12 + a22) - (a00 + 2 * a10 + a20)
            gy = (a20 + 2 * a21 + a22) - (a00 + 2 * a01 + a02)
            laplace = a01 + a21 + a10 + a12 - 4 * a11
            n += 1
            energy += gx * gx + gy * gy
            lap += laplace
            lap2 += laplace * laplace
            grey += a11
            grey2 += a11 * a11
    return n, energy, lap, lap2, grey, grey2


@njit(cache=True, nogil=True)
def glcm_counts(image, offsets, levels):  # pragma: no cover - compiled
    """Co-occurrence counts ``(levels, levels, n_distances, n_angles)`` (uint32, not symmetric):
    ``out[i, j, d, a]`` counts pixels of level i whose neighbour at ``offsets[d, a]`` is level j."""
    rows, cols = image.shape
    n_d, n_a, _ = offsets.shape
    flat = np.zeros((n_d * n_a, levels * levels), np.uint32)
    width = np.uint64(levels)
    # Unsigned indices (numba then skips negative-index checks: 2x faster). The partner of column
    # c is column c + dc, written c + (dc + cols) - cols so that no term is negative.
    for d in range(n_d):
        for a in range(n_a):
            dr = offsets[d, a, 0]
            dc = offsets[d, a, 1]
            counts = flat[d * n_a + a]
            first = np.uint64(max(0, -dc))
            end = np.uint64(min(cols, cols - dc))
            shift = np.uint64(dc + cols)
            ucols = np.uint64(cols)
            for r in range(max(0, -dr), min(rows, rows - dr)):
                here = image[r]
                there = image[r + dr]
                for c in range(first, end):
                    counts[np.uint64(here[c]) * width + np.uint64(there[c + shift - ucols])] += 1
    out = np.empty((levels, levels, n_d, n_a), np.uint32)
    for d in range(n_d):
        for a in range(n_a):
            k = d * n_a + a
            for i in range(levels):
                for j in range(levels):
                    out[i, j, d, a] = flat[k, i * levels + j]
    return out


@njit(cache=True, nogil=True)
def band_histograms(image, inside, distance, scale, n_bands):  # pragma: no cover - compiled
    """Grey-level histograms ``(n_bands, 256)`` of the pixels ``inside``, by radial band
    ``min(floor(distance * scale), n_bands - 1)``."""
    rows, cols = image.shape
    out = np.zeros((n_bands, 256), np.int64)
    for r in range(rows):
        for c in range(cols):
            if inside[r, c]:
                b = int(distance[r, c] * scale)
                if b >= n_bands:
                    b = n_bands - 1
                out[b, image[r, c]] += 1
    return out


@njit(cache=True, nogil=True)
def bilinear_gather(image, corners, weights):  # pragma: no cover - compiled
    """``sum_k weights[k] * image.flat[corners[k]]`` (k = 0..3, in that order) as float32: the
    bilinear samples of a polar grid, from its precomputed lookup table."""
    flat = image.ravel()
    n = corners.shape[1]
    out = np.empty(n, np.float32)
    for i in range(n):
        value = weights[0, i] * np.float32(flat[np.uint64(corners[0, i])])
        value += weights[1, i] * np.float32(flat[np.uint64(corners[1, i])])
        value += weights[2, i] * np.float32(flat[np.uint64(corners[2, i])])
        value += weights[3, i] * np.float32(flat[np.uint64(corners[3, i])])
        out[i] = value
    return out
