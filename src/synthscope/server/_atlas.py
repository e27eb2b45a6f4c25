"""Thumbnail atlas tiles: many 64x64 thumbnails packed in one PNG, so a browser fetches a few images.

A tile holds ``per_row x per_row`` thumbnails in row order from the top left (the TF Projector
sprite rule), so thumbnail ``i`` lies in tile ``i // per_tile`` at cell ``i % per_tile``. 32x32
cells of 64 px make 2048x2048 px tiles: under every browser's texture size limit, and about
1,000 points per request.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from synthscope.errors import InvalidParameterError

__all__ = ["AtlasCache", "AtlasLayout", "atlas_tile", "encode_png"]


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
    """Pack the thumbnails of one tile into a square uint8 image.

    Parameters
    ----------
    thumbnails
        ``(n, t, t)`` uint8 thumbnails of every point.
    tile
        Tile number, ``0 <= tile < n_tiles``.
    per_row
        Cells per tile side.

    Returns
    -------
    numpy.ndarray
        ``(per_row * t, per_row * t)`` uint8; cells past the last point stay 0.
    """
    n, t = thumbnails.shape[0], thumbnails.shape[1]
    layout = AtlasLayout(n, t, per_row)
    if not 0 <= tile < max(layout.n_tiles, 1):
        raise InvalidParameterError(
            f"tile must be in 0..{max(layout.n_tiles - 1, 0)} (got {tile} for {n} points)"
        )
    start = tile * layout.per_tile
    chunk = np.asarray(thumbnails[start : start + layout.per_tile], dtype=np.uint8)
    cells = np.zeros((layout.per_tile, t, t), dtype=np.uint8)
    cells[: len(chunk)] = chunk
    # (row, col, y, x) -> (row, y, col, x) lays the cells out in reading order.
    return cells.reshape(per_row, per_row, t, t).transpose(0, 2, 1, 3).reshape(per_row * t, -1)


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of a 2-D uint8 (grayscale) or ``(H, W, 3|4)`` uint8 image."""
    buffer = io.BytesIO()
    # compress_level 1: tiles are made on demand, and speed matters more than 10% of size.
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


class AtlasCache:
    """PNG bytes of atlas tiles, made on demand and kept in a small LRU.

    Parameters
    ----------
    thumbnails
        Called once, on first use, for the ``(n, t, t)`` uint8 thumbnails.
    capacity
        How many tiles stay cached.
    """

    def __init__(self, thumbnails: Callable[[], np.ndarray], capacity: int = 32) -> None:
        self._load = thumbnails
        self._thumbs: np.ndarray | None = None
        self._tiles: OrderedDict[int, bytes] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def _thumbnails(self) -> np.ndarray:
        if self._thumbs is None:
            self._thumbs = self._load()
        return self._thumbs

    def layout(self) -> AtlasLayout:
        thumbs = self._thumbnails()
        return AtlasLayout(int(thumbs.shape[0]), int(thumbs.shape[1]))

    def tile_png(self, tile: int) -> bytes:
        """PNG bytes of ``tile``; raises InvalidParameterError when out of range."""
        with self._lock:
            if tile in self._tiles:
                self._tiles.move_to_end(tile)
                return self._tiles[tile]
        png = encode_png(atlas_tile(self._thumbnails(), tile))
        with self._lock:
            self._tiles[tile] = png
            while len(self._tiles) > self._capacity:
                self._tiles.popitem(last=False)
        return png

    def invalidate(self) -> None:
        """Forget everything (after the workspace's thumbnails change)."""
        with self._lock:
            self._thumbs = None
            self._tiles.clear()
