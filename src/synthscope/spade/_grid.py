"""Picture helpers: coloured label maps and sample grids (label | real | generated rows)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from synthscope._files import atomic_file

__all__ = ["colour_labels", "sample_grid", "write_png"]

# Distinct colours for the first classes (0 = background stays black); later classes cycle.
_PALETTE = np.array(
    [
        (0, 0, 0),
        (230, 25, 75),
        (60, 180, 75),
        (255, 225, 25),
        (0, 130, 200),
        (245, 130, 48),
        (145, 30, 180),
        (70, 240, 240),
        (240, 50, 230),
        (210, 245, 60),
    ],
    dtype=np.uint8,
)


def colour_labels(labels: np.ndarray) -> np.ndarray:
    """(..., H, W) class indices -> (..., H, W, 3) uint8 colours."""
    return _PALETTE[np.asarray(labels) % len(_PALETTE)]


def _rgb(images: np.ndarray) -> np.ndarray:
    return np.repeat(images[..., None], 3, axis=-1) if images.ndim == 3 else images


def sample_grid(
    labels: np.ndarray,
    real: np.ndarray | None,
    fake: np.ndarray,
    *,
    extra: Sequence[np.ndarray] = (),
    pad: int = 2,
) -> np.ndarray:
    """Rows of coloured labels, real images (when given), generated images and ``extra`` rows."""
    rows = [colour_labels(labels), *([_rgb(real)] if real is not None else []), _rgb(fake)]
    rows += [_rgb(row) for row in extra]
    n, h, w = fake.shape[0], fake.shape[1], fake.shape[2]
    grid = np.full((len(rows) * (h + pad) + pad, n * (w + pad) + pad, 3), 255, np.uint8)
    for r, row in enumerate(rows):
        for c in range(n):
            top, left = pad + r * (h + pad), pad + c * (w + pad)
            grid[top : top + h, left : left + w] = row[c]
    return grid


def write_png(path: str | Path, array: np.ndarray) -> None:
    """Write a uint8 (H, W) or (H, W, 3) array as PNG, through a temporary name."""
    with atomic_file(path) as temporary:
        Image.fromarray(np.ascontiguousarray(array)).save(temporary, format="PNG")
