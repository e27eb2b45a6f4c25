"""A small cache of atlas tiles (PNG bytes) packed on demand by :mod:`synthscope.io`'s tiler.

A tile holds ``per_row x per_row`` thumbnails in row order from the top left, so thumbnail ``i``
lies in tile ``i // per_tile`` at cell ``i % per_tile``: about 1,000 points per request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from synthscope.io import AtlasLayout, atlas_tile, encode_png

__all__ = ["AtlasCache"]


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
