"""Bring images to one size before any feature: the way to compare like with like.

When real and generated images are stored at different sizes, every feature sees the resize
(nearest-neighbour decimation of a 500-pixel frame aliases its speckle; a 64-pixel frame is not
decimated at all) and a test may detect the resize rather than the generator. ``ingest --resize
N`` brings every image to N x N by one method, recorded in the workspace:

* images: Pillow's Lanczos filter (antialiased, windowed sinc, a = 3), aspect ratio not kept
  (IVUS frames are square); an image already N x N is left exactly as it is;
* label maps: nearest neighbour, so class indices stay class indices.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from synthscope._params import Integral, Interval, check_value

__all__ = ["RESIZE", "RESIZE_METHOD", "resize_image", "resize_labels"]

RESIZE_METHOD = "Pillow Lanczos (a = 3), aspect ratio not kept; label maps nearest neighbour"
RESIZE = Interval(Integral, 8, 4096)


def resize_image(image: Image.Image, size: int) -> Image.Image:
    """``image`` at ``size`` x ``size`` (unchanged, not even re-sampled, when already that size)."""
    size = check_value("resize", size, RESIZE)
    if image.size == (size, size):
        return image
    return image.resize((size, size), Image.LANCZOS)


def resize_labels(labels: np.ndarray, size: int) -> np.ndarray:
    """A label map at ``size`` x ``size`` by nearest neighbour (classes stay classes)."""
    size = check_value("resize", size, RESIZE)
    if labels.shape == (size, size):
        return labels
    return np.asarray(Image.fromarray(labels).resize((size, size), Image.NEAREST))
