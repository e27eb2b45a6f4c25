"""``texture``: speckle and texture statistics of the field of view, 150 named columns.

Each image is brought to the working size (256 x 256: centred square, Pillow bilinear; see
``_working``), its field of view found (label map > 0, else the non-black disc around the centre;
see ``_fov``), and resampled to a polar grid around the catheter (512 A-lines x 128 depths). The
columns, in their stored order (``TextureExtractor.columns()``; one line each in
``TextureExtractor.describe()`` and ``docs/features.md``):

- ``fov_radius``: radius of the field of view over half the image side.
- ``mean``, ``std``, ``skewness``, ``kurtosis`` (excess), ``p01`` .. ``p99`` (percentiles),
  ``entropy`` (bits), ``black_fraction``, ``white_fraction``: grey levels inside the field of view.
- ``band{b}_mean``, ``_std``, ``_skewness``, ``_kurtosis``, ``_snr``, ``_nakagami_m``,
  ``_nakagami_omega``: the same per radial band b = 0..3 (equal widths from the catheter out),
  with the envelope SNR (mean / std, 1.91 for Rayleigh speckle) and Nakagami m and Ω (moment
  estimators on grey / 255).
- ``speckle_axial_b{b}`` (pixels), ``speckle_lateral_b{b}`` (degrees): FWHM of the speckle's
  autocorrelation along and across A-lines in the polar image, per band.
- ``glcm_{prop}_d{d}_{direction}``: co-occurrence contrast, dissimilarity, homogeneity, ASM and
  correlation at distances 1, 3, 5 (polar samples) along the A-line (axial), across (lateral)
  and the two diagonals, on 32 grey levels.
- ``lbp{R}_u{k}``: fraction of pixels with uniform LBP code k (P = 8 at radius R = 1, 2; k = 9 is
  "not uniform").
- ``sharp_tenengrad``, ``sharp_laplacian`` (log10 of 1 + the value), ``sharp_ratio``
  (Tenengrad / variance, per pixel²).
- ``psd_{k}``: log10 power in radial frequency bin k = 0..15 of (0, 0.5) cycles per pixel.

The columns have different units, so the realism side standardises them by the real set's mean
and standard deviation before any test (:attr:`TextureExtractor.standardize`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from synthscope.errors import InvalidParameterError
from synthscope.features._fov import disc, distance_map, field_of_view, polar_grid
from synthscope.features._registry import Extractor, register
from synthscope.features._speckle import PERCENTILES, band_moments, first_order, speckle_widths
from synthscope.features._texture_ops import (
    GLCM_ANGLES,
    GLCM_DISTANCES,
    GLCM_PROPS,
    LBP_SETTINGS,
    SPECTRUM_BINS,
    glcm_stats,
    lbp_histogram,
    sharpness,
    spectrum_profile,
)
from synthscope.features._threads import map_threads
from synthscope.features._working import labels_to_working_size, to_working_size

__all__ = ["TextureExtractor", "texture_row"]

WORKING_SIZE = 256
N_BANDS = 4
_BAND_STATS = (
    ("mean", "mean grey level"),
    ("std", "standard deviation of grey levels"),
    ("skewness", "skewness of grey levels"),
    ("kurtosis", "excess kurtosis of grey levels"),
    ("snr", "envelope SNR, mean / std (1.91 for Rayleigh speckle)"),
    ("nakagami_m", "Nakagami shape m, E[x²]² / Var(x²) on x = grey / 255 (1 for Rayleigh)"),
    ("nakagami_omega", "Nakagami spread Ω = E[x²] on x = grey / 255"),
)
_GLCM_TEXT = {
    "contrast": "co-occurrence contrast, sum of P(i, j) (i - j)²",
    "dissimilarity": "co-occurrence dissimilarity, sum of P(i, j) |i - j|",
    "homogeneity": "co-occurrence homogeneity, sum of P(i, j) / (1 + (i - j)²)",
    "ASM": "co-occurrence angular second moment, sum of P(i, j)²",
    "correlation": "co-occurrence correlation of the paired grey levels",
}


def _describe() -> list[tuple[str, str]]:
    rows = [("fov_radius", "radius of the field of view / half the image side")]
    rows += [
        ("mean", "mean grey level in the field of view"),
        ("std", "standard deviation of grey levels in the field of view"),
        ("skewness", "skewness of grey levels in the field of view"),
        ("kurtosis", "excess kurtosis of grey levels in the field of view"),
    ]
    rows += [
        (f"p{q:02d}", f"{q}th percentile of grey levels in the field of view") for q in PERCENTILES
    ]
    rows += [
        ("entropy", "entropy (bits) of the 256-bin grey-level histogram"),
        ("black_fraction", "fraction of field-of-view pixels at grey level 0"),
        ("white_fraction", "fraction of field-of-view pixels at grey level 255"),
    ]
    for b in range(N_BANDS):
        where = f"in radial band {b} ({b}/4 to {b + 1}/4 of the radius)"
        rows += [(f"band{b}_{name}", f"{text} {where}") for name, text in _BAND_STATS]
    for b in range(N_BANDS):
        rows.append((f"speckle_axial_b{b}", f"speckle FWHM along A-lines (pixels) in band {b}"))
    for b in range(N_BANDS):
        rows.append((f"speckle_lateral_b{b}", f"speckle FWHM across A-lines (degrees) in band {b}"))
    for prop in GLCM_PROPS:
        for d in GLCM_DISTANCES:
            for direction, _ in GLCM_ANGLES:
                text = f"{_GLCM_TEXT[prop]}, distance {d}, {direction} (polar image)"
                rows.append((f"glcm_{prop}_d{d}_{direction}", text))
    for n_points, radius in LBP_SETTINGS:
        for k in range(n_points + 2):
            what = "non-uniform patterns" if k == n_points + 1 else f"uniform code {k}"
            rows.append((f"lbp{radius}_u{k}", f"fraction of {what}, LBP P={n_points} R={radius}"))
    rows += [
        ("sharp_tenengrad", "log10(1 + mean squared Sobel gradient)"),
        ("sharp_laplacian", "log10(1 + variance of the 4-neighbour Laplacian)"),
        ("sharp_ratio", "mean squared Sobel gradient / grey-level variance (1/pixel²)"),
    ]
    step = 0.5 / SPECTRUM_BINS
    for k in range(SPECTRUM_BINS):
        rows.append(
            (f"psd_{k:02d}", f"log10 power at {k * step:.5g}-{(k + 1) * step:.5g} cycles/pixel")
        )
    return rows


_COLUMNS = _describe()


def _erode(mask: np.ndarray) -> np.ndarray:
    """``mask`` less a 3-px border: the stencils (3 x 3 Sobel, LBP at radius 2 with bilinear
    neighbours) then read the field of view only."""
    from scipy import ndimage

    return ndimage.minimum_filter(mask.view(np.uint8), size=7, mode="constant").astype(bool)


@functools.lru_cache(maxsize=64)
def _eroded_disc(size: int, radius: int) -> np.ndarray:
    return _erode(disc(size, radius))


def _interior(mask: np.ndarray, radius: int) -> np.ndarray:
    if mask is disc(mask.shape[0], radius):
        return _eroded_disc(mask.shape[0], radius)
    return _erode(mask)


def texture_row(image: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
    """The 150 texture statistics of one uint8 grayscale image (any size), float64."""
    work = to_working_size(image, WORKING_SIZE)
    lab = None if labels is None else labels_to_working_size(labels, WORKING_SIZE)
    fov = field_of_view(work, lab)
    mask, radius = fov.mask, fov.radius
    grid = polar_grid(WORKING_SIZE, radius)
    polar = grid.sample(work)
    valid = grid.sample_mask(mask)
    from synthscope.features._texture_kernels import band_histograms  # numba: loaded on first use

    hists = band_histograms(work, mask, distance_map(WORKING_SIZE), N_BANDS / radius, N_BANDS)
    interior = _interior(mask, radius)
    axial, lateral = speckle_widths(polar, valid, N_BANDS, grid.spacing)
    parts = [
        [radius / (WORKING_SIZE / 2)],
        first_order(hists.sum(axis=0)),
        band_moments(hists).reshape(-1),
        axial,
        lateral,
        glcm_stats(polar, valid).reshape(-1),
        lbp_histogram(work, interior),
        sharpness(work, interior),
        spectrum_profile(work, mask, radius),
    ]
    return np.concatenate([np.asarray(p, dtype=np.float64).reshape(-1) for p in parts])


@register
class TextureExtractor(Extractor):
    """``texture``: speckle and texture statistics inside the field of view (150 columns)."""

    kind = "texture"
    syntax = "texture"
    version = "1"
    batch_size = 64
    #: The columns have different units (grey levels, pixels, degrees, fractions, log power):
    #: standardise by the real set's mean and standard deviation before distances or tests.
    standardize: ClassVar[bool] = True

    def __init__(self, *, threads: int | None = None) -> None:
        # Threads change speed only, never the vectors: not part of params().
        self.threads = threads

    @classmethod
    def from_arg(cls, arg: str | None) -> TextureExtractor:
        if arg is not None:
            raise InvalidParameterError(
                f"features 'texture:{arg}': texture takes no argument (write 'texture')",
                parameter="features",
            )
        return cls()

    @staticmethod
    def columns() -> list[str]:
        """Column names, in the order of each row."""
        return [name for name, _ in _COLUMNS]

    @staticmethod
    def describe() -> list[tuple[str, str]]:
        """(column, one-line description) for every column, in order."""
        return list(_COLUMNS)

    def params(self) -> dict[str, Any]:
        return {
            "working_size": WORKING_SIZE,
            "bands": N_BANDS,
            "columns": len(_COLUMNS),
        }

    def input_size(self) -> int | None:
        return WORKING_SIZE

    def transform(
        self,
        images: Sequence[np.ndarray],
        label_maps: Sequence[np.ndarray | None] | None = None,
    ) -> np.ndarray:
        n = len(images)
        if label_maps is None:
            label_maps = [None] * n
        if len(label_maps) != n:
            raise InvalidParameterError(
                f"texture: {len(label_maps)} label maps for {n} images", parameter="label_maps"
            )
        out = np.zeros((n, len(_COLUMNS)), dtype=np.float32)
        if not n:
            return out
        out[:] = np.stack(map_threads(texture_row, images, label_maps, threads=self.threads))
        return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)
