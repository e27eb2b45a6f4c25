"""Speckle statistics against independent references: the Rayleigh and Nakagami distributions,
numpy/scipy moments and percentiles, a Gaussian autocorrelation, and blur along a known axis."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage, stats

from synthscope.features import TextureExtractor
from synthscope.features._fov import N_ANGLES, N_RADII, field_of_view, polar_grid
from synthscope.features._speckle import (
    PERCENTILES,
    band_moments,
    first_order,
    fwhm,
    nakagami,
    speckle_widths,
)
from synthscope.features._texture_kernels import band_histograms
from tests.features._data import SIZE, rayleigh_disc

RAYLEIGH_SNR = np.sqrt(np.pi / (4 - np.pi))  # 1.913
COLUMNS = TextureExtractor.columns()


def column(row: np.ndarray, name: str) -> float:
    return float(row[..., COLUMNS.index(name)])


def histogram(values: np.ndarray) -> np.ndarray:
    return np.bincount(values.reshape(-1), minlength=256)[None, :]


def test_rayleigh_envelope_has_snr_1_91_and_nakagami_m_1():
    rng = np.random.default_rng(1)
    values = np.clip(np.rint(rng.rayleigh(40.0, 200_000)), 0, 255).astype(np.uint8)
    mean, _, _, _, snr, m, omega = band_moments(histogram(values))[0]
    assert snr == pytest.approx(RAYLEIGH_SNR, abs=0.02)
    assert m == pytest.approx(1.0, abs=0.02)
    assert omega == pytest.approx(2 * 40.0**2 / 255**2, rel=0.02)  # E[x²] = 2 sigma²
    assert mean == pytest.approx(40.0 * np.sqrt(np.pi / 2), rel=0.01)


def test_rayleigh_disc_through_the_extractor_gives_snr_1_91_in_every_band():
    row = TextureExtractor(threads=1).transform([rayleigh_disc()])[0]
    for b in range(4):
        assert column(row, f"band{b}_snr") == pytest.approx(RAYLEIGH_SNR, abs=0.06), b
        assert column(row, f"band{b}_nakagami_m") == pytest.approx(1.0, abs=0.06), b
    # Independent pixels: the speckle is about one pixel wide along both axes.
    assert column(row, "speckle_axial_b3") < 2.0


@pytest.mark.parametrize("m", [0.5, 1.0, 2.0, 4.0])
def test_nakagami_moment_estimators_recover_m_and_omega(m):
    rng = np.random.default_rng(int(m * 10))
    omega_grey = 60.0**2
    x = np.sqrt(rng.gamma(shape=m, scale=omega_grey / m, size=300_000))
    values = np.clip(np.rint(x), 0, 255).astype(np.uint8)
    _, _, _, _, _, m_hat, omega_hat = band_moments(histogram(values))[0]
    assert m_hat == pytest.approx(m, rel=0.05)
    assert omega_hat == pytest.approx(omega_grey / 255**2, rel=0.02)


def test_nakagami_is_zero_where_undefined():
    m, omega = nakagami(np.array([0.25, 0.0]), np.array([0.0625, 0.0]))
    assert m.tolist() == [0.0, 0.0] and omega.tolist() == [0.25, 0.0]


def test_first_order_matches_numpy_and_scipy():
    rng = np.random.default_rng(2)
    values = np.clip(rng.normal(100, 30, 50_000), 0, 255).astype(np.uint8)
    out = first_order(histogram(values)[0])
    x = values.astype(np.float64)
    assert out[0] == pytest.approx(x.mean())
    assert out[1] == pytest.approx(x.std())
    assert out[2] == pytest.approx(stats.skew(x))
    assert out[3] == pytest.approx(stats.kurtosis(x))
    expected = np.percentile(values, PERCENTILES, method="inverted_cdf")
    np.testing.assert_array_equal(out[4 : 4 + len(PERCENTILES)], expected)
    p = np.bincount(values, minlength=256) / values.size
    assert out[-3] == pytest.approx(stats.entropy(p[p > 0], base=2))
    assert out[-2] == pytest.approx(np.mean(values == 0))
    assert out[-1] == pytest.approx(np.mean(values == 255))
    # Exactly at a boundary: the 50th percentile of five 0s and five 10s is 0.
    tied = first_order(np.bincount([0] * 5 + [10] * 5, minlength=256))
    assert tied[4 : 4 + len(PERCENTILES)].tolist() == [0, 0, 0, 0, 10, 10, 10]


def test_band_moments_match_numpy_per_band():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 256, 4000).astype(np.uint8)
    band = rng.integers(0, 3, 4000)
    hists = np.stack([np.bincount(values[band == b], minlength=256) for b in range(3)])
    out = band_moments(hists)
    for b in range(3):
        x = values[band == b].astype(np.float64)
        assert out[b, 0] == pytest.approx(x.mean())
        assert out[b, 1] == pytest.approx(x.std())
        assert out[b, 2] == pytest.approx(stats.skew(x))
        assert out[b, 3] == pytest.approx(stats.kurtosis(x))
        assert out[b, 4] == pytest.approx(x.mean() / x.std())


def test_band_histograms_kernel_matches_bincount():
    rng = np.random.default_rng(4)
    image = rng.integers(0, 256, (40, 40)).astype(np.uint8)
    inside = rng.random((40, 40)) < 0.7
    distance = rng.random((40, 40)) * 30
    out = band_histograms(image, inside, distance, 4 / 25, 4)
    band = np.minimum((distance * (4 / 25)).astype(int), 3)
    for b in range(4):
        np.testing.assert_array_equal(
            out[b], np.bincount(image[inside & (band == b)], minlength=256)
        )


def test_fwhm_of_a_gaussian_autocorrelation():
    sigma = 3.0
    lags = np.arange(40)
    assert fwhm(np.exp(-(lags**2) / (2 * sigma**2))) == pytest.approx(
        2 * sigma * np.sqrt(2 * np.log(2)), abs=0.05
    )
    assert fwhm(np.ones(10)) == 20.0  # never falls to half: twice the length
    assert fwhm(np.zeros(10)) == 0.0


def cartesian_from_polar(polar: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Scan-convert an (angles, radii) array filling the inscribed disc (bilinear, angle wraps)."""
    n_angles, n_radii = polar.shape
    axis = np.arange(size) - (size - 1) / 2
    y, x = np.meshgrid(axis, axis, indexing="ij")
    radius = np.hypot(x, y) / (size / 2) * n_radii - 0.5
    angle = np.mod(np.arctan2(y, x), 2 * np.pi) / (2 * np.pi) * n_angles
    wrapped = np.concatenate([polar, polar[:1]])  # angle n_angles == angle 0
    out = ndimage.map_coordinates(wrapped, [angle, np.clip(radius, 0, n_radii - 1)], order=1)
    return np.where(np.hypot(x, y) < size / 2, out, 0)


def speckle_image(axial_sigma: float, lateral_sigma: float, seed: int = 5) -> np.ndarray:
    """Speckle made in the polar domain (complex Gaussian field blurred along each axis by the
    given widths in samples, envelope, log-compressed) and scan-converted."""
    rng = np.random.default_rng(seed)
    shape = (1024, 128)
    field = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    for part in (field.real, field.imag):
        ndimage.gaussian_filter(part, (lateral_sigma, axial_sigma), mode="wrap", output=part)
    envelope = np.abs(field)
    grey = 255 * np.clip(1 + 20 * np.log10(envelope / envelope.mean()) / 40, 0.02, 1)
    return cartesian_from_polar(grey).astype(np.uint8)


def widths(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    fov = field_of_view(image)
    grid = polar_grid(SIZE, fov.radius)
    polar = grid.sample(image)
    return speckle_widths(polar, grid.sample_mask(fov.mask), 4, grid.spacing)


def test_speckle_size_grows_along_the_axis_that_was_blurred():
    axial0, lateral0 = widths(speckle_image(1.0, 1.0))
    axial1, lateral1 = widths(speckle_image(3.0, 1.0))  # longer pulse: axial blur
    axial2, lateral2 = widths(speckle_image(1.0, 3.0))  # wider beam: lateral blur
    # Outer bands: the polar grid is not oversampled there, so widths are the speckle's own.
    outer = slice(2, 4)
    assert (axial1[outer] > 1.4 * axial0[outer]).all()
    assert (lateral1[outer] < 1.2 * lateral0[outer]).all()
    assert (lateral2[outer] > 1.4 * lateral0[outer]).all()
    assert (axial2[outer] < 1.2 * axial0[outer]).all()


def test_polar_samples_equal_scipy_bilinear_interpolation():
    image = rayleigh_disc()
    grid = polar_grid(SIZE, 120)
    angles = 2 * np.pi * np.arange(N_ANGLES) / N_ANGLES
    radii = (np.arange(N_RADII) + 0.5) * 119 / N_RADII  # out to one pixel short of the radius
    centre = (SIZE - 1) / 2
    y = centre + np.sin(angles)[:, None] * radii[None, :]
    x = centre + np.cos(angles)[:, None] * radii[None, :]
    expected = ndimage.map_coordinates(image.astype(np.float64), [y, x], order=1)
    np.testing.assert_allclose(grid.sample(image), expected, rtol=1e-5, atol=1e-3)
    assert grid.spacing == pytest.approx(119 / N_RADII)


def test_polar_grid_shape_and_masks():
    image = rayleigh_disc()
    fov = field_of_view(image)
    grid = polar_grid(SIZE, fov.radius)
    assert grid.sample(image).shape == (N_ANGLES, N_RADII)
    assert grid.sample_mask(fov.mask).all()  # every sample of the disc's grid lies in the disc
