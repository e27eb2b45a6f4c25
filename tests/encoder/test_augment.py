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


def _rings(size: int = 64) -> tuple[torch.Tensor, list[float]]:
    """Concentric bands of four grey levels about the centre, like an IVUS frame's layers."""
    yy, xx = np.mgrid[:size, :size]
    r = np.hypot(yy - (size - 1) / 2, xx - (size - 1) / 2) / size
    levels = [0.8, 0.1, 0.5, 0.3]
    image = np.select([r < 0.12, r < 0.25, r < 0.38, r < 0.47], levels, 0.0)
    return torch.from_numpy(image.astype(np.float32))[None, None], [*levels, 0.0]


def test_histograms_are_kept_up_to_interpolation() -> None:
    rings, levels = _rings()
    views = augment(rings.repeat(16, 1, 1, 1), torch.Generator().manual_seed(1))
    distance = torch.stack([(views - level).abs() for level in levels]).min(dim=0).values
    exact = (distance < 1e-5).flatten(1).float().mean(dim=1)
    # Away from the edges between bands every pixel keeps one of the image's own values exactly:
    # the histogram's peaks stay where they were and only edge pixels are interpolated. A
    # brightness or contrast jitter of 1 %, or any blur or noise, leaves almost none exact.
    assert (exact > 0.7).all(), exact
    for level in levels[:-1]:
        share = ((views - level).abs() < 1e-5).flatten(1).float().mean(dim=1)
        assert (share > 0.01).all(), level  # every band is still there


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
