"""Texture operators: grey-level co-occurrence, uniform local binary patterns, sharpness and the
radial profile of the power spectrum, each restricted to the field of view.

- GLCM: scikit-image's ``graycomatrix`` (symmetric) on the polar image quantised to
  :data:`GLCM_LEVELS` levels; samples outside the field of view get an extra level 0 whose row and
  column are dropped, so pairs that touch the outside are not counted. Properties from
  ``graycoprops``. The counts come from a numba kernel that equals ``graycomatrix`` (a test checks)
  and runs without the GIL, so threads overlap.
- LBP: scikit-image's ``local_binary_pattern(image, P, R, "uniform")`` (rotation-invariant uniform
  patterns, P + 2 codes), from a numba kernel with the same arithmetic (scikit-image's holds the GIL
  and takes 14 ms at 256 x 256); a test checks the codes equal scikit-image's.
- Sharpness: Tenengrad (mean squared 3 x 3 Sobel gradient), variance of the 4-neighbour Laplacian,
  and their scale-free companion, gradient energy over grey-level variance.
- Spectrum: the field of view, mean removed and tapered to 0 at its edge (cosine roll-off over the
  outer eighth of the radius), Fourier transformed; mean power per radial frequency bin.
"""

from __future__ import annotations

import functools
import math

import numpy as np

__all__ = [
    "GLCM_ANGLES",
    "GLCM_DISTANCES",
    "GLCM_LEVELS",
    "GLCM_PROPS",
    "LBP_SETTINGS",
    "SPECTRUM_BINS",
    "glcm_matrix",
    "glcm_offsets",
    "glcm_props",
    "glcm_stats",
    "lbp_histogram",
    "lbp_offsets",
    "lbp_uniform",
    "sharpness",
    "spectrum_profile",
]

GLCM_LEVELS = 32
#: Distances in polar samples; with graycomatrix's rounding the diagonals are then 1, 2 and 4
#: samples along each axis (distances 1 and 2 would give the same diagonal pair).
GLCM_DISTANCES = (1, 3, 5)
#: (name, angle): in the (angles, radii) polar image, angle 0 pairs samples along the A-line
#: (axial) and pi/2 across A-lines (lateral).
GLCM_ANGLES = (
    ("axial", 0.0),
    ("diag45", np.pi / 4),
    ("lateral", np.pi / 2),
    ("diag135", 3 * np.pi / 4),
)
GLCM_PROPS = ("contrast", "dissimilarity", "homogeneity", "ASM", "correlation")
#: (P, R) of each uniform LBP histogram.
LBP_SETTINGS = ((8, 1), (8, 2))
SPECTRUM_BINS = 16


def lbp_offsets(n_points: int, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour (row, column) offsets exactly as scikit-image computes them (5 decimals)."""
    angles = 2 * np.pi * np.arange(n_points, dtype=np.double) / n_points
    return np.round(-radius * np.sin(angles), 5), np.round(radius * np.cos(angles), 5)


def glcm_offsets(distances, angles) -> np.ndarray:
    """(distance, angle) -> (row, column) offsets as ``graycomatrix`` takes them: sin and cos
    times the distance, rounded half away from zero. Shape ``(len(distances), len(angles), 2)``."""

    def rounded(value: float) -> int:
        return int(math.copysign(math.floor(abs(value) + 0.5), value))

    return np.array(
        [[(rounded(math.sin(a) * d), rounded(math.cos(a) * d)) for a in angles] for d in distances],
        dtype=np.int64,
    )


_GLCM_OFFSETS = glcm_offsets(GLCM_DISTANCES, [angle for _, angle in GLCM_ANGLES])


def glcm_matrix(quantised: np.ndarray, levels: int) -> np.ndarray:
    """Symmetric co-occurrence counts of a quantised image, as ``graycomatrix(quantised,
    GLCM_DISTANCES, angles, levels, symmetric=True)`` gives them (a numba kernel without the GIL)."""
    from synthscope.features._texture_kernels import glcm_counts  # numba: loaded on first use

    counts = glcm_counts(quantised, _GLCM_OFFSETS, levels)
    return counts + counts.transpose(1, 0, 2, 3)


def glcm_stats(polar: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """``(len(GLCM_PROPS), len(GLCM_DISTANCES), len(GLCM_ANGLES))`` co-occurrence properties."""
    levels = np.clip(polar, 0, 255).astype(np.uint8) >> 3  # 32 levels
    quantised = np.where(valid, levels + 1, 0).astype(np.uint8)
    return glcm_props(glcm_matrix(quantised, GLCM_LEVELS + 1)[1:, 1:])


def glcm_props(matrix: np.ndarray) -> np.ndarray:
    """:data:`GLCM_PROPS` of co-occurrence counts ``(L, L, n_d, n_a)``, with ``graycoprops``'s
    definitions (correlation 1 where a level does not vary), all at once:
    ``(len(GLCM_PROPS), n_d, n_a)``."""
    p = matrix.astype(np.float64)
    total = p.sum(axis=(0, 1), keepdims=True)
    p /= np.where(total == 0, 1.0, total)
    levels = p.shape[0]
    i = np.arange(levels, dtype=np.float64)[:, None, None, None]
    j = np.arange(levels, dtype=np.float64)[None, :, None, None]
    diff = i - j
    mean_i = (p * i).sum(axis=(0, 1))
    mean_j = (p * j).sum(axis=(0, 1))
    std_i = np.sqrt((p * (i - mean_i) ** 2).sum(axis=(0, 1)))
    std_j = np.sqrt((p * (j - mean_j) ** 2).sum(axis=(0, 1)))
    cov = (p * (i - mean_i) * (j - mean_j)).sum(axis=(0, 1))
    flat = (std_i < 1e-15) | (std_j < 1e-15)
    correlation = np.where(flat, 1.0, cov / np.where(flat, 1.0, std_i * std_j))
    return np.stack(
        [
            (p * diff**2).sum(axis=(0, 1)),
            (p * np.abs(diff)).sum(axis=(0, 1)),
            (p / (1.0 + diff**2)).sum(axis=(0, 1)),
            (p**2).sum(axis=(0, 1)),
            correlation,
        ]
    )


def lbp_uniform(image: np.ndarray, n_points: int, radius: float, inside=None) -> np.ndarray:
    """Uniform LBP codes (0..P+1), equal to scikit-image's ``local_binary_pattern(image, P, R,
    "uniform")`` where ``inside`` (everywhere by default), 255 elsewhere."""
    image = np.ascontiguousarray(image, dtype=np.float64)
    if inside is None:
        inside = np.ones(image.shape, dtype=bool)
    from synthscope.features._texture_kernels import lbp_codes  # numba: loaded on first use

    pad = int(np.ceil(radius)) + 1
    padded = np.pad(image, pad)
    return lbp_codes(padded, np.ascontiguousarray(inside), pad, *lbp_offsets(n_points, radius))


@functools.lru_cache(maxsize=4)
def _lbp_tables() -> tuple[int, np.ndarray, np.ndarray]:
    pad = max(int(np.ceil(radius)) for _, radius in LBP_SETTINGS) + 1
    offsets = [lbp_offsets(points, radius) for points, radius in LBP_SETTINGS]
    return pad, np.stack([o[0] for o in offsets]), np.stack([o[1] for o in offsets])


def lbp_histogram(image: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Concatenated normalised uniform-LBP histograms (:data:`LBP_SETTINGS`) over ``inside``."""
    from synthscope.features._texture_kernels import lbp_counts  # numba: loaded on first use

    pad, rps, cps = _lbp_tables()
    padded = np.pad(np.asarray(image, dtype=np.float64), pad)
    counts = lbp_counts(padded, np.ascontiguousarray(inside), pad, rps, cps)
    return (counts / max(int(counts[0].sum()), 1)).reshape(-1)


def sharpness(image: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """log10(1 + Tenengrad), log10(1 + Laplacian variance), Tenengrad / grey-level variance.

    Over the pixels ``inside`` and off the image border; ``inside`` must exclude a 1-px border of
    the field of view (the stencils are 3 x 3). Sums are exact integers (a numba kernel).
    """
    from synthscope.features._texture_kernels import sharpness_sums  # numba: loaded on first use

    n, energy, lap, lap2, grey, grey2 = sharpness_sums(
        np.ascontiguousarray(image, dtype=np.uint8), np.ascontiguousarray(inside)
    )
    if n == 0:
        return np.zeros(3)
    n, energy, lap, lap2, grey, grey2 = (int(v) for v in (n, energy, lap, lap2, grey, grey2))
    tenengrad = energy / n
    lap_var = (n * lap2 - lap * lap) / (n * n)  # exact integers until this division
    variance = (n * grey2 - grey * grey) / (n * n)
    return np.array(
        [
            np.log10(1.0 + tenengrad),
            np.log10(1.0 + lap_var),
            tenengrad / variance if variance > 1e-9 else 0.0,
        ]
    )


@functools.lru_cache(maxsize=8)
def _frequency_bins(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Radial bin of every ``rfft2`` coefficient (DC and |f| >= 0.5 go to the last, dropped bin)."""
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    f = np.hypot(fy, fx).reshape(-1)
    bins = np.minimum(np.floor(f / 0.5 * SPECTRUM_BINS), SPECTRUM_BINS).astype(np.intp)
    bins[0] = SPECTRUM_BINS
    counts = np.bincount(bins, minlength=SPECTRUM_BINS + 1)[:SPECTRUM_BINS].astype(np.float64)
    return bins, counts


@functools.lru_cache(maxsize=64)
def _taper(size: int, radius: int) -> np.ndarray:
    centre = (size - 1) / 2
    axis = np.arange(size) - centre
    r = np.hypot(axis[:, None], axis[None, :]) / max(radius, 1)
    roll = np.clip((r - 7 / 8) * 8, 0.0, 1.0)
    taper = np.where(r < 1, np.cos(roll * np.pi / 2) ** 2, 0.0).astype(np.float32)
    taper.setflags(write=False)
    return taper


def spectrum_profile(image: np.ndarray, inside: np.ndarray, radius: int) -> np.ndarray:
    """log10 of the mean power in :data:`SPECTRUM_BINS` radial frequency bins over (0, 0.5)
    cycles/pixel, per unit window energy (grey levels², so a gain change shifts every bin)."""
    from scipy import fft

    size = image.shape[0]
    window = _taper(size, radius) * inside
    energy = float((window * window).sum())
    if energy <= 0:
        return np.full(SPECTRUM_BINS, -6.0)
    a = image.astype(np.float32)
    mean = float((a * window).sum() / window.sum())
    spectrum = fft.rfft2((a - mean) * window)
    power = spectrum.real * spectrum.real + spectrum.imag * spectrum.imag
    bins, counts = _frequency_bins(size)
    sums = np.bincount(bins, weights=power.reshape(-1), minlength=SPECTRUM_BINS + 1)[:SPECTRUM_BINS]
    return np.log10(sums / counts / energy + 1e-6)
