"""Colour and float DICOM files written from known pixels, and their luminance computed by hand.

The expected grey values come from the definitions, not from pydicom or Pillow: ITU-R BT.601
luma ``0.299 R + 0.587 G + 0.114 B`` (which is also the Y of full-range YCbCr, PS3.3 C.7.6.3.1.2),
a palette's RGB entries scaled from their bit depth, and 16-bit samples scaled by
``255 / (2**BitsStored - 1)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def luma(rgb: np.ndarray) -> np.ndarray:
    """BT.601 luma of 8-bit RGB (float, 0..255)."""
    rgb = np.asarray(rgb, dtype=np.float64)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def rgb_to_ybr_full(rgb: np.ndarray) -> np.ndarray:
    """Full-range YCbCr (JFIF / DICOM YBR_FULL) of 8-bit RGB, rounded to uint8."""
    rgb = np.asarray(rgb, dtype=np.float64)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return np.clip(np.round(np.stack([y, cb, cr], axis=-1)), 0, 255).astype(np.uint8)


def _dataset(path: Path, rows: int, columns: int):
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[str(path)])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "OT"
    ds.Rows, ds.Columns = rows, columns
    ds.PixelRepresentation = 0
    return ds


def write_rgb(path: Path, rgb: np.ndarray, *, bits: int = 8, planar: int = 0) -> Path:
    """RGB DICOM of (H, W, 3) samples (uint8, or uint16 with ``bits`` stored)."""
    ds = _dataset(path, *rgb.shape[:2])
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = "RGB"
    ds.PlanarConfiguration = planar
    allocated = 8 if bits <= 8 else 16
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = allocated, bits, bits - 1
    data = np.asarray(rgb, dtype=np.uint8 if allocated == 8 else "<u2")
    if planar:
        data = np.moveaxis(data, -1, 0)
    ds.PixelData = np.ascontiguousarray(data).tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def write_ybr_full(path: Path, rgb: np.ndarray) -> Path:
    """YBR_FULL DICOM (uncompressed, interleaved) of 8-bit RGB pixels."""
    ds = _dataset(path, *rgb.shape[:2])
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = "YBR_FULL"
    ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    ds.PixelData = rgb_to_ybr_full(rgb).tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def write_ybr_full_422(path: Path, rgb: np.ndarray) -> Path:
    """YBR_FULL_422 DICOM: every pixel's Y, one Cb and Cr per horizontal pair (PS3.5 8.2.1)."""
    height, width = rgb.shape[:2]
    assert width % 2 == 0
    ybr = rgb_to_ybr_full(rgb).astype(np.float64)
    y = ybr[..., 0].astype(np.uint8)
    cb = np.round((ybr[:, 0::2, 1] + ybr[:, 1::2, 1]) / 2).astype(np.uint8)
    cr = np.round((ybr[:, 0::2, 2] + ybr[:, 1::2, 2]) / 2).astype(np.uint8)
    packed = np.stack([y[:, 0::2], y[:, 1::2], cb, cr], axis=-1)  # Y1 Y2 Cb Cr
    ds = _dataset(path, height, width)
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = "YBR_FULL_422"
    ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    ds.PixelData = packed.tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def write_palette(path: Path, indices: np.ndarray, lut: np.ndarray, *, lut_bits: int) -> Path:
    """PALETTE COLOR DICOM: 8-bit indices into a (n, 3) LUT of ``lut_bits``-bit entries."""
    ds = _dataset(path, *indices.shape)
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "PALETTE COLOR"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    entries = len(lut)
    for channel, name in enumerate(("Red", "Green", "Blue")):
        setattr(ds, f"{name}PaletteColorLookupTableDescriptor", [entries, 0, lut_bits])
        values = np.asarray(lut[:, channel], dtype="<u2")
        setattr(ds, f"{name}PaletteColorLookupTableData", values.tobytes())
    ds.PixelData = np.asarray(indices, dtype=np.uint8).tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def write_monochrome(
    path: Path, pixels: np.ndarray, *, interpretation: str = "MONOCHROME2", bits: int = 12
) -> Path:
    """Grayscale DICOM of uint16 pixels (MONOCHROME1 shows low values bright)."""
    ds = _dataset(path, *pixels.shape[-2:])
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = interpretation
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, bits, bits - 1
    if pixels.ndim == 3:
        ds.NumberOfFrames = pixels.shape[0]
    ds.PixelData = np.asarray(pixels, dtype="<u2").tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def write_float(path: Path, pixels: np.ndarray) -> Path:
    """MONOCHROME2 DICOM with 32-bit float pixel data (Float Pixel Data, 7FE0,0008)."""
    ds = _dataset(path, *pixels.shape)
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 32
    ds.FloatPixelData = np.asarray(pixels, dtype="<f4").tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def write_jpeg_baseline(path: Path, rgb: np.ndarray) -> Path:
    """A JPEG Baseline DICOM (YBR_FULL_422, as scanners write it) made from 8-bit RGB pixels."""
    import io

    from PIL import Image
    from pydicom.encaps import encapsulate
    from pydicom.uid import JPEGBaseline8Bit

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(rgb, dtype=np.uint8), mode="RGB").save(
        buffer, format="JPEG", quality=95
    )
    ds = _dataset(path, *rgb.shape[:2])
    ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = "YBR_FULL_422"
    ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    ds.PixelData = encapsulate([buffer.getvalue()])
    ds["PixelData"].VR = "OB"
    ds.save_as(path, enforce_file_format=True)
    return path
