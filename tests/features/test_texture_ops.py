"""Texture operators against scikit-image (GLCM, LBP) and against what blur must do (sharpness,
spectrum); the field of view against discs of known radius."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage
from skimage.feature import graycomatrix, graycoprops, local_binary_pattern

from synthscope.features._fov import disc, field_of_view
from synthscope.features._texture_ops import (
    GLCM_ANGLES,
    GLCM_DISTANCES,
    GLCM_PROPS,
    LBP_SETTINGS,
    SPECTRUM_BINS,
    glcm_matrix,
    glcm_props,
    glcm_stats,
    lbp_histogram,
    lbp_uniform,
    sharpness,
    spectrum_profile,
)
from tests.features._data import SIZE, rayleigh_disc

ANGLES = [angle for _, angle in GLCM_ANGLES]
FAST = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def grey_images(min_side: int = 3, max_side: int = 40, top: int = 255):
    shapes = st.tuples(st.integers(min_side, max_side), st.integers(min_side, max_side))
    return shapes.flatmap(lambda s: arrays(np.uint8, s, elements=st.integers(0, top)))


@FAST
@given(
    image=grey_images(), radius=st.sampled_from([1, 1.5, 2, 3]), points=st.sampled_from([4, 8, 12])
)
def test_lbp_codes_equal_scikit_image(image, radius, points):
    expected = local_binary_pattern(image, points, radius, "uniform")
    np.testing.assert_array_equal(lbp_uniform(image, points, radius), expected)


def test_lbp_codes_equal_scikit_image_on_the_phantom(phantom):
    image = phantom.images[0]
    for points, radius in ((8, 1), (8, 2)):
        expected = local_binary_pattern(image, points, radius, "uniform")
        np.testing.assert_array_equal(lbp_uniform(image, points, radius), expected)


def test_lbp_histogram_counts_only_inside():
    image = rayleigh_disc(64)
    inside = np.zeros((64, 64), bool)
    inside[20:40, 20:40] = True
    inside[30, 45] = True  # a row with a gap inside it
    hist = lbp_histogram(image, inside)
    for k, (points, radius) in enumerate(LBP_SETTINGS):
        codes = local_binary_pattern(image, points, radius, "uniform")[inside].astype(int)
        part = hist[k * (points + 2) : (k + 1) * (points + 2)]
        np.testing.assert_allclose(part, np.bincount(codes, minlength=points + 2) / inside.sum())


@FAST
@given(image=grey_images(top=7))
def test_glcm_counts_equal_graycomatrix(image):
    expected = graycomatrix(image, list(GLCM_DISTANCES), ANGLES, levels=8, symmetric=True)
    np.testing.assert_array_equal(glcm_matrix(image, 8), expected)


def test_glcm_props_equal_graycoprops(phantom):
    quantised = phantom.images[1] >> 3
    matrix = graycomatrix(quantised, list(GLCM_DISTANCES), ANGLES, levels=32, symmetric=True)
    expected = np.stack([graycoprops(matrix, prop) for prop in GLCM_PROPS])
    np.testing.assert_allclose(glcm_props(matrix), expected, rtol=1e-10, atol=1e-12)


def test_glcm_props_of_a_flat_image_follow_graycoprops():
    matrix = graycomatrix(np.full((8, 8), 3, np.uint8), [1], [0.0], levels=8, symmetric=True)
    expected = np.stack([graycoprops(matrix, prop) for prop in GLCM_PROPS])
    np.testing.assert_array_equal(glcm_props(matrix), expected)  # correlation 1 by convention
    assert glcm_props(matrix)[GLCM_PROPS.index("correlation")].item() == 1.0


def test_glcm_stats_equal_a_direct_scikit_image_call():
    rng = np.random.default_rng(0)
    polar = rng.uniform(0, 255, (64, 32)).astype(np.float32)
    valid = np.ones(polar.shape, bool)
    quantised = polar.astype(np.uint8) >> 3
    matrix = graycomatrix(quantised, list(GLCM_DISTANCES), ANGLES, levels=32, symmetric=True)
    expected = np.stack([graycoprops(matrix, prop) for prop in GLCM_PROPS])
    np.testing.assert_allclose(glcm_stats(polar, valid), expected, rtol=1e-10)


def test_glcm_leaves_out_pairs_that_touch_invalid_samples():
    rng = np.random.default_rng(1)
    polar = rng.uniform(0, 255, (64, 32)).astype(np.float32)
    valid = np.ones(polar.shape, bool)
    valid[:, 20:] = False
    changed = polar.copy()
    changed[:, 20:] = 0  # what lies outside the view must not matter
    np.testing.assert_array_equal(glcm_stats(polar, valid), glcm_stats(changed, valid))


def blurred(image: np.ndarray, sigma: float) -> np.ndarray:
    return np.rint(ndimage.gaussian_filter(image.astype(np.float64), sigma)).astype(np.uint8)


def test_sharpness_falls_with_blur():
    # Speckle a pixel or two wide (white noise is not: on it a little blur raises sharp_ratio).
    image = blurred(rayleigh_disc(128, scale=60), 1.0)
    inside = ndimage.binary_erosion(image > 0, iterations=6)
    values = [sharpness(blurred(image, sigma), inside) for sigma in (0, 0.7, 1.5, 3.0)]
    for column in range(3):
        series = [v[column] for v in values]
        assert series == sorted(series, reverse=True), (column, series)


def test_sharpness_matches_scipy_sobel_and_laplace():
    image = rayleigh_disc(64)
    inside = np.zeros((64, 64), bool)
    inside[10:50, 10:50] = True
    inside[0, 5] = True  # on the image border: left out
    a = image.astype(np.float64)
    energy = ndimage.sobel(a, 0) ** 2 + ndimage.sobel(a, 1) ** 2
    core = inside.copy()
    core[0] = False
    tenengrad, laplacian, ratio = sharpness(image, inside)
    assert tenengrad == pytest.approx(np.log10(1 + energy[core].mean()), rel=1e-12)
    assert laplacian == pytest.approx(np.log10(1 + ndimage.laplace(a)[core].var()), rel=1e-12)
    assert ratio == pytest.approx(energy[core].mean() / a[core].var(), rel=1e-12)


def test_spectrum_high_frequencies_fall_with_blur_and_a_grating_peaks_at_its_frequency():
    image = rayleigh_disc(SIZE, scale=60)
    fov = field_of_view(image)
    sharp = spectrum_profile(image, fov.mask, fov.radius)
    soft = spectrum_profile(blurred(image, 1.5), fov.mask, fov.radius)
    assert (soft[SPECTRUM_BINS // 2 :] < sharp[SPECTRUM_BINS // 2 :] - 1).all()
    frequency = 0.2  # cycles per pixel: bin floor(0.2 / 0.5 * 16) = 6
    x = np.arange(SIZE)
    grating = (128 + 100 * np.sin(2 * np.pi * frequency * x))[None, :].repeat(SIZE, 0)
    profile = spectrum_profile(grating.astype(np.uint8), disc(SIZE, 120), 120)
    assert int(np.argmax(profile)) == int(frequency / 0.5 * SPECTRUM_BINS)


def test_the_taper_keeps_the_disc_edge_out_of_the_spectrum():
    # A smooth brightness ramp has no high frequencies; cutting it off at the disc's edge without a
    # taper puts power at every frequency (4.5 decades below the lowest bin; 7 with the taper,
    # down to the noise of rounding the ramp to grey levels).
    ramp = np.tile(np.linspace(50, 200, SIZE), (SIZE, 1)).astype(np.uint8)
    profile = spectrum_profile(ramp, disc(SIZE, SIZE // 2), SIZE // 2)
    assert profile[SPECTRUM_BINS // 2 :].mean() < profile[0] - 6


def test_field_of_view_finds_the_disc_the_label_map_or_the_whole_image():
    image = rayleigh_disc(SIZE)
    small = np.where(disc(SIZE, 80), image, 0).astype(np.uint8)
    assert field_of_view(small).radius == 80
    # Dark, clipped tissue (most pixels black) is still inside the view.
    sparse = np.random.default_rng(0).random((SIZE, SIZE)) < 0.2
    dark = np.where(sparse & disc(SIZE, 100), image, 0).astype(np.uint8)
    assert field_of_view(dark).radius == 100
    labels = np.where(disc(SIZE, 60), 2, 0).astype(np.uint8)
    fov = field_of_view(image, labels)
    assert fov.radius == 60 and np.array_equal(fov.mask, labels > 0)
    # An empty label map falls back to the image; an all-black image to the inscribed disc.
    assert field_of_view(small, np.zeros_like(labels)).radius == 80
    assert field_of_view(np.zeros((SIZE, SIZE), np.uint8)).radius == SIZE // 2
    # A caption beside the disc does not widen it.
    captioned = small.copy()
    captioned[120:126, 200:215] = 255
    assert field_of_view(captioned).radius == 80
