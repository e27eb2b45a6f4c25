"""64x64 thumbnails, and their packing into atlas tiles the browser loads as textures.

Thumbnails keep the image's aspect ratio (letterboxed on black) instead of squashing it, which the
TF Projector's users asked for. A tile is a 2048x2048 PNG holding 32x32 thumbnails in row order.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from synthscope._files import write_bytes_atomic

__all__ = ["THUMBS_PER_ROW", "THUMBS_PER_TILE", "THUMB_SIZE", "make_thumbnail", "write_tiles"]

THUMB_SIZE = 64
THUMBS_PER_ROW = 32
THUMBS_PER_TILE = THUMBS_PER_ROW * THUMBS_PER_ROW


def make_thumbnail(image: Image.Image, size: int = THUMB_SIZE) -> np.ndarray:
    """An aspect-preserving ``size`` x ``size`` uint8 thumbnail of an ``L`` image."""
    width, height = image.size
    scale = size / max(width, height)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # reducing_gap makes large downscales fast (a box reduce first) at no visible cost.
    small = image.resize(new_size, Image.BILINEAR, reducing_gap=2.0)
    if new_size == (size, size):
        return np.asarray(small, dtype=np.uint8)
    canvas = np.zeros((size, size), dtype=np.uint8)
    top, left = (size - new_size[1]) // 2, (size - new_size[0]) // 2
    canvas[top : top + new_size[1], left : left + new_size[0]] = np.asarray(small)
    return canvas


def tile_image(thumbs: np.ndarray) -> Image.Image:
    """Pack up to THUMBS_PER_TILE thumbnails (k, 64, 64) into one square atlas image."""
    side = THUMBS_PER_ROW * THUMB_SIZE
    atlas = np.zeros((side, side), dtype=np.uint8)
    for index, thumb in enumerate(thumbs):
        row, column = divmod(index, THUMBS_PER_ROW)
        atlas[
            row * THUMB_SIZE : (row + 1) * THUMB_SIZE,
            column * THUMB_SIZE : (column + 1) * THUMB_SIZE,
        ] = thumb
    return Image.fromarray(atlas, mode="L")


def tile_path(folder: Path, tile: int) -> Path:
    return folder / f"tile_{tile:04d}.png"


def write_tiles(folder: Path, thumbs: np.ndarray, first_point: int) -> None:
    """(Re)write the tiles that hold points ``first_point`` onwards."""
    for tile in range(first_point // THUMBS_PER_TILE, -(-len(thumbs) // THUMBS_PER_TILE)):
        chunk = thumbs[tile * THUMBS_PER_TILE : (tile + 1) * THUMBS_PER_TILE]
        buffer = io.BytesIO()
        tile_image(chunk).save(buffer, format="PNG", compress_level=1)
        write_bytes_atomic(tile_path(folder, tile), buffer.getvalue())
