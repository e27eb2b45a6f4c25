"""A faster decoder for the one PNG kind that frame exports nearly always are: 8-bit greyscale,
not interlaced, a single image.

Pillow reads a PNG's compressed stream in 64 KB pieces and undoes the row filters itself; here
the stream is inflated in one call (Python's zlib, which lets other threads run meanwhile) and
the filters are undone by a numba kernel that does not hold the GIL either. On 1,200 phantom
frames of 500 x 500 px that decoded 1.66 x as fast as Pillow on two threads, 1.41 x with the
filters libpng chooses (``benchmarks/results/png_decode.json``), and decoding is most of what an
ingest does. The price: numba and LLVM, about 130 MiB, loaded in each process that decodes one.

Pillow stays the judge of everything else: this decoder answers None for any other kind of PNG
and for anything unusual in this one (a stream that does not end where the image does, an
unknown row filter, chunks out of order), and the caller then decodes the file with Pillow, so
which files are accepted, and every error message, are Pillow's as before. What it returns is
what Pillow returns for the same bytes, pixel for pixel (tested on every row filter).
"""

from __future__ import annotations

import struct
import zlib

import numba
import numpy as np

import synthscope._openmp  # noqa: F401  (before numba starts: see the module)

__all__ = ["decode_grey_png"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHUNK_HEAD = struct.Struct(">I4s")  # length, type; then the data and a 4-byte CRC
_HEADER = struct.Struct(">IIBBBBB")  # width, height, bit depth, colour type, methods, interlace
# Chunks that, before the image data, change what Pillow decodes: a second header, APNG frames.
_CHANGES_THE_IMAGE = frozenset({b"IHDR", b"acTL", b"fcTL", b"fdAT", b"IEND"})
_END = b"\x00\x00\x00\x00IEND"
_INFLATED = numba.types.Array(numba.uint8, 1, "C", readonly=True)  # np.frombuffer of bytes


def decode_grey_png(data: bytes) -> np.ndarray | None:
    """The ``(height, width)`` uint8 pixels of the PNG ``data``, when it is an 8-bit greyscale,
    non-interlaced, single-image PNG laid out the plain way that decodes cleanly; otherwise None
    (decode it with Pillow).

    Chunk CRCs are not checked: Pillow checks those before the image data when it opens the
    file (which the caller has done) and not those of the image data or after it.
    """
    if not data.startswith(_SIGNATURE) or len(data) < 8 + 8 + _HEADER.size:
        return None
    length, kind = _CHUNK_HEAD.unpack_from(data, 8)
    if kind != b"IHDR" or length != _HEADER.size:
        return None
    width, height, depth, colour, compression, filtering, interlace = _HEADER.unpack_from(data, 16)
    if (depth, colour, compression, filtering, interlace) != (8, 0, 0, 0, 0):
        return None
    if not 0 < width < 2**31 or not 0 < height < 2**31:  # the specification's bounds
        return None
    stream = _image_data(data, 8 + 12 + length)
    if stream is None:
        return None
    expected = height * (width + 1)  # each row: its filter type, then its pixels
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(stream, expected + 1)
    except zlib.error:
        return None
    if len(raw) != expected or not inflater.eof:
        return None
    pixels = np.empty((height, width), dtype=np.uint8)
    if not _unfilter(np.frombuffer(raw, dtype=np.uint8), pixels):
        return None
    return pixels


def _image_data(data: bytes, position: int) -> bytes | memoryview | None:
    """The IDAT chunks' data joined, or None unless the file is laid out the plain way: before
    the image data no second header and nothing animated (those change what Pillow decodes),
    then the IDAT chunks all together, then the end chunk or the end of the file (Pillow reads
    and may refuse any other chunk after the image data)."""
    parts: list[memoryview] = []
    view = memoryview(data)
    while position + 8 <= len(data):
        length, kind = _CHUNK_HEAD.unpack_from(data, position)
        start = position + 8
        if kind == b"IDAT":
            if start + length + 4 > len(data):
                return None
            parts.append(view[start : start + length])
        elif parts:
            break
        elif kind in _CHANGES_THE_IMAGE or start + length + 4 > len(data):
            return None
        position = start + length + 4
    if not parts:
        return None
    if position != len(data) and data[position : position + 8] != _END:
        return None
    return b"".join(parts) if len(parts) > 1 else parts[0]


@numba.njit(numba.boolean(_INFLATED, numba.uint8[:, ::1]), nogil=True, cache=True)
def _unfilter(raw, out):  # pragma: no cover - compiled
    """Undo each row's filter (PNG specification, section 9) from ``raw`` into ``out``; False
    at a row whose filter type is not one of the five."""
    height, width = out.shape
    for y in range(height):
        start = y * (width + 1) + 1
        kind = raw[start - 1]
        if kind == 0:  # None
            for x in range(width):
                out[y, x] = raw[start + x]
        elif kind == 1:  # Sub: plus the pixel to the left
            left = 0
            for x in range(width):
                left = (raw[start + x] + left) & 255
                out[y, x] = left
        elif kind == 2:  # Up: plus the pixel above
            for x in range(width):
                up = out[y - 1, x] if y else 0
                out[y, x] = (raw[start + x] + up) & 255
        elif kind == 3:  # Average of left and above
            left = 0
            for x in range(width):
                up = out[y - 1, x] if y else 0
                left = (raw[start + x] + ((left + up) >> 1)) & 255
                out[y, x] = left
        elif kind == 4:  # Paeth: of left, above, upper-left, the nearest to their estimate
            left = 0
            upper_left = 0
            for x in range(width):
                up = np.int64(out[y - 1, x]) if y else 0
                estimate = left + up - upper_left
                to_left = abs(estimate - left)
                to_up = abs(estimate - up)
                to_upper_left = abs(estimate - upper_left)
                if to_left <= to_up and to_left <= to_upper_left:
                    nearest = left
                elif to_up <= to_upper_left:
                    nearest = up
                else:
                    nearest = upper_left
                left = (raw[start + x] + nearest) & 255
                out[y, x] = left
                upper_left = up
        else:
            return False
    return True
