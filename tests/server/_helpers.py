"""Decoders of the server's binary formats, written from their documented layouts."""

from __future__ import annotations

import json
import struct

import numpy as np


def decode_column(data: bytes) -> tuple[dict, np.ndarray]:
    (length,) = struct.unpack_from("<I", data, 0)
    header = json.loads(data[4 : 4 + length])
    start = 4 + length + (-(4 + length)) % 4
    dtype = "<f4" if header["kind"] == "real" else "<i4"
    return header, np.frombuffer(data[start:], dtype=dtype)


def decode_frame(data: bytes) -> tuple[int, int, np.ndarray]:
    iteration, total, n, dims = struct.unpack_from("<IIII", data, 0)
    return iteration, total, np.frombuffer(data[16:], dtype="<f4").reshape(n, dims)
