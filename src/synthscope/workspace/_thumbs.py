"""64x64 thumbnails, and their packing into atlas tiles the browser loads as textures.

Thumbnails keep the image's aspect ratio (letterboxed on black) instead of squashing it, which the
TF Projector's users asked for. A tile is a 2048x2048 PNG holding 32x32 thumbnails in row order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from synthscope._files import write_bytes_atomic
from synthscope.io import atlas_tile, encode_png

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


def tile_path(folder: Path, tile: int) -> Path:
    return folder / f"tile_{tile:04d}.png"


def write_tiles(folder: Path, thumbs: np.ndarray, first_point: int) -> None:
    """(Re)write the tiles that hold points ``first_point`` onwards."""
    for tile in range(first_point // THUMBS_PER_TILE, -(-len(thumbs) // THUMBS_PER_TILE)):
        image = atlas_tile(thumbs, tile, THUMBS_PER_ROW)
        write_bytes_atomic(tile_path(folder, tile), encode_png(image))
