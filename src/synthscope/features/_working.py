"""Bringing images of any size to an extractor's working size, one documented way for all.

Every extractor that works at a fixed size (``texture`` at 256, ``random-cnn`` at 128, a user's
model at its ``size``) does the same two steps, so images of different sizes land on one grid:

1. a non-square image is cropped to its centred square (side ``min(H, W)``): IVUS frames are square
   with the catheter at the centre, so the crop keeps the field of view;
2. the square is resized with Pillow ``Image.resize((S, S), Image.BILINEAR)``: a triangle filter,
   which Pillow widens by the scale factor when shrinking (so shrinking averages, it does not alias)
   and plain bilinear interpolation when enlarging. An image already ``S`` x ``S`` is left as it is.

Label maps take the same crop and ``Image.NEAREST`` (class indices are never blended).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

__all__ = ["centre_square", "labels_to_working_size", "to_working_size"]


def centre_square(array: np.ndarray) -> np.ndarray:
    """The centred square of a 2-D array (the array itself when it is square)."""
    height, width = array.shape[:2]
    if height == width:
        return array
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return array[top : top + side, left : left + side]


def to_working_size(image: np.ndarray, size: int) -> np.ndarray:
    """A uint8 grayscale image as a ``size`` x ``size`` uint8 array (centre square, bilinear)."""
    square = np.ascontiguousarray(centre_square(np.asarray(image, dtype=np.uint8)))
    if square.shape == (size, size):
        return square
    return np.asarray(Image.fromarray(square).resize((size, size), Image.BILINEAR))


def labels_to_working_size(labels: np.ndarray, size: int) -> np.ndarray:
    """A class-index map as a ``size`` x ``size`` uint8 array (centre square, nearest)."""
    square = np.ascontiguousarray(centre_square(np.asarray(labels, dtype=np.uint8)))
    if square.shape == (size, size):
        return square
    return np.asarray(Image.fromarray(square).resize((size, size), Image.NEAREST))
