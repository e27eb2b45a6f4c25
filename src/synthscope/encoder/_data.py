"""Bringing images to the encoder's size, and the order the training loop visits them in.

One resize method, for training and for encoding alike: the whole image (no crop; a non-square
image is squeezed, as the ``pixels`` feature does) is resized to ``size`` x ``size`` with Pillow's
bilinear filter, which widens its support when shrinking (an antialiased, area-weighted
reduction). Nearest-neighbour reduction, the founding study's choice for raw pixels, would alias
the speckle that the encoder is meant to see.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from synthscope._progress import ProgressCallback
from synthscope.errors import InvalidParameterError

__all__ = [
    "RESIZE_METHOD",
    "PreparedImages",
    "epoch_order",
    "image_size_text",
    "prepare_images",
    "resize_image",
]

RESIZE_METHOD = "Pillow bilinear (antialiased) of the whole image to size x size"
_DATA_ORDER = 0x55C1  # separates the data-order stream from other uses of the seed


def image_size_text(shape: Sequence[int]) -> str:
    """``"HxW"`` for an image shape."""
    return f"{shape[0]}x{shape[1]}"


def _check_image(index: int, image: np.ndarray) -> np.ndarray:
    array = np.asarray(image)
    if array.ndim != 2 or array.dtype != np.uint8 or min(array.shape) < 1:
        raise InvalidParameterError(
            f"images[{index}] must be a uint8 grayscale (H, W) array"
            f" (got {array.dtype} of shape {array.shape})",
            parameter="images",
        )
    return array


def resize_image(image: np.ndarray, size: int) -> np.ndarray:
    """``image`` (uint8, (H, W)) as a ``size`` x ``size`` uint8 array (:data:`RESIZE_METHOD`)."""
    if image.shape == (size, size):
        return np.ascontiguousarray(image)
    resized = Image.fromarray(image).resize((size, size), Image.BILINEAR)
    return np.asarray(resized, dtype=np.uint8)


@dataclass(frozen=True)
class PreparedImages:
    """Images at the encoder's size, with the sizes they came in."""

    pixels: np.ndarray  # (n, size, size) uint8
    sizes: dict[str, int]  # "HxW" -> how many images had that size, most common first

    @property
    def mixed(self) -> bool:
        return len(self.sizes) > 1

    def digest(self) -> str:
        """SHA-1 of the resized pixels: what a resumed run checks its data against."""
        return hashlib.sha1(self.pixels.tobytes(), usedforsecurity=False).hexdigest()


def prepare_images(
    images: Sequence[np.ndarray],
    size: int,
    *,
    first_index: int = 0,
    progress: ProgressCallback | None = None,
) -> PreparedImages:
    """Check and resize every image, counting the sizes they came in.

    ``images`` may be any sequence (a lazy one that reads files, say); each item is read once.
    Errors name an image by its index plus ``first_index`` (for callers that pass batches).
    """
    n = len(images)
    pixels = np.empty((n, size, size), dtype=np.uint8)
    sizes: Counter[str] = Counter()
    for index in range(n):
        image = _check_image(first_index + index, images[index])
        sizes[image_size_text(image.shape)] += 1
        pixels[index] = resize_image(image, size)
        if progress is not None:
            progress(index + 1, n)
    return PreparedImages(pixels, dict(sizes.most_common()))


def epoch_order(n: int, *, seed: int, epoch: int) -> np.ndarray:
    """The shuffled order of ``n`` images in ``epoch``: a function of (seed, epoch) only."""
    return np.random.default_rng([seed, _DATA_ORDER, epoch]).permutation(n)
