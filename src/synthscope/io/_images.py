"""Decode image files into 8-bit grayscale frames, or fail with one line naming the file.

PNG, JPEG, TIFF, BMP, GIF and WebP go through Pillow and its ``L`` conversion (ITU-R 601-2 luma
for colour). Every frame counts: a multi-page TIFF or an animated GIF, PNG (APNG) or WebP gives
one frame per page, as a multi-frame DICOM does, never its first frame alone. High-bit-depth
and float images are stretched min-max to 0..255.

DICOM goes through pydicom, each photometric interpretation to its luminance: ``MONOCHROME2``
through its window (VOI LUT) when it has one, else a min-max stretch, and ``MONOCHROME1`` the same
inverted; ``RGB`` (8 or 16 bits) scaled from its stored bits to 0..255 and then luma;
``PALETTE COLOR`` through its palette, then luma; the ``YBR`` family by its Y, which is the luma
(full range as is, partial range stretched from 16..235).

A file is read once: :func:`read_image_file` decodes its bytes from memory and gives, from that one
reading, its frames, its native properties and the SHA-1 of the very bytes decoded (what an
ingest records), so nothing is read twice and the file cannot change in between.

Two things are refused rather than guessed: a frame over ``max_pixels`` pixels (a decompression
bomb: a 400 KB PNG can claim 20000 x 20000), and pixels that are NaN or infinite.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from synthscope.errors import ImageReadError
from synthscope.io._properties import dicom_properties, pillow_properties

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "DICOM_SUFFIXES",
    "IMAGE_SUFFIXES",
    "Frame",
    "ImageFile",
    "is_dicom",
    "read_frames",
    "read_image_file",
    "read_grayscale",
    "read_label_map",
]

IMAGE_SUFFIXES = frozenset(
    {".png", ".apng", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"}
)
DICOM_SUFFIXES = frozenset({".dcm", ".dicom"})
#: The most pixels one frame may hold (8192 x 8192); ``ingest --max-pixels`` raises it.
DEFAULT_MAX_PIXELS = 8192 * 8192

log = logging.getLogger(__name__)
_PILLOW_LIMIT = threading.Lock()
# Luma weights of ITU-R BT.601, the ones Pillow's "L" conversion uses.
_LUMA = np.array([0.299, 0.587, 0.114])


@dataclass(frozen=True)
class Frame:
    """One grayscale frame of an image file; ``index`` numbers the frames of a multi-frame file."""

    image: Image.Image
    index: int | None = None


@dataclass(frozen=True)
class ImageFile:
    """An image file read once: its frames, its native properties, and its bytes' SHA-1 and size."""

    frames: list[Frame]
    properties: dict[str, Any]  # see synthscope.io.PROPERTY_COLUMNS
    sha1: str
    size: int


@dataclass(frozen=True)
class _Read:
    frames: list[Frame]
    properties: dict[str, Any]
    data: bytes


def is_dicom(path: Path) -> bool:
    """True for a ``.dcm``/``.dicom`` suffix, or an extensionless file with the DICM preamble."""
    suffix = path.suffix.lower()
    if suffix in DICOM_SUFFIXES:
        return True
    if suffix:
        return False
    try:
        with path.open("rb") as handle:
            handle.seek(128)
            return handle.read(4) == b"DICM"
    except OSError:
        return False


def read_frames(path: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> list[Frame]:
    """All frames of ``path`` as Pillow ``L`` images; raises :class:`ImageReadError` naming it."""
    return _read(Path(path), max_pixels).frames


def read_image_file(path: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageFile:
    """:func:`read_frames`, :func:`~synthscope.io.native_properties` and the SHA-1 and size of
    ``path``'s bytes, from one reading of the file."""
    read = _read(Path(path), max_pixels)
    digest = hashlib.sha1(read.data, usedforsecurity=False).hexdigest()
    return ImageFile(read.frames, read.properties, digest, len(read.data))


def _read(path: Path, max_pixels: int) -> _Read:
    if is_dicom(path):
        return _read_dicom(path, max_pixels)
    return _read_pillow(path, max_pixels)


def read_grayscale(
    path: Path, frame: int | None = None, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> np.ndarray:
    """One frame of ``path`` as an (H, W) uint8 array (the first when ``frame`` is None)."""
    frames = read_frames(path, max_pixels=max_pixels)
    if frame is None:
        return np.asarray(frames[0].image)
    for item in frames:
        if item.index == frame:
            return np.asarray(item.image)
    raise ImageReadError(path, f"has no frame {frame} ({len(frames)} frames)")


def read_label_map(path: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """A label map as (H, W) uint8 class indices (palette and grey images keep their values)."""
    path = Path(path)
    try:
        with _open_pillow(path, max_pixels) as image:
            image.load()
            if image.mode in ("P", "L", "1", "I", "I;16", "I;16B", "I;16L", "F"):
                values = np.asarray(image)
                if not np.isfinite(values).all():
                    raise ImageReadError(path, "label map holds NaN or infinite values")
                return values.astype(np.uint8)
            return np.asarray(image.convert("L"))
    except ImageReadError:
        raise
    except Exception as error:
        raise _pillow_error(path, error, max_pixels) from error


def _check_size(path: Path, width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise _too_many_pixels(path, f"{width}x{height} = {width * height:,}", max_pixels)


def _open_pillow(path: Path, max_pixels: int, data: bytes | None = None) -> Image.Image:
    """``Image.open`` of ``path`` (or of its ``data``, already read) with our limit deciding:
    Pillow's own refuses above twice its default."""
    with _PILLOW_LIMIT:
        current = Image.MAX_IMAGE_PIXELS
        if current is not None and current < max_pixels:
            Image.MAX_IMAGE_PIXELS = max_pixels
    image = Image.open(path if data is None else io.BytesIO(data))
    try:
        _check_size(path, *image.size, max_pixels)
    except BaseException:
        image.close()
        raise
    return image


def _too_many_pixels(path: Path, size: str, max_pixels: int) -> ImageReadError:
    return ImageReadError(
        path,
        f"is {size} pixels, over the limit of {max_pixels:,} (a decompression bomb?); "
        "raise it with --max-pixels if it is real",
    )


def _pillow_error(path: Path, error: BaseException, max_pixels: int) -> ImageReadError:
    if isinstance(error, FileNotFoundError):
        return ImageReadError(path, "file not found")
    if isinstance(error, IsADirectoryError):
        return ImageReadError(path, "is a folder, not an image")
    if isinstance(error, Image.DecompressionBombError | Image.DecompressionBombWarning):
        # Pillow's own limit spoke first (above twice its default); its message has the count.
        found = re.search(r"\((\d+) pixels\)", str(error))
        size = f"{int(found.group(1)):,}" if found else "too many"
        return _too_many_pixels(path, size, max_pixels)
    if isinstance(error, UnidentifiedImageError):
        return ImageReadError(path, "not a readable image (unknown or corrupt format)")
    if isinstance(error, MemoryError):
        return ImageReadError(path, "too large to decode in memory")
    return ImageReadError(path, f"cannot decode image ({type(error).__name__}: {error})")


def _read_pillow(path: Path, max_pixels: int) -> _Read:
    try:
        data = path.read_bytes()
        # Decoded from memory, the image holds no file: it is not closed, so that a single
        # 'L' frame (most medical PNGs) is kept as decoded instead of copied.
        image = _open_pillow(path, max_pixels, data)
        properties = pillow_properties(image, path)  # before a frame is loaded or sought
        count = int(getattr(image, "n_frames", 1) or 1)
        frames = []
        if count == 1 and image.format == "PNG" and image.mode == "L":
            pixels = _decode_grey_png(data)  # None: not the plain kind, or odd; Pillow decides
            if pixels is not None and pixels.shape == (image.height, image.width):
                return _Read([Frame(Image.fromarray(pixels), None)], properties, data)
        for index in range(count):
            if count > 1:
                image.seek(index)
                _check_size(path, *image.size, max_pixels)
            image.load()  # decode now, so truncation is found here and not later
            frames.append(Frame(_to_l(path, image, keep=count == 1), index if count > 1 else None))
        return _Read(frames, properties, data)
    except ImageReadError:
        raise
    except Exception as error:  # Pillow raises many types for corrupt data
        raise _pillow_error(path, error, max_pixels) from error


def _decode_grey_png(data: bytes) -> np.ndarray | None:
    """synthscope's decoder of plain 8-bit greyscale PNGs (None: let Pillow decode them)."""
    decoder = _grey_png_decoder()
    return None if decoder is None else decoder(data)


@functools.cache
def _grey_png_decoder() -> Callable[[bytes], np.ndarray | None] | None:
    # Imported when first needed: it starts numba, which only PNG decoding needs here. Should
    # numba not start (no writable folder for its cache, say), Pillow decodes every PNG.
    try:
        from synthscope.io._png import decode_grey_png
    except Exception as error:
        log.warning("PNGs are decoded by Pillow: synthscope's decoder did not load (%s)", error)
        return None
    return decode_grey_png


def _to_l(path: Path, image: Image.Image, *, keep: bool = False) -> Image.Image:
    """``image`` as ``L``; with ``keep``, an ``L`` image itself (``convert`` would copy it: the
    next frame of a multi-frame file is decoded into the same image)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return _stretch_to_l(path, np.asarray(image))
    if keep and image.mode == "L":
        return image
    return image.convert("L")


def _finite(path: Path, values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        raise ImageReadError(
            path,
            f"holds {int(bad.sum()):,} NaN or infinite pixel values; replace them first "
            "(no grey level can stand for them)",
        )
    return values


def _stretch_to_l(path: Path, values: np.ndarray) -> Image.Image:
    """Min-max stretch of a high-bit-depth array to 8 bits (16-bit and float images, DICOM)."""
    values = _finite(path, values)
    low, high = float(values.min()), float(values.max())
    if high <= low:
        scaled = np.zeros(values.shape, dtype=np.uint8)
    else:
        scaled = np.round((values - low) * (255.0 / (high - low))).astype(np.uint8)
    return Image.fromarray(scaled, mode="L")


def _luma_to_l(rgb: np.ndarray, top: float) -> Image.Image:
    """BT.601 luma of RGB samples whose full scale is ``top``, as an 8-bit image."""
    grey = (np.asarray(rgb, dtype=np.float64) @ _LUMA) * (255.0 / top)
    return Image.fromarray(np.clip(np.round(grey), 0, 255).astype(np.uint8), mode="L")


def _scaled_to_l(values: np.ndarray, low: float, top: float) -> Image.Image:
    grey = (np.asarray(values, dtype=np.float64) - low) * (255.0 / (top - low))
    return Image.fromarray(np.clip(np.round(grey), 0, 255).astype(np.uint8), mode="L")


def _read_dicom(path: Path, max_pixels: int) -> _Read:
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        data = path.read_bytes()
        dataset = pydicom.dcmread(io.BytesIO(data))
    except FileNotFoundError as error:
        raise ImageReadError(path, "file not found") from error
    except IsADirectoryError as error:
        raise ImageReadError(path, "is a folder, not a DICOM file") from error
    except (InvalidDicomError, OSError, ValueError, EOFError) as error:
        raise ImageReadError(path, f"not a readable DICOM file ({error})") from error
    except Exception as error:  # pydicom raises many types for corrupt headers
        raise ImageReadError(path, f"not a readable DICOM file ({type(error).__name__})") from error
    try:
        return _Read(_dicom_frames(path, dataset, max_pixels), dicom_properties(dataset), data)
    except ImageReadError:
        raise
    except MemoryError as error:
        raise ImageReadError(path, "DICOM pixel data too large to decode in memory") from error
    except Exception as error:  # missing handlers, bad lengths, bad tags: one line
        raise ImageReadError(
            path, f"cannot decode DICOM pixel data ({type(error).__name__}: {error})"
        ) from error


def _dicom_frames(path: Path, dataset, max_pixels: int) -> list[Frame]:
    from pydicom.pixels import get_decoder

    if not any(tag in dataset for tag in ("PixelData", "FloatPixelData", "DoubleFloatPixelData")):
        raise ImageReadError(path, "DICOM file has no pixel data")
    rows, columns = int(dataset.get("Rows", 0) or 0), int(dataset.get("Columns", 0) or 0)
    if rows <= 0 or columns <= 0:
        raise ImageReadError(path, f"DICOM image has no size (Rows {rows}, Columns {columns})")
    _check_size(path, columns, rows, max_pixels)
    n_frames = int(dataset.get("NumberOfFrames", 1) or 1)
    file_meta = getattr(dataset, "file_meta", None)
    syntax = file_meta.get("TransferSyntaxUID") if file_meta is not None else None
    if syntax is None:
        from pydicom.uid import ImplicitVRLittleEndian

        syntax = ImplicitVRLittleEndian
    # as_rgb=False: the decoder says what it returns (meta), so YBR is never converted twice.
    pixels, meta = get_decoder(syntax).as_array(dataset, as_rgb=False)
    interpretation = str(meta.get("photometric_interpretation", "")).upper()
    stack = pixels if n_frames > 1 else pixels[np.newaxis]
    frames = []
    for index, frame in enumerate(stack):
        image = _dicom_to_l(path, dataset, frame, interpretation)
        frames.append(Frame(image, index if n_frames > 1 else None))
    return frames


def _dicom_to_l(path: Path, dataset, frame: np.ndarray, interpretation: str) -> Image.Image:
    bits = int(dataset.get("BitsStored", 8) or 8)
    top = float(2**bits - 1)
    if interpretation in ("MONOCHROME1", "MONOCHROME2"):
        image = _monochrome_to_l(path, dataset, frame)
        if interpretation == "MONOCHROME1":  # low values are bright
            image = Image.fromarray(255 - np.asarray(image), mode="L")
        return image
    if interpretation == "PALETTE COLOR":
        from pydicom.pixels import apply_color_lut

        rgb = apply_color_lut(frame, dataset)
        depth = int(dataset.RedPaletteColorLookupTableDescriptor[2])
        return _luma_to_l(rgb, float(2 ** (16 if depth > 8 else 8) - 1))
    if frame.ndim != 3 or frame.shape[-1] != 3:
        raise ImageReadError(
            path, f"{interpretation or 'colour'} DICOM frame has shape {frame.shape}"
        )
    if interpretation == "RGB":
        return _luma_to_l(frame, top)
    if interpretation in ("YBR_FULL", "YBR_FULL_422", "YBR_ICT"):
        return _scaled_to_l(frame[..., 0], 0.0, top)  # Y is the luma, full range
    if interpretation in ("YBR_PARTIAL_422", "YBR_PARTIAL_420"):
        scale = top / 255.0
        return _scaled_to_l(frame[..., 0], 16.0 * scale, 235.0 * scale)
    raise ImageReadError(
        path, f"DICOM photometric interpretation {interpretation!r} is not supported"
    )


def _monochrome_to_l(path: Path, dataset, frame: np.ndarray) -> Image.Image:
    from pydicom.pixels import apply_modality_lut, apply_voi_lut

    values = _finite(path, apply_modality_lut(frame, dataset))
    if "WindowCenter" in dataset and "WindowWidth" in dataset:
        return _window_to_l(path, values, dataset)
    if "VOILUTSequence" in dataset:
        lut = dataset.VOILUTSequence[0]
        top = float(2 ** int(lut.LUTDescriptor[2]) - 1)
        scaled = np.asarray(apply_voi_lut(values, dataset), dtype=np.float64) * (255.0 / top)
        return Image.fromarray(np.clip(np.round(scaled), 0, 255).astype(np.uint8), mode="L")
    return _stretch_to_l(path, values)


def _first(value) -> float:
    """Window attributes may be multi-valued; the first pair is the default view."""
    try:
        return float(value[0])
    except TypeError:
        return float(value)


def _window_to_l(path: Path, values: np.ndarray, dataset) -> Image.Image:
    """The DICOM window (PS3.3 C.11.2.1.2), mapped straight to 0..255."""
    center = _first(dataset.WindowCenter)
    width = _first(dataset.WindowWidth)
    if not (np.isfinite(center) and np.isfinite(width)):  # a broken window: show the range
        return _stretch_to_l(path, values)
    width = max(width, 1.0)
    function = str(getattr(dataset, "VOILUTFunction", "LINEAR")).upper()
    if function == "SIGMOID":
        scaled = 255.0 / (1.0 + np.exp(-4.0 * (values - center) / width))
    elif function == "LINEAR_EXACT":
        scaled = ((values - center) / width + 0.5) * 255.0
    else:
        scaled = ((values - (center - 0.5)) / max(width - 1.0, 1.0) + 0.5) * 255.0
    return Image.fromarray(np.clip(np.round(scaled), 0, 255).astype(np.uint8), mode="L")
