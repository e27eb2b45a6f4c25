"""Raw-pixel vectors, exactly as the founding IVUS study made them.

The study reduced each 500x500 frame by nearest-neighbour interpolation to 64x64 and flattened it to
4,096 numbers. Here: Pillow ``Image.resize((N, N), Image.NEAREST)`` on the 8-bit grayscale image,
row-major, divided by 255, float32.
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

from synthscope.errors import InvalidParameterError

__all__ = ["parse_pixel_size", "pixel_feature_name", "pixel_vector", "pixels_to_float"]

_PIXELS = re.compile(r"^pixels(?::(\d+))?$")


def parse_pixel_size(spec: str) -> int | None:
    """The side length of a ``pixels[:N]`` spec (64 when N is omitted), or None for other specs."""
    match = _PIXELS.match(spec)
    if match is None:
        return None
    size = int(match.group(1) or 64)
    if not 2 <= size <= 1024:
        raise InvalidParameterError(f"--features {spec}: the pixel size must be 2..1024")
    return size


def pixel_feature_name(size: int) -> str:
    """The workspace name of the ``pixels:N`` feature, e.g. ``pixels64``."""
    return f"pixels{size}"


def pixel_vector(image: Image.Image, size: int = 64) -> np.ndarray:
    """The flattened nearest-neighbour ``size`` x ``size`` reduction of an ``L`` image, as uint8."""
    return np.asarray(image.resize((size, size), Image.NEAREST), dtype=np.uint8).reshape(-1)


def pixels_to_float(values: np.ndarray) -> np.ndarray:
    """uint8 pixel vectors to the stored float32 values in [0, 1]."""
    return np.asarray(values, dtype=np.float32) / np.float32(255.0)
