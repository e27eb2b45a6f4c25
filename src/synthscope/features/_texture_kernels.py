"""numba kernels of the ``texture`` extractor: plain loops, compiled once and cached on disk.

Each runs without the GIL (``nogil=True``), so the extractor's thread pool runs them on every core,
and each is tested against the library it replaces: :func:`lbp_codes` against scikit-image's
``local_binary_pattern(..., "uniform")``, :func:`glcm_counts` against ``graycomatrix``, and
:func:`band_histograms` against ``numpy.bincount``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["band_histograms", "glcm_counts", "lbp_codes"]

#: Code of pixels left out of an LBP image (outside the mask).
LBP_OUTSIDE = 255


@njit(cache=True, nogil=True)
def lbp_codes(padded, inside, pad, rp, cp):  # pragma: no cover - compiled
    """Uniform LBP code (0..P+1) of every pixel where ``inside``; :data:`LBP_OUTSIDE` elsewhere.

    ``padded`` is the float64 image with ``pad`` >= ceil(R) + 1 zeros on every side (scikit-image
    reads zeros outside the image); ``inside`` has the unpadded shape. Neighbour i of pixel (r, c)
    is the bilinear sample at (r + rp[i], c + cp[i]) with scikit-image's arithmetic: the fractions
    are ``y - floor(y)`` of ``y = r + rp[i]`` (so they carry the same rounding), and
    ``floor(r + rp[i]) = r + floor(rp[i])`` because offsets are integers or >= 1e-5 from one. A
    neighbour >= the centre is 1; a pattern with at most two changes along the (non-circular)
    neighbour sequence gets its count of ones, any other P + 1. Neighbour by neighbour over whole
    rows, so the inner loop is branch-free and vectorises.
    """
    rows, cols = inside.shape
    n = rp.shape[0]
    # Each row is computed between its first and last pixel inside (the disc's chord).
    first = np.full(rows, cols, np.int64)
    last = np.zeros(rows, np.int64)
    for r in range(rows):
        for c in range(cols):
            if inside[r, c]:
                if first[r] == cols:
                    first[r] = c
                last[r] = c + 1
    ones = np.zeros((rows, cols), np.uint8)
    changes = np.zeros((rows, cols), np.uint8)
    previous = np.zeros((rows, cols), np.uint8)
    fx = np.empty(cols)
    for i in range(n):
        counted = np.uint8(1 if i > 0 else 0)
        y0 = math.floor(rp[i]) + pad
        y1 = math.ceil(rp[i]) + pad
        x0 = math.floor(cp[i]) + pad
        x1 = math.ceil(cp[i]) + pad
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
            if dy == 0.0 and whole_column:
                for c in range(first[r], last[r]):
                    bit = np.uint8(upper[c + x0] - centre[c + pad] >= 0)
                    o[c] += bit
                    ch[c] += (bit ^ pv[c]) & counted
                    pv[c] = bit
            else:
                for c in range(first[r], last[r]):
                    dx = fx[c]
                    top = (1 - dx) * upper[c + x0] + dx * upper[c + x1]
                    bottom = (1 - dx) * lower[c + x0] + dx * lower[c + x1]
                    bit = np.uint8(((1 - dy) * top + dy * bottom) - centre[c + pad] >= 0)
                    o[c] += bit
                    ch[c] += (bit ^ pv[c]) & counted
                    pv[c] = bit
    out = np.full((rows, cols), LBP_OUTSIDE, np.uint8)
    for r in range(rows):
        for c in range(cols):
            if inside[r, c]:
                out[r, c] = ones[r, c] if changes[r, c] <= 2 else n + 1
    return out


@njit(cache=True, nogil=True)
def glcm_counts(image, offsets, levels):  # pragma: no cover - compiled
    """Co-occurrence counts ``(levels, levels, n_distances, n_angles)`` (uint32, not symmetric):
    ``out[i, j, d, a]`` counts pixels of level i whose neighbour at ``offsets[d, a]`` is level j."""
    rows, cols = image.shape
    n_d, n_a, _ = offsets.shape
    flat = np.zeros((n_d * n_a, levels * levels), np.uint32)
    for d in range(n_d):
        for a in range(n_a):
            k = d * n_a + a
            dr = offsets[d, a, 0]
            dc = offsets[d, a, 1]
            for r in range(max(0, -dr), min(rows, rows - dr)):
                for c in range(max(0, -dc), min(cols, cols - dc)):
                    flat[k, image[r, c] * levels + image[r + dr, c + dc]] += 1
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
