"""64x64 thumbnails, and their packing into atlas tiles the browser loads as textures.

Thumbnails keep the image's aspect ratio (letterboxed on black) instead of squashing it, which the
TF Projector's users asked for. A tile is a 2048x2048 PNG holding 32x32 thumbnails in row order.
:class:`TileWriter` packs thumbnails as they come, so an ingest holds at most one tile's worth.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import numpy as np
from PIL import Image

from synthscope._files import atomic_file, write_bytes_atomic
from synthscope.io import atlas_tile, encode_png, pack_grid

__all__ = [
    "THUMBS_PER_ROW",
    "THUMBS_PER_TILE",
    "THUMB_SIZE",
    "TileWriter",
    "make_thumbnail",
    "write_tiles",
]

THUMB_SIZE = 64
THUMBS_PER_ROW = 32
THUMBS_PER_TILE = THUMBS_PER_ROW * THUMBS_PER_ROW
# Tiles are stored without deflate: speckle thumbnails shrink by only a third at level 1 (2.8
# against 4.2 MB a tile of 1,024), while encoding took 0.18 ms a thumbnail, two thirds of making
# it; stored, 0.02 ms (encode_png's own writer; Pillow's, 0.1 ms). They are read from a local
# disk by a local server.
TILE_COMPRESS_LEVEL = 0


def make_thumbnail(image: Image.Image, size: int = THUMB_SIZE) -> np.ndarray:
    """An aspect-preserving ``size`` x ``size`` uint8 thumbnail of an ``L`` image."""
    width, height = image.size
    scale = size / max(width, height)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # reducing_gap=1.0: a box reduce to just above the size, then bilinear. For 500 -> 64 px it
    # costs 0.26 ms against 0.42 ms with 2.0 (a tenth of ingest's work beside decoding), and a
    # box average is already a fair antialiasing filter at 64 px.
    small = image.resize(new_size, Image.BILINEAR, reducing_gap=1.0)
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
        write_bytes_atomic(tile_path(folder, tile), encode_png(image, TILE_COMPRESS_LEVEL))


class TileWriter:
    """Atlas tiles from point ``len(existing)`` on, written as thumbnails come (:meth:`add`).

    ``existing`` holds the thumbnails of the points before (a memory map will do: only the
    last, partly filled tile's cells are read). Each tile goes to a temporary file held by
    ``stack``: every tile appears when the stack closes without an error, and none otherwise.
    """

    def __init__(self, folder: Path, existing: np.ndarray, stack: ExitStack) -> None:
        self.folder = Path(folder)
        self._stack = stack
        first_point = len(existing)
        self._tile = first_point // THUMBS_PER_TILE
        self._filled = first_point % THUMBS_PER_TILE
        self._cells = np.zeros((THUMBS_PER_TILE, THUMB_SIZE, THUMB_SIZE), dtype=np.uint8)
        self._cells[: self._filled] = existing[first_point - self._filled : first_point]
        self._dirty = False

    def add(self, thumbs: np.ndarray) -> None:
        """Place ``(k, 64, 64)`` thumbnails after those already added."""
        start = 0
        while start < len(thumbs):
            take = min(THUMBS_PER_TILE - self._filled, len(thumbs) - start)
            self._cells[self._filled : self._filled + take] = thumbs[start : start + take]
            self._filled += take
            self._dirty = True
            start += take
            if self._filled == THUMBS_PER_TILE:
                self._write()
                self._tile += 1
                self._filled = 0
                self._cells[:] = 0

    def _write(self) -> None:
        image = pack_grid(self._cells[: self._filled], THUMBS_PER_ROW, THUMBS_PER_ROW)
        temporary = self._stack.enter_context(atomic_file(tile_path(self.folder, self._tile)))
        temporary.write_bytes(encode_png(image, TILE_COMPRESS_LEVEL))
        self._dirty = False

    def finish(self) -> None:
        """Write the last, partly filled tile."""
        if self._dirty:
            self._write()
