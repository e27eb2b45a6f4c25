"""Phantom frames shared by the feature tests: small (256 px, the texture working size) and few."""

from __future__ import annotations

import numpy as np
import pytest

from synthscope.phantom import PhantomFrames, PhantomParams, simulate

SIZE = 256
N_FRAMES = 6


def frames(seed: int = 3, **shift: float) -> PhantomFrames:
    """``N_FRAMES`` frames of two pullbacks; the same seed gives the same anatomy and scatterers,
    so a shifted set differs from the default one only where the knob acts."""
    params = PhantomParams().shifted(**shift) if shift else PhantomParams()
    return simulate(N_FRAMES, size=SIZE, seed=seed, pullbacks=2, params=params, workers=1)


@pytest.fixture(scope="session")
def phantom() -> PhantomFrames:
    return frames()


@pytest.fixture(scope="session")
def phantom_shifted() -> dict[str, PhantomFrames]:
    """The default frames with each of the knobs the texture tests follow at its shifted value."""
    return {
        "speckle_size": frames(speckle_size=1.8),
        "blur_px": frames(blur_px=1.5),
        "gain_db": frames(gain_db=6.0),
        "dynamic_range_db": frames(dynamic_range_db=35.0),
    }


def rayleigh_disc(size: int = SIZE, scale: float = 40.0, seed: int = 0) -> np.ndarray:
    """A disc of independent Rayleigh-distributed grey levels (fully developed speckle, linear
    envelope) on black, filling the inscribed circle."""
    rng = np.random.default_rng(seed)
    values = np.clip(np.rint(rng.rayleigh(scale, (size, size))), 1, 255)
    axis = np.arange(size) - (size - 1) / 2
    inside = np.hypot(axis[:, None], axis[None, :]) < size / 2
    return np.where(inside, values, 0).astype(np.uint8)
