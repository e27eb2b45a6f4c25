"""Test data for the feature tests: small phantom sets (256 px, the texture working size) and a
Rayleigh speckle disc."""

from __future__ import annotations

import numpy as np

from synthscope.phantom import PhantomFrames, PhantomParams, simulate

SIZE = 256
N_FRAMES = 6


def frames(seed: int = 3, **shift: float) -> PhantomFrames:
    """``N_FRAMES`` frames of two pullbacks; the same seed gives the same anatomy and scatterers,
    so a shifted set differs from the default one only where the knob acts."""
    params = PhantomParams().shifted(**shift) if shift else PhantomParams()
    return simulate(N_FRAMES, size=SIZE, seed=seed, pullbacks=2, params=params, workers=1)


def rayleigh_disc(size: int = SIZE, scale: float = 40.0, seed: int = 0) -> np.ndarray:
    """A disc of independent Rayleigh-distributed grey levels (fully developed speckle, linear
    envelope) on black, filling the inscribed circle."""
    rng = np.random.default_rng(seed)
    values = np.clip(np.rint(rng.rayleigh(scale, (size, size))), 1, 255)
    axis = np.arange(size) - (size - 1) / 2
    inside = np.hypot(axis[:, None], axis[None, :]) < size / 2
    return np.where(inside, values, 0).astype(np.uint8)
