"""Geometric augmentations only: what the encoder must ignore, and nothing it must see.

A self-supervised encoder becomes invariant to whatever its augmentations change. The things a
generator gets wrong in IVUS are photometric (brightness, contrast, gain, blur, speckle grain and
noise), so jittering them, as SimCLR's colour distortion and blur do for photographs, would teach
the encoder to ignore exactly the differences a realism test must find. What does not matter in an
IVUS frame is where things sit:

- rotation by any angle about the image centre, where the catheter is: the transducer spins,
  and a vessel's orientation in the frame (guidewire, plaque position) carries no meaning;
- a mirror flip (with all rotations, one flip axis gives every reflection);
- a small zoom (0.9x to 1.25x; zooming in is a crop of the central 80-100 % of the side) and a
  translation of up to 6 % of the side: the catheter is never exactly centred, vessels differ in
  calibre.

Each image gets one affine map, resampled bilinearly (``torch.nn.functional.grid_sample``, zeros
outside the image, which is what lies outside an IVUS field of view). Pixel values are only ever
interpolated: no brightness, contrast, blur or noise is added. Parameters are drawn on the CPU from
an explicit ``torch.Generator``, so a batch's augmentation is the same on any device and resumes
exactly.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

__all__ = ["FLIP_P", "SHIFT", "ZOOM", "affine_matrices", "augment", "sample_affine", "warp"]

FLIP_P = 0.5
ZOOM = (0.9, 1.25)  # output magnification; > 1 shows a central crop
SHIFT = 0.06  # largest translation, as a fraction of the side


def affine_matrices(
    angle: torch.Tensor,
    flip: torch.Tensor,
    zoom: torch.Tensor,
    shift: torch.Tensor,
) -> torch.Tensor:
    """``(n, 2, 3)`` maps from output to input coordinates (``affine_grid``'s convention).

    Coordinates run over [-1, 1] with 0 at the image centre, so rotations turn about the centre.
    ``angle`` in radians, ``flip`` boolean (mirror x), ``zoom`` > 0, ``shift`` ``(n, 2)`` in
    coordinate units (1 = half the side).
    """
    cos, sin = torch.cos(angle), torch.sin(angle)
    mirror = 1.0 - 2.0 * flip.to(angle.dtype)
    inv = 1.0 / zoom
    theta = torch.zeros(angle.shape[0], 2, 3, dtype=angle.dtype)
    # input = R(angle) @ diag(mirror, 1) @ output / zoom + shift
    theta[:, 0, 0] = cos * mirror * inv
    theta[:, 0, 1] = -sin * inv
    theta[:, 1, 0] = sin * mirror * inv
    theta[:, 1, 1] = cos * inv
    theta[:, :, 2] = shift
    return theta


def sample_affine(n: int, generator: torch.Generator) -> torch.Tensor:
    """Draw ``n`` random maps (:func:`affine_matrices`) from ``generator`` (a CPU generator)."""
    u = torch.rand(n, 5, generator=generator, dtype=torch.float64)
    angle = u[:, 0] * (2 * math.pi)
    flip = u[:, 1] < FLIP_P
    zoom = ZOOM[0] + u[:, 2] * (ZOOM[1] - ZOOM[0])
    shift = (u[:, 3:5] * 2 - 1) * (2 * SHIFT)
    return affine_matrices(angle, flip, zoom, shift).float()


def warp(images: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """Resample ``images`` ``(n, c, h, w)`` (float) through the maps ``theta`` ``(n, 2, 3)``."""
    theta = theta.to(device=images.device, dtype=images.dtype)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def augment(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One random geometric view of each image (see the module docstring)."""
    return warp(images, sample_affine(images.shape[0], generator))
