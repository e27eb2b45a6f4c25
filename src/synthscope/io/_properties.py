"""What an image file is, before it becomes 8-bit grayscale: size, bit depth, channels, format.

Two sets that differ in such a trivial way (real DICOM at 512 x 512 and 16 bits, generated PNG at
256 x 256 and 8 bits) can be told apart by the resize or the quantisation alone, whatever the
generator did; the realism report checks these properties first (see the cue check in
``synthscope.workspace``). Only headers are read: no pixels are decoded here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from synthscope.errors import ImageReadError

__all__ = ["PROPERTY_COLUMNS", "dicom_properties", "native_properties", "pillow_properties"]

#: Column name -> what it holds; recorded for every point at ingest.
PROPERTY_COLUMNS: dict[str, str] = {
    "image_width": "width in pixels as stored",
    "image_height": "height in pixels as stored",
    "image_bit_depth": "bits per sample as stored (1, 8, 16, 32)",
    "image_channels": "samples per pixel (1 grayscale, 3 colour, 4 with alpha)",
    "image_format": "file format (PNG, JPEG, TIFF, BMP, GIF, WEBP, DICOM)",
    "image_compression": "how the pixels are compressed (deflate, jpeg, lzw, raw, a DICOM syntax)",
    "image_photometric": "DICOM photometric interpretation (MONOCHROME2, RGB, YBR_FULL, ...)",
    "image_pixel_spacing": "DICOM pixel spacing in mm (row, column)",
}

# Pillow mode -> (bits per sample, channels)
_MODES = {
    "1": (1, 1),
    "L": (8, 1),
    "P": (8, 1),
    "LA": (8, 2),
    "RGB": (8, 3),
    "RGBA": (8, 4),
    "CMYK": (8, 4),
    "YCbCr": (8, 3),
    "I;16": (16, 1),
    "I;16B": (16, 1),
    "I;16L": (16, 1),
    "I": (32, 1),
    "F": (32, 1),
}


def pillow_properties(image: Image.Image, path: Path) -> dict[str, Any]:
    """The properties of an image Pillow has just opened (before it loads or seeks a frame)."""
    bits, channels = _MODES.get(image.mode, (8, len(image.getbands())))
    fmt = (image.format or path.suffix.lstrip(".")).upper()
    compression = image.info.get("compression")
    if compression is None:
        compression = {"PNG": "deflate", "JPEG": "jpeg", "BMP": "raw", "GIF": "lzw"}.get(
            fmt, "unknown"
        )
    return {
        "image_width": image.width,
        "image_height": image.height,
        "image_bit_depth": bits,
        "image_channels": channels,
        "image_format": fmt,
        "image_compression": str(compression),
        "image_photometric": None,
        "image_pixel_spacing": None,
    }


def _pillow_properties(path: Path) -> dict[str, Any]:
    try:
        with Image.open(path) as image:
            return pillow_properties(image, path)
    except FileNotFoundError as error:
        raise ImageReadError(path, "file not found") from error
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageReadError(path, f"cannot read the image header ({error})") from error


def _dicom_properties(path: Path) -> dict[str, Any]:
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        dataset = pydicom.dcmread(path, stop_before_pixels=True)
    except FileNotFoundError as error:
        raise ImageReadError(path, "file not found") from error
    except (InvalidDicomError, OSError, ValueError, EOFError) as error:
        raise ImageReadError(path, f"not a readable DICOM file ({error})") from error
    return dicom_properties(dataset)


def dicom_properties(dataset: Any) -> dict[str, Any]:
    """The properties of a DICOM dataset pydicom has read (with or without its pixels)."""
    spacing = getattr(dataset, "PixelSpacing", None)
    syntax = getattr(getattr(dataset, "file_meta", None), "TransferSyntaxUID", None)
    return {
        "image_width": int(getattr(dataset, "Columns", 0) or 0) or None,
        "image_height": int(getattr(dataset, "Rows", 0) or 0) or None,
        "image_bit_depth": int(getattr(dataset, "BitsStored", 0) or 0) or None,
        "image_channels": int(getattr(dataset, "SamplesPerPixel", 1) or 1),
        "image_format": "DICOM",
        "image_compression": None if syntax is None else str(getattr(syntax, "name", syntax)),
        "image_photometric": getattr(dataset, "PhotometricInterpretation", None),
        "image_pixel_spacing": (
            None if spacing is None else "x".join(f"{float(v):g}" for v in spacing)
        ),
    }


def native_properties(path: str | Path, *, dicom: bool | None = None) -> dict[str, Any]:
    """The stored properties of image file ``path`` (see :data:`PROPERTY_COLUMNS`)."""
    from synthscope.io._images import is_dicom

    path = Path(path)
    if dicom if dicom is not None else is_dicom(path):
        return _dicom_properties(path)
    return _pillow_properties(path)
