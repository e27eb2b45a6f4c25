"""The one thumbnail tiler: pack equal square cells into a grid image, row by row from the top left.

Used for the projector's atlas tiles (32 x 32 cells of 64 px: 2048 px, under every browser's
texture limit) and for the TF Projector's single square sprite (the same rule: cell ``i`` at
row ``i // per_row``, column ``i % per_row``).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from synthscope._params import fail

__all__ = ["AtlasLayout", "atlas_tile", "encode_png", "pack_grid"]


def pack_grid(cells: np.ndarray, per_row: int, rows: int | None = None) -> np.ndarray:
    """``(k, t, t)`` uint8 cells as one ``(rows * t, per_row * t)`` image; missing cells stay 0.

    ``rows`` defaults to as many as the cells need.
    """
    cells = np.asarray(cells, dtype=np.uint8)
    k, t = cells.shape[0], cells.shape[1]
    rows = max(1, math.ceil(k / per_row)) if rows is None else rows
    if k > rows * per_row:
        raise fail("cells", f"{k} do not fit in {rows} x {per_row}")
    padded = np.zeros((rows * per_row, t, t), dtype=np.uint8)
    padded[:k] = cells
    # (row, col, y, x) -> (row, y, col, x) lays the cells out in reading order.
    return padded.reshape(rows, per_row, t, t).transpose(0, 2, 1, 3).reshape(rows * t, per_row * t)


def encode_png(image: np.ndarray, compress_level: int = 1) -> bytes:
    """PNG bytes of a 2-D uint8 (grayscale) or ``(H, W, 3|4)`` uint8 image.

    Level 1 by default: tiles are made on demand, and speed matters more than 10 % of size.
    """
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(
        buffer, format="PNG", compress_level=compress_level
    )
    return buffer.getvalue()


@dataclass(frozen=True)
class AtlasLayout:
    """Where each thumbnail lies: ``per_row`` cells of ``thumb`` px per tile side."""

    n_points: int
    thumb: int = 64
    per_row: int = 32

    @property
    def per_tile(self) -> int:
        return self.per_row * self.per_row

    @property
    def n_tiles(self) -> int:
        return -(-self.n_points // self.per_tile)

    @property
    def tile_px(self) -> int:
        return self.per_row * self.thumb

    def to_json(self) -> dict[str, int]:
        return {
            "n_points": self.n_points,
            "thumb": self.thumb,
            "per_row": self.per_row,
            "per_tile": self.per_tile,
            "n_tiles": self.n_tiles,
            "tile_px": self.tile_px,
        }


def atlas_tile(thumbnails: np.ndarray, tile: int, per_row: int = 32) -> np.ndarray:
    """Tile ``tile`` of the atlas of ``(n, t, t)`` thumbnails: a square ``per_row * t`` image."""
    n, t = thumbnails.shape[0], thumbnails.shape[1]
    layout = AtlasLayout(n, t, per_row)
    if not 0 <= tile < max(layout.n_tiles, 1):
        raise fail(
            "tile", f"must be in 0..{max(layout.n_tiles - 1, 0)} (got {tile} for {n} points)"
        )
    start = tile * layout.per_tile
    return pack_grid(thumbnails[start : start + layout.per_tile], per_row, per_row)
