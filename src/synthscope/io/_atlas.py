"""The one thumbnail tiler: pack equal square cells into a grid image, row by row from the top left.

Used for the projector's atlas tiles (32 x 32 cells of 64 px: 2048 px, under every browser's
texture limit) and for the TF Projector's single square sprite (the same rule: cell ``i`` at
row ``i // per_row``, column ``i % per_row``).
"""

from __future__ import annotations

import io
import math
import struct
import zlib
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
    Level 0 stores the pixels as they are (see :func:`_stored_png`).
    """
    image = np.ascontiguousarray(image)
    if compress_level == 0:
        return _stored_png(image)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


_COLOR_TYPES = {1: 0, 3: 2, 4: 6}  # channels -> PNG colour type: grey, RGB, RGBA


def _stored_png(image: np.ndarray) -> bytes:
    """An unfiltered PNG in stored (level 0) deflate blocks.

    Pillow's encoder tries its five row filters on every row even when it will not compress:
    a 2048 px atlas tile took 90-150 ms, 0.1 ms a thumbnail of ingest's single writer, where
    this takes about 20 ms. The format is the PNG specification's simplest case: 8-bit samples,
    filter type 0 on every row, one IDAT chunk.
    """
    channels = image.shape[2] if image.ndim == 3 else 1
    if (
        image.dtype != np.uint8
        or image.ndim not in (2, 3)
        or channels not in _COLOR_TYPES
        or not image.size
    ):
        raise fail("image", f"must be uint8 (H, W) or (H, W, 3|4), got {image.dtype} {image.shape}")
    height, width = image.shape[:2]
    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)  # column 0: filter type 0
    rows[:, 1:] = image.reshape(height, width * channels)
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOR_TYPES[channels], 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows.data, 0)),
            _png_chunk(b"IEND", b""),
        )
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(data, zlib.crc32(kind))
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


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
