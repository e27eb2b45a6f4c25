"""PNG encoding of tiles and images: whatever the level, Pillow reads back the very pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from synthscope.errors import InvalidParameterError
from synthscope.io import encode_png

MODES = {1: "L", 3: "RGB", 4: "RGBA"}


@st.composite
def images(draw):
    height, width = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    channels = draw(st.sampled_from([1, 3, 4]))
    shape = (height, width) if channels == 1 else (height, width, channels)
    return draw(arrays(np.uint8, shape))


@settings(max_examples=60, deadline=None)
@given(image=images(), level=st.sampled_from([0, 1, 6]))
def test_every_level_decodes_to_the_same_pixels(image, level):
    decoded = Image.open(io.BytesIO(encode_png(image, level)))
    decoded.load()  # Pillow checks each chunk's CRC and the deflate stream as it reads
    channels = 1 if image.ndim == 2 else image.shape[2]
    assert decoded.mode == MODES[channels]
    np.testing.assert_array_equal(np.asarray(decoded), image)


def test_a_stored_tile_is_unfiltered_and_about_its_pixels_size():
    tile = np.random.default_rng(0).integers(0, 256, (256, 256), dtype=np.uint8)
    png = encode_png(tile, 0)
    assert len(png) < tile.size * 1.01 + 200  # stored: no filter bytes beyond one a row
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "image",
    [np.zeros((4, 4), np.float32), np.zeros((4, 4, 2), np.uint8), np.zeros((0, 4), np.uint8)],
    ids=["float", "two-channels", "empty"],
)
def test_what_png_cannot_hold_is_refused_by_name(image):
    with pytest.raises(InvalidParameterError, match="image"):
        encode_png(image, 0)
