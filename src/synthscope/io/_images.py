"""Decode image files into 8-bit grayscale frames.

PNG, JPEG, TIFF and BMP go through Pillow and its ``L`` conversion (ITU-R 601-2 luma for colour).
DICOM goes through pydicom: each frame of a multi-frame file is one frame; the VOI LUT or window is
applied when the file has one, otherwise the stored values are stretched min-max to 0..255.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from synthscope.errors import ImageReadError

__all__ = [
    "DICOM_SUFFIXES",
    "IMAGE_SUFFIXES",
    "Frame",
    "is_dicom",
    "read_frames",
    "read_grayscale",
]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"})
DICOM_SUFFIXES = frozenset({".dcm", ".dicom"})


@dataclass(frozen=True)
class Frame:
    """One grayscale frame of an image file; ``index`` is the frame number in a multi-frame DICOM."""

    image: Image.Image
    index: int | None = None


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


def read_frames(path: Path) -> list[Frame]:
    """All frames of ``path`` as Pillow ``L`` images; raises :class:`ImageReadError` naming the file."""
    if is_dicom(path):
        return _read_dicom(path)
    return [Frame(_read_pillow(path))]


def read_grayscale(path: Path, frame: int | None = None) -> np.ndarray:
    """One frame of ``path`` as an (H, W) uint8 array."""
    frames = read_frames(path)
    if frame is None:
        return np.asarray(frames[0].image)
    for item in frames:
        if item.index == frame:
            return np.asarray(item.image)
    raise ImageReadError(path, f"has no frame {frame} ({len(frames)} frames)")


def _read_pillow(path: Path) -> Image.Image:
    try:
        with Image.open(path) as image:
            image.load()  # decode now, so truncation is found here and not later
            if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
                return _stretch_to_l(np.asarray(image))
            return image.convert("L")
    except FileNotFoundError as error:
        raise ImageReadError(path, "file not found") from error
    except UnidentifiedImageError as error:
        raise ImageReadError(path, "not a readable image (unknown or corrupt format)") from error
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageReadError(path, f"cannot decode image ({error})") from error


def _stretch_to_l(values: np.ndarray) -> Image.Image:
    """Min-max stretch of a high-bit-depth array to 8 bits (used for 16-bit images and DICOM)."""
    values = values.astype(np.float64)
    low, high = float(values.min()), float(values.max())
    if high <= low:
        scaled = np.zeros(values.shape, dtype=np.uint8)
    else:
        scaled = np.round((values - low) * (255.0 / (high - low))).astype(np.uint8)
    return Image.fromarray(scaled, mode="L")


def _read_dicom(path: Path) -> list[Frame]:
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        dataset = pydicom.dcmread(path)
    except FileNotFoundError as error:
        raise ImageReadError(path, "file not found") from error
    except (InvalidDicomError, OSError, ValueError, EOFError) as error:
        raise ImageReadError(path, f"not a readable DICOM file ({error})") from error
    if "PixelData" not in dataset:
        raise ImageReadError(path, "DICOM file has no pixel data")
    try:
        pixels = dataset.pixel_array
    except Exception as error:  # pydicom raises many types for missing handlers or bad data
        raise ImageReadError(path, f"cannot decode DICOM pixel data ({error})") from error

    n_frames = int(getattr(dataset, "NumberOfFrames", 1) or 1)
    samples = int(getattr(dataset, "SamplesPerPixel", 1) or 1)
    stack = pixels if n_frames > 1 else pixels[np.newaxis]
    frames = []
    for index, frame in enumerate(stack):
        if samples > 1:  # colour DICOM: Pillow's luma conversion, as for colour PNGs
            image = Image.fromarray(np.ascontiguousarray(frame).astype(np.uint8), mode="RGB")
            image = image.convert("L")
        else:
            image = _dicom_to_l(dataset, frame)
        frames.append(Frame(image, index if n_frames > 1 else None))
    return frames


def _dicom_to_l(dataset, frame: np.ndarray) -> Image.Image:
    from pydicom.pixels import apply_modality_lut, apply_voi_lut

    values = np.asarray(apply_modality_lut(frame, dataset), dtype=np.float64)
    if "WindowCenter" in dataset and "WindowWidth" in dataset:
        image = _window_to_l(values, dataset)
    elif "VOILUTSequence" in dataset:
        lut = dataset.VOILUTSequence[0]
        top = float(2 ** int(lut.LUTDescriptor[2]) - 1)
        scaled = np.asarray(apply_voi_lut(values, dataset), dtype=np.float64) * (255.0 / top)
        image = Image.fromarray(np.clip(np.round(scaled), 0, 255).astype(np.uint8), mode="L")
    else:
        image = _stretch_to_l(values)
    if getattr(dataset, "PhotometricInterpretation", "") == "MONOCHROME1":
        image = Image.fromarray(255 - np.asarray(image), mode="L")
    return image


def _first(value) -> float:
    """Window attributes may be multi-valued; the first pair is the default view."""
    try:
        return float(value[0])
    except TypeError:
        return float(value)


def _window_to_l(values: np.ndarray, dataset) -> Image.Image:
    """The DICOM window (PS3.3 C.11.2.1.2), mapped straight to 0..255."""
    center = _first(dataset.WindowCenter)
    width = max(_first(dataset.WindowWidth), 1.0)
    function = str(getattr(dataset, "VOILUTFunction", "LINEAR")).upper()
    if function == "SIGMOID":
        scaled = 255.0 / (1.0 + np.exp(-4.0 * (values - center) / width))
    elif function == "LINEAR_EXACT":
        scaled = ((values - center) / width + 0.5) * 255.0
    else:
        scaled = ((values - (center - 0.5)) / max(width - 1.0, 1.0) + 0.5) * 255.0
    return Image.fromarray(np.clip(np.round(scaled), 0, 255).astype(np.uint8), mode="L")
