"""The fast decoder of 8-bit greyscale PNGs: Pillow's pixels on every row filter, and Pillow's
verdict (the same pixels or the same error) on every other PNG and on odd or broken ones."""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import struct
import sys
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from synthscope.errors import ImageReadError
from synthscope.io import DEFAULT_MAX_PIXELS, _images, read_frames, read_image_file
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
    data = grey_png(pixels, kinds, pieces=pieces, before=note if text else b"")
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
    # Before the image data, what changes the image Pillow decodes: a second header (this one
    # says 1 x 1, which Pillow decodes, while the first says 6 x 10) and APNG frame chunks.
    "second header": grey_png(GREY, before=_chunk(b"IHDR", struct.pack(">II", 1, 1) + bytes(5))),
    "frame control": grey_png(
        GREY, before=_chunk(b"fcTL", struct.pack(">IIIIIHHBB", 0, 2, 2, 0, 0, 1, 1, 0, 0))
    ),
    "frame data": grey_png(
        GREY, before=_chunk(b"fdAT", struct.pack(">I", 1) + zlib.compress(bytes(66)))
    ),
    # After it, anything but the end: Pillow reads those chunks and refuses some.
    "text after the image data": grey_png(GREY, after=_chunk(b"tEXt", b"Comment\x00after")),
    "short gAMA after the image data": grey_png(GREY, after=_chunk(b"gAMA", b"")),
    "a chunk after the image data overruns the file": grey_png(GREY)[:-12]
    + struct.pack(">I", 99)
    + b"tEXt",
    "bytes after the image data": grey_png(GREY)[:-12] + b"\x00\x01\x02",
}


@pytest.mark.parametrize("case", ODD)
def test_odd_or_broken_pngs_are_left_to_pillow(case):
    assert decode_grey_png(ODD[case]) is None


def _verdicts(path, monkeypatch, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[object, object]:
    """What reading ``path`` gives (pixels, or the error's message) with the fast path, then
    with Pillow alone; under Pillow's setting for truncated images as the test has it."""

    def outcome():
        try:
            return [np.asarray(f.image).tolist() for f in read_frames(path, max_pixels=max_pixels)]
        except ImageReadError as error:
            return str(error)

    with_fast_path = outcome()
    with monkeypatch.context() as patch:
        patch.setattr(_images, "_decode_grey_png", lambda data: None)
        return with_fast_path, outcome()


@pytest.mark.parametrize("truncated_allowed", [False, True])
@pytest.mark.parametrize("case", [*ODD, *OTHER_KINDS])
def test_reading_a_file_gives_pillows_verdict(case, truncated_allowed, tmp_path, monkeypatch):
    """The same pixels or the same error as reading with Pillow alone."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", truncated_allowed)
    path = tmp_path / "frame.png"
    path.write_bytes(ODD.get(case) or OTHER_KINDS[case])
    fast, pillow = _verdicts(path, monkeypatch)
    assert fast == pillow


# Chunks a file may hold around or among its image data: well-formed, odd and broken ones.
_PIECES = {
    "IDAT": None,  # the next piece of the image's stream
    "tEXt": _chunk(b"tEXt", b"Comment\x00note"),
    "gAMA": _chunk(b"gAMA", struct.pack(">I", 45455)),
    "short gAMA": _chunk(b"gAMA", b""),
    "short pHYs": _chunk(b"pHYs", b"\x00"),
    "tRNS": _chunk(b"tRNS", b"\x00\x07"),
    "sBIT": _chunk(b"sBIT", b"\x05"),
    "IHDR 1x1": _chunk(b"IHDR", struct.pack(">II", 1, 1) + bytes(5)),
    "IHDR big": _chunk(b"IHDR", struct.pack(">II", 3000, 3000) + bytes(5)),
    "acTL": _chunk(b"acTL", struct.pack(">II", 1, 0)),
    "fcTL": _chunk(b"fcTL", struct.pack(">IIIIIHHBB", 0, 4, 3, 1, 1, 1, 1, 0, 0)),
    "short fcTL": _chunk(b"fcTL", b"\x00\x00"),
    "fdAT": _chunk(b"fdAT", struct.pack(">I", 1) + zlib.compress(bytes(66))),
    "bad CRC": _chunk(b"tEXt", b"Comment\x00x")[:-1] + b"\x00",
    "IEND": _chunk(b"IEND", b""),
    "overrun": struct.pack(">I", 10**5) + b"zTXt",
    "junk": b"\x01\x02\x03",
}


@pytest.mark.filterwarnings("ignore:Invalid APNG:UserWarning")  # drawn on purpose
@settings(max_examples=120, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(sorted(_PIECES)), min_size=1, max_size=7),
    truncated_allowed=st.booleans(),
)
def test_any_layout_of_chunks_gives_pillows_verdict(pieces, truncated_allowed, tmp_path_factory):
    """Chunks in any order around the image data, its stream shared among the IDATs drawn: the
    fast path and Pillow alone read the same, under either setting for truncated images."""
    monkeypatch = pytest.MonkeyPatch()
    try:
        monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", truncated_allowed)
        stream = zlib.compress(_filtered(GREY, [0, 1, 2, 3, 4, 1]))
        cuts = np.linspace(0, len(stream), pieces.count("IDAT") + 1).astype(int)
        parts = iter(stream[a:b] for a, b in itertools.pairwise(cuts))
        body = [_chunk(b"IDAT", next(parts)) if p == "IDAT" else _PIECES[p] for p in pieces]
        header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 10, 6, 8, 0, 0, 0, 0))
        path = tmp_path_factory.mktemp("png") / "frame.png"
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + header + b"".join(body))
        fast, pillow = _verdicts(path, monkeypatch, max_pixels=10**6)
        assert fast == pillow
    finally:
        monkeypatch.undo()


def test_a_second_header_cannot_slip_past_the_pixel_limit(tmp_path, monkeypatch):
    """The header Pillow checks against ``max_pixels`` is the one whose size is decoded."""
    big = _chunk(b"IHDR", struct.pack(">IIBBBBB", 3000, 3000, 8, 0, 0, 0, 0))
    small = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    stream = zlib.compress(bytes(3000 * 3001))
    path = tmp_path / "frame.png"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + big + small + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")
    )
    fast, pillow = _verdicts(path, monkeypatch, max_pixels=10**6)
    assert fast == pillow
    assert not isinstance(fast, list) or np.asarray(fast[0]).shape == (1, 1)


def test_pillow_decodes_when_the_decoder_cannot_load(tmp_path, monkeypatch, caplog):
    """numba failing to start (no writable cache folder, say) costs speed, not PNGs."""
    path = tmp_path / "frame.png"
    path.write_bytes(grey_png(GREY, [3] * 6))
    monkeypatch.setitem(sys.modules, "synthscope.io._png", None)  # importing it now fails
    _images._grey_png_decoder.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="synthscope.io._images"):
            frames = read_frames(path)
    finally:
        _images._grey_png_decoder.cache_clear()
    np.testing.assert_array_equal(np.asarray(frames[0].image), GREY)
    assert "decoded by Pillow" in caplog.text


def test_reading_a_plain_png_takes_the_fast_path(tmp_path, monkeypatch):
    path = tmp_path / "frame.png"
    path.write_bytes(grey_png(GREY, [4] * 6))
    used = []
    fast = _images._decode_grey_png
    monkeypatch.setattr(_images, "_decode_grey_png", lambda data: used.append(1) or fast(data))
    read = read_image_file(path)
    assert used == [1]
    np.testing.assert_array_equal(np.asarray(read.frames[0].image), GREY)
    assert read.sha1 == hashlib.sha1(path.read_bytes()).hexdigest()
    monkeypatch.setattr(_images, "_decode_grey_png", lambda data: None)
    by_pillow = read_image_file(path)
    assert read.properties == by_pillow.properties
    assert (read.sha1, read.size) == (by_pillow.sha1, by_pillow.size)


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
