"""Featurizers: turn images into vectors (``pixels[:N]`` now; ``spade-disc:RUN`` and others plug in here)."""

from synthscope.features._pixels import (
    parse_pixel_size,
    pixel_feature_name,
    pixel_vector,
    pixels_to_float,
)

__all__ = ["parse_pixel_size", "pixel_feature_name", "pixel_vector", "pixels_to_float"]
