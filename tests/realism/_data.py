"""Synthetic feature sets for the realism tests: Gaussians and correlated 'pullbacks'."""

from __future__ import annotations

import numpy as np


def gaussians(
    n_real: int, n_fake: int, dim: int, *, shift: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two standard normal sets; the fake one moved by ``shift`` along every axis."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_real, dim)), rng.normal(size=(n_fake, dim)) + shift


def pullbacks(
    n_groups: int,
    n_frames: int,
    dim: int,
    *,
    rho: float = 0.95,
    shift: float = 0.0,
    seed: int = 0,
) -> tuple[np.ndarray, list[int]]:
    """``n_groups`` AR(1) sequences of ``n_frames`` frames, each around its own random offset.

    Frames of one group are strongly correlated (the IVUS pullback trap of the reference notes).
    """
    rng = np.random.default_rng(seed)
    out = np.empty((n_groups * n_frames, dim))
    innovation = np.sqrt(1.0 - rho * rho)
    for g in range(n_groups):
        offset = rng.normal(size=dim) * 2.0 + shift
        state = rng.normal(size=dim)
        for t in range(n_frames):
            state = rho * state + innovation * rng.normal(size=dim)
            out[g * n_frames + t] = offset + state
    groups = [g for g in range(n_groups) for _ in range(n_frames)]
    return out, groups


def pullback_pair(
    n_groups: int, n_frames: int, dim: int, *, shift: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Real and fake pullback sets from one process (fake moved by ``shift``) with pooled groups."""
    real, g_real = pullbacks(n_groups, n_frames, dim, seed=seed)
    fake, g_fake = pullbacks(n_groups, n_frames, dim, shift=shift, seed=seed + 10_000)
    groups = [f"r{g}" for g in g_real] + [f"f{g}" for g in g_fake]
    return real, fake, groups
