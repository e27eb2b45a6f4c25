"""Raw-pixel vectors, exactly as the founding IVUS study made them.

The study reduced each 500x500 frame by nearest-neighbour interpolation to 64x64 and flattened it to
4,096 numbers. Here: Pillow ``Image.resize((N, N), Image.NEAREST)`` on the 8-bit grayscale image,
row-major, divided by 255, float32.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

from synthscope._params import Integral, Interval, check_value
from synthscope.errors import InvalidParameterError
from synthscope.features._registry import Extractor, register

__all__ = [
    "PixelsExtractor",
    "parse_pixel_size",
    "pixel_feature_name",
    "pixel_vector",
    "pixels_to_float",
]

SIZE = Interval(Integral, 2, 1024)


def parse_pixel_size(spec: str) -> int | None:
    """The side length of a ``pixels[:N]`` spec (64 when N is omitted), or None for other specs."""
    kind, sep, arg = spec.partition(":")
    if kind != "pixels":
        return None
    return PixelsExtractor.from_arg(arg if sep else None).size


def pixel_feature_name(size: int) -> str:
    """The workspace name of the ``pixels:N`` feature, e.g. ``pixels64``."""
    return f"pixels{size}"


def pixel_vector(image: Image.Image | np.ndarray, size: int = 64) -> np.ndarray:
    """The flattened nearest-neighbour ``size`` x ``size`` reduction of an ``L`` image, as uint8."""
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    return np.asarray(image.resize((size, size), Image.NEAREST), dtype=np.uint8).reshape(-1)


def pixels_to_float(values: np.ndarray) -> np.ndarray:
    """uint8 pixel vectors to the stored float32 values in [0, 1]."""
    return np.asarray(values, dtype=np.float32) / np.float32(255.0)


@register
class PixelsExtractor(Extractor):
    """``pixels[:N]``: nearest-neighbour N x N raw pixels / 255 (N = 64, the study's, by default)."""

    kind = "pixels"
    syntax = "pixels[:N]"
    batch_size = 256

    def __init__(self, size: int = 64) -> None:
        self.size = int(check_value("size", size, SIZE))

    @classmethod
    def from_arg(cls, arg: str | None) -> PixelsExtractor:
        if arg is None:
            return cls()
        if not arg.isdigit() or not SIZE.is_satisfied_by(int(arg)):
            raise InvalidParameterError(
                f"features 'pixels:{arg}': the pixel size must be 2..1024", parameter="features"
            )
        return cls(int(arg))

    @property
    def arg(self) -> str | None:
        return str(self.size)

    @property
    def name(self) -> str:
        return pixel_feature_name(self.size)

    def params(self) -> dict[str, Any]:
        return {"size": self.size}

    def input_size(self) -> int | None:
        return self.size

    def transform(
        self,
        images: Sequence[np.ndarray],
        label_maps: Sequence[np.ndarray | None] | None = None,
    ) -> np.ndarray:
        if not len(images):
            return np.zeros((0, self.size * self.size), dtype=np.float32)
        return pixels_to_float(np.stack([pixel_vector(image, self.size) for image in images]))
