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
    neighbour sequence gets its count of ones, any other P + 1.
    """
    rows, cols = inside.shape
    n = rp.shape[0]
    y0 = np.empty(n, np.int64)
    x0 = np.empty(n, np.int64)
    y1 = np.empty(n, np.int64)
    x1 = np.empty(n, np.int64)
    fy = np.empty((rows, n))
    fx = np.empty((cols, n))
    for i in range(n):
        y0[i] = math.floor(rp[i]) + pad
        y1[i] = math.ceil(rp[i]) + pad
        x0[i] = math.floor(cp[i]) + pad
        x1[i] = math.ceil(cp[i]) + pad
        for r in range(rows):
            y = r + rp[i]
            fy[r, i] = y - math.floor(y)
        for c in range(cols):
            x = c + cp[i]
            fx[c, i] = x - math.floor(x)
    width = padded.shape[1]
    flat = padded.ravel()
    o00 = y0 * width + x0
    o01 = y0 * width + x1
    o10 = y1 * width + x0
    o11 = y1 * width + x1
    out = np.full((rows, cols), 255, np.uint8)
    for r in range(rows):
        for c in range(cols):
            if not inside[r, c]:
                continue
            base = r * width + c
            centre = flat[base + pad * width + pad]
            ones = 0
            changes = 0
            previous = 0
            for i in range(n):
                dy = fy[r, i]
                dx = fx[c, i]
                a = flat[base + o00[i]]
                if dy == 0.0 and dx == 0.0:
                    value = a
                else:
                    top = (1 - dx) * a + dx * flat[base + o01[i]]
                    bottom = (1 - dx) * flat[base + o10[i]] + dx * flat[base + o11[i]]
                    value = (1 - dy) * top + dy * bottom
                bit = np.int64(value - centre >= 0)
                ones += bit
                changes += (bit != previous) & (i > 0)
                previous = bit
            out[r, c] = ones if changes <= 2 else n + 1
    return out


@njit(cache=True, nogil=True)
def glcm_counts(image, offsets, levels):  # pragma: no cover - compiled
    """Co-occurrence counts ``(levels, levels, n_distances, n_angles)`` (uint32, not symmetric):
    ``out[i, j, d, a]`` counts pixels of level i whose neighbour at ``offsets[d, a]`` is level j."""
    rows, cols = image.shape
    n_d, n_a, _ = offsets.shape
    out = np.zeros((levels, levels, n_d, n_a), np.uint32)
    for d in range(n_d):
        for a in range(n_a):
            dr = offsets[d, a, 0]
            dc = offsets[d, a, 1]
            for r in range(max(0, -dr), min(rows, rows - dr)):
                for c in range(max(0, -dc), min(cols, cols - dc)):
                    out[image[r, c], image[r + dr, c + dc], d, a] += 1
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
