"""The augmentations move pixels and never change their values: geometric only, about the centre."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from synthscope.encoder import augment, sample_affine, warp
from synthscope.encoder._augment import affine_matrices


def _disc(size: int = 64, value: float = 0.4, radius: float = 0.45) -> torch.Tensor:
    yy, xx = np.mgrid[:size, :size]
    centre = (size - 1) / 2
    inside = np.hypot(yy - centre, xx - centre) < radius * size
    return torch.from_numpy(np.where(inside, value, 0.0).astype(np.float32))[None, None]


def test_views_keep_every_value_inside_the_field() -> None:
    # A uniform disc stays uniform at its centre whatever the view: any brightness, contrast,
    # gamma, blur or noise jitter would move these values.
    disc = _disc().repeat(32, 1, 1, 1)
    views = augment(disc, torch.Generator().manual_seed(0))
    size = disc.shape[-1]
    yy, xx = np.mgrid[:size, :size]
    core = torch.from_numpy(np.hypot(yy - (size - 1) / 2, xx - (size - 1) / 2) < 0.25 * size)
    assert torch.allclose(views[:, 0][:, core], torch.tensor(0.4), atol=1e-5)
    # Values only interpolate between the image's own values (here 0 and 0.4).
    assert float(views.min()) >= 0.0 and float(views.max()) <= 0.4 + 1e-6


def test_histograms_are_kept_up_to_interpolation(frames: np.ndarray) -> None:
    images = torch.from_numpy(frames[:16]).float().div(255)[:, None]
    views = augment(images, torch.Generator().manual_seed(1))
    # Inside the disc every view shows, mean and spread of the pixel values barely move
    # (interpolation smooths a little); a photometric jitter of even 5 % would show here.
    size = images.shape[-1]
    yy, xx = np.mgrid[:size, :size]
    core = torch.from_numpy(np.hypot(yy - (size - 1) / 2, xx - (size - 1) / 2) < 0.3 * size)
    before, after = images[:, 0][:, core], views[:, 0][:, core]
    assert abs(float(after.mean() - before.mean())) < 0.03 * float(before.mean())
    assert 0.8 < float(after.std() / before.std()) <= 1.02


def test_quarter_turns_are_exact_and_turn_about_the_centre() -> None:
    image = torch.rand(1, 1, 9, 9, generator=torch.Generator().manual_seed(0))
    quarter = affine_matrices(
        torch.tensor([math.pi / 2], dtype=torch.float64),
        torch.tensor([False]),
        torch.tensor([1.0], dtype=torch.float64),
        torch.zeros(1, 2, dtype=torch.float64),
    ).float()
    turned = warp(image, quarter)
    # A quarter turn about the centre is a permutation of the pixels: same values exactly.
    assert torch.allclose(torch.sort(turned.flatten()).values, torch.sort(image.flatten()).values)
    assert torch.allclose(turned[0, 0], torch.rot90(image[0, 0], k=1, dims=(0, 1)), atol=1e-6)
    assert float(turned[0, 0, 4, 4]) == pytest.approx(float(image[0, 0, 4, 4]))  # the centre stays


def test_a_bright_dot_at_the_centre_stays_there_under_any_rotation_and_flip() -> None:
    dot = torch.zeros(1, 1, 33, 33)
    dot[0, 0, 16, 16] = 1.0
    n = 16
    angles = torch.linspace(0, 2 * math.pi, n, dtype=torch.float64)
    theta = affine_matrices(
        angles, torch.arange(n) % 2 == 0, torch.ones(n, dtype=torch.float64), torch.zeros(n, 2)
    ).float()
    views = warp(dot.repeat(n, 1, 1, 1), theta)
    peaks = views.flatten(1).argmax(dim=1)
    assert (peaks == 16 * 33 + 16).all()


def test_parameters_come_from_the_generator_alone() -> None:
    a = sample_affine(8, torch.Generator().manual_seed(3))
    b = sample_affine(8, torch.Generator().manual_seed(3))
    c = sample_affine(8, torch.Generator().manual_seed(4))
    torch.manual_seed(123)  # the global state plays no part
    assert torch.equal(a, b) and not torch.equal(a, c)
    zoom = 1 / torch.sqrt(torch.det(a[:, :, :2]).abs())
    assert ((zoom >= 0.9 - 1e-6) & (zoom <= 1.25 + 1e-6)).all()
