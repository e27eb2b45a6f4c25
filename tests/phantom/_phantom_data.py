"""Geometry helpers and sizes shared by the phantom tests."""

from __future__ import annotations

import numpy as np

SIZE = 128


def pixel_radius_mm(size: int, fov_mm: float = 10.0) -> np.ndarray:
    """Distance of every pixel centre from the frame centre, in mm."""
    centres = (np.arange(size) + 0.5 - size / 2) * (fov_mm / size)
    return np.hypot(centres[None, :], centres[:, None])


def pixel_angle(size: int) -> np.ndarray:
    """Angle of every pixel centre around the frame centre, in [0, 2 pi)."""
    centres = np.arange(size) + 0.5 - size / 2
    return np.mod(np.arctan2(centres[:, None], centres[None, :]), 2 * np.pi)
