"""Image and DICOM decoding: every frame, the right luminance, or one clear error (issue 16, part 4)."""

from __future__ import annotations

import builtins
import hashlib
import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from synthscope.errors import ImageReadError
from synthscope.io import read_frames, read_grayscale, read_label_map
from tests.io import _dicom


def png_claiming(path: Path, width: int, height: int) -> Path:
    """A 1x1 PNG whose header claims ``width`` x ``height`` (what a decompression bomb shows)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00\x00")
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )
    return path


def test_a_decompression_bomb_is_refused_with_a_way_out(tmp_path):
    bomb = png_claiming(tmp_path / "bomb.png", 20000, 20000)
    with pytest.raises(
        ImageReadError, match=r"bomb\.png: is .*400,000,000 pixels, over the limit.*--max-pixels"
    ):
        read_frames(bomb)
    big = tmp_path / "big.png"
    Image.new("L", (1500, 1000), 7).save(big)
    with pytest.raises(ImageReadError, match="1,500,000 pixels, over the limit of 1,000,000"):
        read_frames(big, max_pixels=1_000_000)
    assert read_grayscale(big, max_pixels=2_000_000).shape == (1000, 1500)


def test_a_bomb_inside_a_dicom_is_refused_before_decoding(tmp_path):
    path = _dicom.write_monochrome(tmp_path / "a.dcm", np.zeros((4, 6), dtype=np.uint16))
    with pytest.raises(ImageReadError, match=r"a\.dcm: is 6x4 = 24 pixels, over the limit of 10"):
        read_frames(path, max_pixels=10)


RGB = np.random.default_rng(5).integers(0, 256, size=(6, 8, 3), dtype=np.uint8)


def expected_luma(rgb: np.ndarray) -> np.ndarray:
    return np.round(_dicom.luma(rgb))


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("rgb8", lambda p: _dicom.write_rgb(p, RGB)),
        ("rgb8-planar", lambda p: _dicom.write_rgb(p, RGB, planar=1)),
        ("rgb16", lambda p: _dicom.write_rgb(p, RGB.astype(np.uint16) * 257, bits=16)),
        (
            "rgb12",
            lambda p: _dicom.write_rgb(p, np.round(RGB * (4095 / 255)).astype(np.uint16), bits=12),
        ),
        ("ybr-full", lambda p: _dicom.write_ybr_full(p, RGB)),
        ("ybr-full-422", lambda p: _dicom.write_ybr_full_422(p, RGB)),
    ],
)
def test_colour_dicom_gives_the_luma_of_its_colours(tmp_path, name, write):
    grey = read_grayscale(write(tmp_path / f"{name}.dcm")).astype(float)
    assert np.abs(grey - expected_luma(RGB)).max() <= 1.0, name


@pytest.mark.parametrize("lut_bits", [8, 16])
def test_palette_colour_dicom_goes_through_its_palette(tmp_path, lut_bits):
    lut8 = np.array([[0, 0, 0], [255, 0, 0], [0, 255, 0], [10, 20, 200], [255, 255, 255]])
    indices = RGB[..., 0] % len(lut8)
    lut = lut8 * 257 if lut_bits == 16 else lut8
    grey = read_grayscale(_dicom.write_palette(tmp_path / "p.dcm", indices, lut, lut_bits=lut_bits))
    assert np.abs(grey.astype(float) - expected_luma(lut8[indices])).max() <= 1.0


def test_jpeg_baseline_ybr_is_converted_once(tmp_path):
    smooth = np.repeat(np.repeat(RGB, 8, axis=0), 8, axis=1)  # blocks JPEG keeps well
    grey = read_grayscale(_dicom.write_jpeg_baseline(tmp_path / "j.dcm", smooth)).astype(float)
    assert np.abs(grey - expected_luma(smooth)).mean() < 3.0


def test_monochrome1_is_monochrome2_inverted(tmp_path):
    values = np.arange(48, dtype=np.uint16).reshape(6, 8) * 80
    two = read_grayscale(_dicom.write_monochrome(tmp_path / "m2.dcm", values))
    one = read_grayscale(
        _dicom.write_monochrome(tmp_path / "m1.dcm", values, interpretation="MONOCHROME1")
    )
    np.testing.assert_array_equal(one, 255 - two)
    assert two[0, 0] == 0 and two[-1, -1] == 255


def test_non_finite_pixels_are_refused_not_shown_black(tmp_path):
    values = np.linspace(0, 1, 48, dtype=np.float32).reshape(6, 8)
    tiff = tmp_path / "ok.tif"
    Image.fromarray(values, mode="F").save(tiff)
    assert read_grayscale(tiff).max() == 255
    values[2, 3] = np.nan
    values[4, 4] = np.inf
    Image.fromarray(values, mode="F").save(tmp_path / "nan.tif")
    with pytest.raises(ImageReadError, match=r"nan\.tif: holds 2 NaN or infinite pixel values"):
        read_frames(tmp_path / "nan.tif")
    _dicom.write_float(tmp_path / "nan.dcm", values)
    with pytest.raises(ImageReadError, match=r"nan\.dcm: holds 2 NaN or infinite pixel values"):
        read_frames(tmp_path / "nan.dcm")
    finite = _dicom.write_float(tmp_path / "f.dcm", np.nan_to_num(values, posinf=1.0))
    assert read_grayscale(finite).max() == 255


def frames_of(count: int) -> list[Image.Image]:
    return [Image.fromarray(np.full((10, 12), 30 * (k + 1), dtype=np.uint8)) for k in range(count)]


@pytest.mark.parametrize("suffix", [".tif", ".gif", ".png", ".webp"])
def test_multi_page_and_animated_images_give_every_frame(tmp_path, suffix):
    path = tmp_path / f"movie{suffix}"
    first, *rest = frames_of(4)
    options = {"lossless": True} if suffix == ".webp" else {}
    if suffix in (".gif", ".png", ".webp"):
        first.save(path, save_all=True, append_images=rest, duration=100, loop=0, **options)
    else:
        first.save(path, save_all=True, append_images=rest)
    frames = read_frames(path)
    assert [f.index for f in frames] == [0, 1, 2, 3]
    means = [float(np.asarray(f.image).mean()) for f in frames]
    np.testing.assert_allclose(means, [30, 60, 90, 120], atol=2)
    assert float(read_grayscale(path, 2).mean()) == pytest.approx(90, abs=2)
    single = tmp_path / f"still{suffix}"
    first.save(single)
    assert [f.index for f in read_frames(single)] == [None]


def test_label_maps_keep_class_indices_and_refuse_non_images(tmp_path):
    labels = np.array([[0, 1, 2], [3, 4, 0]], dtype=np.uint8)
    palette = Image.fromarray(labels, mode="P")
    palette.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0])
    palette.save(tmp_path / "p.png")
    np.testing.assert_array_equal(read_label_map(tmp_path / "p.png"), labels)
    (tmp_path / "junk.png").write_text("not an image")
    with pytest.raises(ImageReadError, match=r"junk\.png: not a readable image"):
        read_label_map(tmp_path / "junk.png")
    with pytest.raises(ImageReadError, match="file not found"):
        read_label_map(tmp_path / "missing.png")


def test_a_decoder_message_with_a_newline_stays_one_line(tmp_path):
    # Found by fuzzing: a byte flipped to '\n' inside a DICOM tag reached the error message.
    path = _dicom.write_monochrome(tmp_path / "m.dcm", np.zeros((4, 6), dtype=np.uint16))
    data = path.read_bytes().replace(b"MONOCHROME2", b"MON\nCHROME2")
    path.write_bytes(data)
    with pytest.raises(ImageReadError) as error:
        read_frames(path)
    assert "\n" not in str(error.value) and str(error.value).startswith(str(path))


def test_a_file_read_once_gives_its_frames_properties_and_digest(tmp_path, monkeypatch):
    from synthscope.io import native_properties, read_image_file

    rng = np.random.default_rng(2)
    pages = [Image.fromarray(rng.integers(0, 256, (9, 7), dtype=np.uint8)) for _ in range(3)]
    pages[0].save(tmp_path / "cine.gif", save_all=True, append_images=pages[1:])
    pages[0].convert("P").save(tmp_path / "pal.png")
    Image.fromarray(RGB).save(tmp_path / "rgb.tif")
    Image.fromarray(rng.integers(0, 65535, (5, 4)).astype(np.uint16)).save(tmp_path / "deep.png")
    _dicom.write_monochrome(tmp_path / "a.dcm", np.arange(24, dtype=np.uint16).reshape(4, 6))
    files = sorted(tmp_path.iterdir())
    expected = {path: (read_frames(path), native_properties(path)) for path in files}
    opened: list[Path] = []
    real_open = io.open

    def counting_open(file, *args, **kwargs):
        if isinstance(file, str | Path) and Path(file).parent == tmp_path:
            opened.append(Path(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", counting_open)  # pathlib's
    monkeypatch.setattr(builtins, "open", counting_open)  # Pillow's and pydicom's
    for path in files:
        read = read_image_file(path)
        frames, properties = expected[path]
        assert [f.index for f in read.frames] == [f.index for f in frames]
        for got, want in zip(read.frames, frames, strict=True):
            assert got.image.mode == "L"
            np.testing.assert_array_equal(np.asarray(got.image), np.asarray(want.image))
        assert read.properties == properties
        data = path.read_bytes()
        opened.pop()
        assert (read.sha1, read.size) == (hashlib.sha1(data).hexdigest(), len(data))
    assert opened == files  # each file read once, for its frames, properties and digest alike
