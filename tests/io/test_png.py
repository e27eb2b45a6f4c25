"""The fast decoder of 8-bit greyscale PNGs: Pillow's pixels on every row filter, and Pillow's
verdict (the same pixels or the same error) on every other PNG and on odd or broken ones."""

from __future__ import annotations

import hashlib
import io
import itertools
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from synthscope.errors import ImageReadError
from synthscope.io import _images, read_frames, read_image_file
from synthscope.io._png import decode_grey_png


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _filtered(pixels: np.ndarray, filters: list[int]) -> bytes:
    """The PNG scanlines of ``pixels``, row ``y`` filtered with ``filters[y]`` (spec, section 9)."""
    image = pixels.astype(np.int64)
    rows = []
    for y, kind in enumerate(filters):
        row = image[y]
        up = image[y - 1] if y else np.zeros_like(row)
        left = np.concatenate(([0], row[:-1]))
        upper_left = np.concatenate(([0], up[:-1]))
        if kind == 0:
            predicted = np.zeros_like(row)
        elif kind == 1:
            predicted = left
        elif kind == 2:
            predicted = up
        elif kind == 3:
            predicted = (left + up) // 2
        else:
            estimate = left + up - upper_left
            to_left, to_up = np.abs(estimate - left), np.abs(estimate - up)
            to_upper_left = np.abs(estimate - upper_left)
            predicted = np.where(
                (to_left <= to_up) & (to_left <= to_upper_left),
                left,
                np.where(to_up <= to_upper_left, up, upper_left),
            )
        rows.append(bytes([kind]) + ((row - predicted) % 256).astype(np.uint8).tobytes())
    return b"".join(rows)


def grey_png(
    pixels: np.ndarray,
    filters: list[int] | None = None,
    *,
    pieces: int = 1,
    stream: bytes | None = None,
    before: bytes = b"",
    after: bytes = b"",
    header: tuple[int, int, int, int, int] = (8, 0, 0, 0, 0),
) -> bytes:
    """A PNG of ``pixels`` with the given row filters, its stream in ``pieces`` IDAT chunks,
    ``before`` and ``after`` them other chunks; ``stream`` and ``header`` to make odd ones."""
    height, width = pixels.shape
    if stream is None:
        stream = zlib.compress(_filtered(pixels, filters or [0] * height))
    cuts = np.linspace(0, len(stream), pieces + 1).astype(int)
    idat = b"".join(_chunk(b"IDAT", stream[a:b]) for a, b in itertools.pairwise(cuts))
    ihdr = _chunk(b"IHDR", struct.pack(">II", width, height) + bytes(header))
    return b"\x89PNG\r\n\x1a\n" + ihdr + before + idat + after + _chunk(b"IEND", b"")


def pillow_pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image)


@settings(max_examples=150, deadline=None)
@given(
    size=st.tuples(st.integers(1, 24), st.integers(1, 24)),
    seed=st.integers(0, 2**32 - 1),
    filters=st.data(),
    pieces=st.integers(1, 3),
    text=st.booleans(),
)
def test_every_row_filter_gives_pillows_pixels(size, seed, filters, pieces, text):
    pixels = np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8)
    kinds = filters.draw(st.lists(st.integers(0, 4), min_size=size[0], max_size=size[0]))
    note = _chunk(b"tEXt", b"Comment\x00frame")
    data = grey_png(pixels, kinds, pieces=pieces, before=note if text else b"", after=note)
    decoded = decode_grey_png(data)
    assert decoded is not None
    np.testing.assert_array_equal(decoded, pixels)
    np.testing.assert_array_equal(decoded, pillow_pixels(data))


@pytest.mark.parametrize("level", [0, 1, 6, 9])
def test_pillows_own_pngs_decode_to_its_pixels(level):
    rng = np.random.default_rng(level)
    smooth = np.cumsum(rng.integers(0, 3, (37, 53)), axis=1).astype(np.uint8)
    for pixels in (rng.integers(0, 256, (37, 53), dtype=np.uint8), smooth):
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="PNG", compress_level=level)
        np.testing.assert_array_equal(decode_grey_png(buffer.getvalue()), pixels)


def _saved(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **options)
    return buffer.getvalue()


GREY = np.arange(60, dtype=np.uint8).reshape(6, 10)
OTHER_KINDS = {
    "rgb": _saved(Image.fromarray(np.dstack([GREY] * 3))),
    "palette": _saved(Image.fromarray(GREY).convert("P")),
    "grey with alpha": _saved(Image.fromarray(GREY).convert("LA")),
    "16-bit": _saved(Image.fromarray(GREY.astype(np.uint16) * 300)),
    "1-bit": _saved(Image.fromarray(GREY > 30)),
    "interlaced": grey_png(GREY, header=(8, 0, 0, 0, 1)),
    "no pixels": grey_png(GREY[:0]),
    "wider than PNG allows": grey_png(GREY).replace(
        _chunk(b"IHDR", struct.pack(">IIBBBBB", 10, 6, 8, 0, 0, 0, 0)),
        _chunk(b"IHDR", struct.pack(">IIBBBBB", 2**32 - 1, 2**32 - 1, 8, 0, 0, 0, 0)),
    ),
    "animated": _saved(
        Image.fromarray(GREY), save_all=True, append_images=[Image.fromarray(255 - GREY)]
    ),
    "not a png": b"GIF89a" + bytes(40),
}


@pytest.mark.parametrize("kind", OTHER_KINDS)
def test_other_kinds_are_left_to_pillow(kind):
    assert decode_grey_png(OTHER_KINDS[kind]) is None


RAW = _filtered(GREY, [1] * 6)


def _unfinished(raw: bytes) -> bytes:
    """A deflate stream holding all of ``raw`` but not its end."""
    compressor = zlib.compressobj()
    return compressor.compress(raw) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _split_by(chunk: bytes) -> bytes:
    """A PNG whose image data is cut in two by ``chunk``."""
    whole = grey_png(GREY, pieces=2)
    second = whole.rindex(b"IDAT") - 4
    return whole[:second] + chunk + whole[second:]


ODD = {
    "truncated": grey_png(GREY)[:-30],
    "stream ends early": grey_png(GREY, stream=zlib.compress(RAW[:-11])),
    "stream holds more": grey_png(GREY, stream=zlib.compress(RAW + bytes(11))),
    "stream not ended": grey_png(GREY, stream=_unfinished(RAW)),
    "bad checksum": grey_png(GREY, stream=zlib.compress(RAW)[:-1] + b"\x00"),
    "not deflate": grey_png(GREY, stream=b"not a zlib stream"),
    "unknown row filter": grey_png(GREY, stream=zlib.compress(RAW[:22] + b"\x05" + RAW[23:])),
    "no image data": grey_png(GREY)[: 8 + 25] + _chunk(b"IEND", b""),
    "chunk overruns the file": grey_png(GREY)[: 8 + 25] + struct.pack(">I", 10**6) + b"IDAT",
    "image data split": _split_by(_chunk(b"tEXt", b"Comment\x00between")),
}


@pytest.mark.parametrize("case", ODD)
def test_odd_or_broken_pngs_are_left_to_pillow(case):
    assert decode_grey_png(ODD[case]) is None


@pytest.mark.parametrize("case", [*ODD, *OTHER_KINDS])
def test_reading_a_file_gives_pillows_verdict(case, tmp_path, monkeypatch):
    """The same pixels or the same error as reading with Pillow alone."""
    path = tmp_path / "frame.png"
    path.write_bytes(ODD.get(case) or OTHER_KINDS[case])

    def outcome():
        try:
            return [np.asarray(f.image).tolist() for f in read_frames(path)]
        except ImageReadError as error:
            return str(error)

    with_fast_path = outcome()
    monkeypatch.setattr(_images, "_decode_grey_png", lambda data: None)
    assert with_fast_path == outcome()


def test_reading_a_plain_png_takes_the_fast_path(tmp_path, monkeypatch):
    path = tmp_path / "frame.png"
    path.write_bytes(grey_png(GREY, [4] * 6))
    used = []
    fast = _images._decode_grey_png
    monkeypatch.setattr(_images, "_decode_grey_png", lambda data: used.append(1) or fast(data))
    read = read_image_file(path)
    assert used == [1]
    np.testing.assert_array_equal(np.asarray(read.frames[0].image), GREY)
    assert read.properties == read_image_file(path).properties
    assert read.sha1 == hashlib.sha1(path.read_bytes()).hexdigest()


def test_a_frame_is_decoded_alike_in_threads(tmp_path):
    """The kernel runs without the GIL: threads decoding at once get each their own pixels."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(3)
    images = [rng.integers(0, 256, (64, 80), dtype=np.uint8) for _ in range(16)]
    datas = [grey_png(image, list(rng.integers(0, 5, 64))) for image in images]
    with ThreadPoolExecutor(4) as pool:
        decoded = list(pool.map(decode_grey_png, datas * 4))
    for index, pixels in enumerate(decoded):
        np.testing.assert_array_equal(pixels, images[index % 16])
