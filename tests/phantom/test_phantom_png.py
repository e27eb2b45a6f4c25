from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from synthscope.phantom._png import encode_gray_png


@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (64, 48)])
@pytest.mark.parametrize("level", [0, 1, 6])
def test_pillow_reads_back_the_exact_pixels(shape, level):
    pixels = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    decoded = Image.open(io.BytesIO(encode_gray_png(pixels, level)))
    assert decoded.mode == "L" and decoded.size == (shape[1], shape[0])
    assert np.array_equal(np.asarray(decoded), pixels)


def test_refuses_anything_but_2d_uint8():
    with pytest.raises(ValueError, match="2-D uint8"):
        encode_gray_png(np.zeros((4, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="2-D uint8"):
        encode_gray_png(np.zeros((4, 4, 3), dtype=np.uint8))
