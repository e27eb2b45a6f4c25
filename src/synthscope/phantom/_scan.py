"""The polar acquisition grid and its scan conversion to a square Cartesian frame.

A frame is acquired as ``n_lines`` A-lines (angles ``2*pi*i/n_lines`` around the catheter, counted
from the +x axis towards +y, i.e. clockwise on screen because image rows grow downwards) times
``n_depth`` samples (centres at ``(j + 0.5) * dr``). Scan conversion interpolates bilinearly
between the four nearest polar samples; the indices and weights are computed once per geometry and
reused for every frame, which is what makes conversion cheap.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["ScanGeometry", "scan_geometry"]


@dataclass(frozen=True, eq=False)
class ScanGeometry:
    """Polar grid plus the lookup table from every pixel inside the imaging circle to it."""

    size: int
    n_lines: int
    n_depth: int
    fov_mm: float
    depth_mm: np.ndarray  # (n_depth,) sample centres
    inside: np.ndarray  # (n_inside,) flat pixel indices inside the imaging circle
    radius_mm: np.ndarray  # (n_inside,) pixel distance from the catheter centre
    line0: np.ndarray  # (n_inside,) A-line before the pixel's angle
    line1: np.ndarray  # (n_inside,) A-line after it (wrapping)
    line_w: np.ndarray  # (n_inside,) weight of line1
    corners: np.ndarray  # (4, n_inside) flat polar indices: (l0,d0) (l0,d1) (l1,d0) (l1,d1)
    weights: np.ndarray  # (4, n_inside) bilinear weights of the corners

    @property
    def dr_mm(self) -> float:
        return self.fov_mm / 2 / self.n_depth

    def to_cartesian(self, polar: np.ndarray) -> np.ndarray:
        """Scan-convert a ``(n_lines, n_depth)`` float array; 0 outside the imaging circle."""
        flat = polar.reshape(-1)
        values = self.weights[0] * flat[self.corners[0]]
        for k in range(1, 4):
            values += self.weights[k] * flat[self.corners[k]]
        out = np.zeros(self.size * self.size, dtype=np.float32)
        out[self.inside] = values
        return out.reshape(self.size, self.size)

    def at_pixels(self, per_line: np.ndarray) -> np.ndarray:
        """Interpolate a per-A-line quantity (a border radius) at every inside pixel's angle."""
        return per_line[self.line0] * (1.0 - self.line_w) + per_line[self.line1] * self.line_w


@functools.lru_cache(maxsize=8)
def scan_geometry(size: int, n_lines: int, fov_mm: float) -> ScanGeometry:
    """Build (once per arguments) the polar grid and scan-conversion table for a frame size."""
    n_depth = max(256, math.ceil(size / 2))
    radius = fov_mm / 2
    pixel = fov_mm / size
    centres = (np.arange(size, dtype=np.float64) + 0.5 - size / 2) * pixel
    y, x = np.meshgrid(centres, centres, indexing="ij")
    r = np.hypot(x, y).reshape(-1)
    inside = np.flatnonzero(r <= radius)
    r = r[inside]
    angle = np.mod(np.arctan2(y.reshape(-1)[inside], x.reshape(-1)[inside]), 2 * np.pi)

    fl = angle / (2 * np.pi) * n_lines
    l0 = np.floor(fl).astype(np.int64) % n_lines
    l1 = (l0 + 1) % n_lines
    wl = (fl - np.floor(fl)).astype(np.float32)

    dr = radius / n_depth
    fd = np.clip(r / dr - 0.5, 0.0, n_depth - 1.0)
    d0 = np.minimum(np.floor(fd).astype(np.int64), n_depth - 2)
    d1 = d0 + 1
    wd = (fd - d0).astype(np.float32)

    corners = np.stack([l0 * n_depth + d0, l0 * n_depth + d1, l1 * n_depth + d0, l1 * n_depth + d1])
    weights = np.stack([(1 - wl) * (1 - wd), (1 - wl) * wd, wl * (1 - wd), wl * wd])
    depth = ((np.arange(n_depth) + 0.5) * dr).astype(np.float32)
    return ScanGeometry(
        size=size,
        n_lines=n_lines,
        n_depth=n_depth,
        fov_mm=fov_mm,
        depth_mm=depth,
        inside=inside.astype(np.int64),
        radius_mm=r.astype(np.float32),
        line0=l0.astype(np.intp),
        line1=l1.astype(np.intp),
        line_w=wl,
        corners=corners.astype(np.intp),
        weights=weights.astype(np.float32),
    )
