"""Fuzzing the readers: any bytes give a result or a SynthscopeError naming the file, never a crash.

Valid files of every kind synthscope reads are truncated at random points and have random bytes
flipped; tables are made of random cells, tabs, newlines, byte-order marks and bytes that are not
UTF-8. Bounded by ``max_examples`` so the whole module takes seconds.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from synthscope.errors import SynthscopeError
from synthscope.io import (
    read_frames,
    read_label_map,
    read_metadata_tsv,
    read_sidecar_table,
    read_tensors_tsv,
    scan_folder,
)
from tests.helpers import write_dicom
from tests.io import _dicom

# SYNTHSCOPE_FUZZ_EXAMPLES=5000 runs a deeper search than the test suite's default.
# Decoders warn about the damage they meet; the test is about what they raise.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

FUZZ = settings(
    max_examples=int(os.environ.get("SYNTHSCOPE_FUZZ_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _pillow_bytes(fmt: str, **options) -> bytes:
    rng = np.random.default_rng(1)
    pages = [Image.fromarray(rng.integers(0, 256, (12, 10), dtype=np.uint8)) for _ in range(3)]
    buffer = io.BytesIO()
    if options.pop("animated", False):
        pages[0].save(buffer, format=fmt, save_all=True, append_images=pages[1:], **options)
    else:
        pages[0].convert(options.pop("mode", "L")).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _dicom_bytes(tmp: Path, kind: str) -> bytes:
    rgb = np.random.default_rng(2).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    path = tmp / f"{kind}.dcm"
    if kind == "mono":
        write_dicom(path, np.arange(48, dtype=np.uint16).reshape(6, 8), window=(20, 30))
    elif kind == "multi":
        write_dicom(path, np.arange(96, dtype=np.uint16).reshape(2, 6, 8))
    elif kind == "rgb":
        _dicom.write_rgb(path, rgb)
    elif kind == "ybr422":
        _dicom.write_ybr_full_422(path, rgb)
    elif kind == "palette":
        _dicom.write_palette(path, rgb[..., 0] % 3, np.eye(3, dtype=int) * 255, lut_bits=8)
    elif kind == "jpeg":
        _dicom.write_jpeg_baseline(path, rgb)
    else:
        _dicom.write_float(path, rgb[..., 0].astype(np.float32))
    return path.read_bytes()


@pytest.fixture(scope="module")
def valid_files(tmp_path_factory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("valid")
    files = {
        ".png": _pillow_bytes("PNG"),
        ".jpg": _pillow_bytes("JPEG"),
        ".tif": _pillow_bytes("TIFF", animated=True),
        ".bmp": _pillow_bytes("BMP", mode="RGB"),
        ".gif": _pillow_bytes("GIF", animated=True, duration=50),
        ".webp": _pillow_bytes("WEBP", animated=True, lossless=True),
        "-apng.png": _pillow_bytes("PNG", animated=True),
        "-16.png": _pillow_bytes("PNG", mode="I;16"),
    }
    for kind in ("mono", "multi", "rgb", "ybr422", "palette", "jpeg", "float"):
        files[f"-{kind}.dcm"] = _dicom_bytes(tmp, kind)
    return files


def mutated(data: bytes, cut: float, flips: list[tuple[float, int]]) -> bytes:
    out = bytearray(data[: max(1, int(len(data) * cut))])
    for where, value in flips:
        out[int(where * (len(out) - 1))] = value
    return bytes(out)


@FUZZ
@given(
    which=st.integers(0, 14),
    cut=st.floats(0.0, 1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=6),
)
def test_damaged_images_and_dicoms_fail_cleanly(valid_files, tmp_path, which, cut, flips):
    suffix, data = sorted(valid_files.items())[which % len(valid_files)]
    path = tmp_path / f"f{suffix}"
    path.write_bytes(mutated(data, cut, flips))
    try:
        frames = read_frames(path, max_pixels=1_000_000)
    except SynthscopeError as error:
        assert str(error).startswith(str(path)) and "\n" not in str(error)
    else:
        assert frames and all(f.image.mode == "L" for f in frames)
    with contextlib.suppress(SynthscopeError):
        read_label_map(path, max_pixels=1_000_000)


_CELL = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\t\n\r"), max_size=6),
    st.sampled_from(["nan", "inf", "-1e400", "1e5", "0", "", "stem", "path", "group", "\ufeff"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
_TABLE = st.lists(st.lists(_CELL, min_size=1, max_size=5), min_size=0, max_size=6)


def _text(rows: list[list[str]], bom: bool, crlf: bool) -> bytes:
    text = ("\r\n" if crlf else "\n").join("\t".join(row) for row in rows)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


@FUZZ
@given(rows=_TABLE, bom=st.booleans(), crlf=st.booleans(), junk=st.binary(max_size=8))
def test_tables_parse_or_fail_naming_the_file(tmp_path, rows, bom, crlf, junk):
    path = tmp_path / "t.tsv"
    data = _text(rows, bom, crlf)
    for content in (data, data + junk):
        path.write_bytes(content)
        for read in (
            read_tensors_tsv,
            read_metadata_tsv,
            read_sidecar_table,
            lambda p: read_metadata_tsv(p, n_rows=3),
        ):
            try:
                result = read(path)
            except SynthscopeError as error:
                assert str(error).startswith(str(path)), error
                continue
            if read is read_tensors_tsv:
                vectors, _ = result
                assert vectors.dtype == np.float32 and np.isfinite(vectors).all()


@FUZZ
@given(rows=_TABLE, bom=st.booleans())
def test_sidecar_tables_beside_images_never_crash_a_scan(tmp_path, rows, bom):
    folder = tmp_path / "imgs"
    folder.mkdir(exist_ok=True)
    for name in ("a.png", "b.png"):
        if not (folder / name).exists():
            Image.new("L", (4, 4)).save(folder / name)
    (folder / "frames.tsv").write_bytes(_text([["stem", "group", "x"], *rows], bom, False))
    try:
        entries = scan_folder(folder, "real")
    except SynthscopeError:
        return
    assert [e.file.name for e in entries] == ["a.png", "b.png"]
