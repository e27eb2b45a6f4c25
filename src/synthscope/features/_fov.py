"""The field of view of an IVUS frame and its polar resampling around the catheter.

An IVUS frame is a disc of echoes around the catheter (the image centre) on a black background.
The field of view is where the label map is > 0 when there is one; otherwise the non-black disc:
the fraction of non-black pixels (grey level > :data:`BLACK`) is taken ring by ring (1 px rings
around the centre, within the inscribed circle), and the disc reaches the outermost ring that is
at least :data:`MIN_RING_FRACTION` (5 %) non-black. Outside an IVUS disc every ring is wholly
black, while inside, shadows, clipped speckle at a low dynamic range and a black catheter core
leave rings only partly black: the radius does not move with brightness or dynamic range. An image
with no such ring (all black) gets the inscribed disc. The radius never exceeds half the image
side, so the polar grid stays inside the image; corners beyond it (captions) are never read.

The polar grid has :data:`N_ANGLES` A-lines (angles ``2*pi*i/N_ANGLES`` from the +x axis towards
+y) by :data:`N_RADII` depth samples at ``(j + 0.5) * (R - 1) / N_RADII``: rows are lateral (angular)
positions, columns axial (radial) ones, as a rotating transducer acquires them. Samples are
bilinear; the lookup tables are built once per (image size, radius) and reused.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BLACK",
    "N_ANGLES",
    "N_RADII",
    "FieldOfView",
    "PolarGrid",
    "disc",
    "disc_radius",
    "distance_map",
    "field_of_view",
    "polar_grid",
]

#: Grey levels at or below this count as black background when no label map says otherwise
#: (a little above 0, so JPEG ringing in the corners does not count as echoes).
BLACK = 4
#: A 1-px ring counts as inside the view when this fraction of it is non-black (or labelled):
#: low enough that dark, clipped or shadowed tissue still counts, high enough that a caption or
#: scale bar beside the disc does not.
MIN_RING_FRACTION = 0.05
N_ANGLES = 512
N_RADII = 128


@dataclass(frozen=True)
class FieldOfView:
    """Where the echoes are: a boolean mask and the disc radius (pixels) around the centre."""

    mask: np.ndarray
    radius: int


@functools.lru_cache(maxsize=8)
def _rings(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance of every pixel from the image centre, its 1-px ring, and the ring sizes."""
    centre = (size - 1) / 2
    axis = np.arange(size, dtype=np.float64) - centre
    distance = np.hypot(axis[:, None], axis[None, :])
    ring = np.floor(distance).astype(np.intp).reshape(-1)
    counts = np.bincount(ring).astype(np.float64)
    return distance, ring, counts


def distance_map(size: int) -> np.ndarray:
    """Distance (pixels) of every pixel of a ``size`` x ``size`` image from its centre."""
    return _rings(size)[0]


def disc_radius(inside: np.ndarray) -> int | None:
    """Radius of the disc around the centre that ``inside`` (boolean, square) reaches: one past
    the outermost ring within the inscribed circle with at least :data:`MIN_RING_FRACTION` of its
    pixels inside; None when no ring has."""
    size = inside.shape[0]
    _, ring, counts = _rings(size)
    fraction = np.bincount(ring, weights=inside.reshape(-1), minlength=counts.size) / counts
    reached = np.flatnonzero(fraction[: size // 2] >= MIN_RING_FRACTION)
    return int(reached[-1] + 1) if reached.size else None


@functools.lru_cache(maxsize=64)
def disc(size: int, radius: int) -> np.ndarray:
    distance, _, _ = _rings(size)
    """The (read-only, shared) disc of ``radius`` around the centre."""
    inside = distance < radius
    inside.setflags(write=False)
    return inside


def field_of_view(image: np.ndarray, labels: np.ndarray | None = None) -> FieldOfView:
    """The field of view of a square working-size image (see the module docstring)."""
    size = image.shape[0]
    if labels is not None:
        inside = labels > 0
        radius = disc_radius(inside)
        if radius is not None:
            return FieldOfView(inside, radius)
    radius = disc_radius(image > BLACK)
    if radius is None or radius < 2:
        radius = size // 2
    return FieldOfView(disc(size, radius), radius)


def _reach(radius: int) -> float:
    # One pixel short of the radius: the nearest pixel of every sample then lies inside the disc.
    return max(radius - 1.0, 1.0)


@dataclass(frozen=True, eq=False)
class PolarGrid:
    """Bilinear lookup from a square image to the (angles, radii) polar grid around its centre."""

    size: int
    radius: int
    corners: np.ndarray  # (4, n) flat pixel indices
    weights: np.ndarray  # (4, n) bilinear weights
    nearest: np.ndarray  # (n,) flat index of the nearest pixel (for masks)

    @property
    def spacing(self) -> float:
        """Axial distance between polar samples, in pixels."""
        return _reach(self.radius) / N_RADII

    def sample(self, image: np.ndarray) -> np.ndarray:
        """``(N_ANGLES, N_RADII)`` float32 bilinear samples of a uint8 ``image``."""
        from synthscope.features._texture_kernels import bilinear_gather  # numba, on first use

        image = np.ascontiguousarray(image, dtype=np.uint8)
        return bilinear_gather(image, self.corners, self.weights).reshape(N_ANGLES, N_RADII)

    def sample_mask(self, mask: np.ndarray) -> np.ndarray:
        """``(N_ANGLES, N_RADII)`` boolean nearest samples of ``mask``."""
        return mask.reshape(-1)[self.nearest].reshape(N_ANGLES, N_RADII)


@functools.lru_cache(maxsize=32)
def polar_grid(size: int, radius: int) -> PolarGrid:
    """The polar grid of radius ``radius`` around the centre of a ``size`` x ``size`` image."""
    centre = (size - 1) / 2
    angles = 2 * np.pi * np.arange(N_ANGLES) / N_ANGLES
    radii = (np.arange(N_RADII) + 0.5) * _reach(radius) / N_RADII
    y = (centre + np.sin(angles)[:, None] * radii[None, :]).reshape(-1)
    x = (centre + np.cos(angles)[:, None] * radii[None, :]).reshape(-1)
    y0 = np.clip(np.floor(y), 0, size - 2).astype(np.intp)
    x0 = np.clip(np.floor(x), 0, size - 2).astype(np.intp)
    wy = np.clip(y - y0, 0.0, 1.0).astype(np.float32)
    wx = np.clip(x - x0, 0.0, 1.0).astype(np.float32)
    corners = np.stack(
        [y0 * size + x0, y0 * size + x0 + 1, (y0 + 1) * size + x0, (y0 + 1) * size + x0 + 1]
    )
    weights = np.stack([(1 - wy) * (1 - wx), (1 - wy) * wx, wy * (1 - wx), wy * wx])
    nearest = np.clip(np.rint(y), 0, size - 1).astype(np.intp) * size + np.clip(
        np.rint(x), 0, size - 1
    ).astype(np.intp)
    return PolarGrid(size, radius, corners, weights, nearest)
