"""Echo physics: Rayleigh speckle, calcium shadows, dark lumen, ring-down and guidewire."""

from __future__ import annotations

import math

import numpy as np

from synthscope.phantom import LABELS, PhantomParams, simulate
from synthscope.phantom._echo import draw_frame, speckle_envelope
from synthscope.phantom._scan import scan_geometry
from tests.phantom._phantom_data import pixel_angle, pixel_radius_mm

RAYLEIGH_SNR = math.sqrt(math.pi / (4 - math.pi))  # mean / std of a Rayleigh variable, 1.913


def _homogeneous_envelope(density: float, seed: int = 0, **knobs: float) -> np.ndarray:
    params = PhantomParams(noise_db=-200.0, **knobs)
    geometry = scan_geometry(128, params.n_lines, params.field_of_view_mm)
    draws = draw_frame(np.random.default_rng(seed), geometry.n_lines, geometry.n_depth)
    amplitude = np.ones((geometry.n_lines, geometry.n_depth), dtype=np.float32)
    return speckle_envelope(amplitude, density, draws, params, geometry)


def test_homogeneous_dense_scatterers_give_rayleigh_speckle():
    envelope = _homogeneous_envelope(1.0)[:, 16:-16]  # away from the depth edges of the PSF
    assert abs(envelope.mean() / envelope.std() - RAYLEIGH_SNR) < 0.04
    # Unit-energy PSF: the mean power equals the echogenicity (here 1), so grain size is free.
    assert abs(np.mean(envelope**2) - 1.0) < 0.05


def test_rayleigh_holds_for_every_speckle_size():
    for speckle_size in (0.5, 2.0):
        envelope = _homogeneous_envelope(1.0, seed=1, speckle_size=speckle_size)[:, 16:-16]
        assert abs(envelope.mean() / envelope.std() - RAYLEIGH_SNR) < 0.06
        assert abs(np.mean(envelope**2) - 1.0) < 0.08


def test_speckle_size_widens_the_envelope_autocorrelation():
    def lateral_correlation(envelope: np.ndarray, lag: int) -> float:
        x = envelope - envelope.mean()
        return float(np.mean(x * np.roll(x, lag, axis=0)) / np.mean(x * x))

    fine = _homogeneous_envelope(1.0, seed=2)[:, 16:-16]
    coarse = _homogeneous_envelope(1.0, seed=2, speckle_size=2.0)[:, 16:-16]
    assert lateral_correlation(coarse, 3) > lateral_correlation(fine, 3) + 0.2


def test_sparse_scatterers_give_pre_rayleigh_speckle():
    envelope = _homogeneous_envelope(0.05)[:, 16:-16]
    assert envelope.mean() / envelope.std() < RAYLEIGH_SNR - 0.3


def test_lumen_is_darker_than_plaque(default_set):
    away_from_catheter = pixel_radius_mm(default_set.images.shape[1]) > 0.8
    for image, labels in zip(default_set.images, default_set.labels, strict=True):
        lumen = image[(labels == LABELS["lumen"]) & away_from_catheter].mean()
        plaque = image[labels == LABELS["plaque"]].mean()
        assert lumen < 0.7 * plaque


def test_region_behind_calcium_is_darker_than_beside_it(calcified):
    size = calcified.images.shape[1]
    bins = np.minimum((pixel_angle(size) / (2 * np.pi) * 90).astype(int), 89)
    radius = pixel_radius_mm(size)
    for image, labels in zip(calcified.images, calcified.labels, strict=True):
        calcium_bins = np.unique(bins[labels == LABELS["calcium"]])
        # Angles fully behind the arc: calcium in this bin and both neighbours.
        core = np.intersect1d(
            np.intersect1d(calcium_bins, (calcium_bins + 1) % 90), (calcium_bins - 1) % 90
        )
        far = np.setdiff1d(
            np.arange(90), np.concatenate([calcium_bins + d for d in range(-3, 4)]) % 90
        )
        deep = (labels == LABELS["perivascular"]) & (radius > 3.0) & (radius < 4.8)
        behind = image[deep & np.isin(bins, core)]
        beside = image[deep & np.isin(bins, far)]
        assert behind.size > 50 and beside.size > 50
        assert behind.mean() < 0.6 * beside.mean()


def test_guidewire_casts_a_shadow():
    with_wire = simulate(
        3, size=160, seed=4, params=PhantomParams(calcium_probability=0.0), workers=1
    )
    without = simulate(
        3,
        size=160,
        seed=4,
        params=PhantomParams(calcium_probability=0.0, guidewire=False),
        workers=1,
    )
    assert np.array_equal(with_wire.labels, without.labels)  # the wire is not annotated
    radius = pixel_radius_mm(160)
    angle = pixel_angle(160)
    for k, record in enumerate(with_wire.records):
        wire = math.radians(record.guidewire_angle_deg)
        off = np.abs(np.angle(np.exp(1j * (angle - wire))))
        shadow = (off < 0.03) & (radius > 3.5) & (radius < 4.8)
        assert with_wire.images[k][shadow].mean() < 0.5 * without.images[k][shadow].mean()


def test_ringdown_brightens_the_catheter_surroundings_only():
    on = simulate(2, size=160, seed=8, workers=1)
    off = simulate(2, size=160, seed=8, params=PhantomParams(ringdown=0.0), workers=1)
    radius = pixel_radius_mm(160)
    near = (radius > 0.15) & (radius < 0.4)
    assert on.images[:, near].mean() > off.images[:, near].mean() + 20
    far = radius > 1.5
    assert np.mean(on.images[:, far] == off.images[:, far]) > 0.99
