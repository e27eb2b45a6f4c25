"""Each shift knob changes the images in its own way and leaves anatomy and labels alone."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from synthscope.phantom import LABELS, SHIFT_KNOBS, PhantomFrames, PhantomParams, simulate
from tests.phantom._phantom_data import pixel_radius_mm

SIZE = 128


def _frames(size: int = SIZE, **knobs: float) -> PhantomFrames:
    params = PhantomParams(**knobs)
    return simulate(2, size=size, seed=21, pullbacks=2, params=params, workers=1)


@pytest.fixture(scope="module")
def default() -> PhantomFrames:
    return _frames()


@pytest.mark.parametrize("knob", sorted(SHIFT_KNOBS))
def test_a_shift_knob_changes_images_and_nothing_else(default, knob):
    shifted = _frames(**{knob: SHIFT_KNOBS[knob]})
    assert np.array_equal(shifted.labels, default.labels)
    assert shifted.records == default.records
    assert np.mean(shifted.images != default.images) > 0.01


def test_dynamic_range_rescales_levels_below_the_ceiling(default):
    # 255 - value = 255 * (ceiling - level) / range: narrowing 50 -> 35 dB stretches it by 50/35.
    # Polar samples clip at black before scan conversion, so compare bright pixels only.
    shifted = _frames(dynamic_range_db=35.0)
    keep = (default.images > 120) & (default.images < 245)
    error = (255.0 - shifted.images[keep]) - (255.0 - default.images[keep]) * 50.0 / 35.0
    assert keep.sum() > 1000
    assert np.mean(np.abs(error) <= 2.0) > 0.97


def test_gain_adds_a_constant_level(default):
    shifted = _frames(gain_db=6.0)
    keep = (default.images > 30) & (default.images < 200)
    step = shifted.images[keep].astype(float) - default.images[keep]
    assert np.mean(np.abs(step - 255 * 6.0 / 50.0) <= 2.0) > 0.97


def test_blur_lowers_speckle_contrast_but_not_brightness(default):
    shifted = _frames(blur_px=1.5)
    wall = default.labels == LABELS["plaque"]
    assert shifted.images[wall].std() < 0.85 * default.images[wall].std()
    assert abs(shifted.images[wall].mean() - default.images[wall].mean()) < 6


def test_noise_lifts_the_dark_deep_field(default):
    shifted = _frames(noise_db=-28.0)
    deep = (pixel_radius_mm(SIZE) > 4.0) & (pixel_radius_mm(SIZE) < 4.9)
    assert shifted.images[:, deep].mean() > default.images[:, deep].mean() + 3


def test_speckle_size_coarsens_the_grain():
    def grain(images: np.ndarray, labels: np.ndarray) -> float:
        x = images.astype(float)
        x -= ndimage.gaussian_filter(x, (0, 4, 4))  # drop the tissue texture, keep the speckle
        both = (labels[:, :, 1:] == LABELS["plaque"]) & (labels[:, :, :-1] == LABELS["plaque"])
        return float(np.corrcoef(x[:, :, 1:][both], x[:, :, :-1][both])[0, 1])

    # At 128 px a pixel (78 µm) is wider than a speckle grain, so look at 400 px frames.
    base, shifted = _frames(size=400), _frames(size=400, speckle_size=1.8)
    assert grain(shifted.images, shifted.labels) > grain(base.images, base.labels) + 0.05
    wall = base.labels == LABELS["plaque"]
    assert abs(shifted.images[wall].mean() - base.images[wall].mean()) < 8


def test_attenuation_darkens_depth(default):
    shifted = _frames(attenuation_db_cm_mhz=1.0)
    deep = (pixel_radius_mm(SIZE) > 3.5) & (pixel_radius_mm(SIZE) < 4.9)
    assert shifted.images[:, deep].mean() < default.images[:, deep].mean() - 5


def test_blood_echo_brightens_the_lumen(default):
    shifted = _frames(blood_echo_db=-14.0)
    lumen = (default.labels == LABELS["lumen"]) & (pixel_radius_mm(SIZE) > 0.8)
    assert shifted.images[lumen].mean() > default.images[lumen].mean() + 15
