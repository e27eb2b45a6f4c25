"""Test data made on the fly: tiny image folders and DICOM files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def write_images(
    folder: Path, n: int, size: tuple[int, int] = (40, 48), seed: int = 0, suffix: str = ".png"
) -> list[Path]:
    """``n`` random 8-bit grayscale images of (height, width) ``size`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for index in range(n):
        pixels = rng.integers(0, 256, size=size, dtype=np.uint8)
        path = folder / f"img{index:03d}{suffix}"
        Image.fromarray(pixels, mode="L").save(path)
        paths.append(path)
    return paths


def write_dicom(
    path: Path,
    frames: np.ndarray,
    *,
    window: tuple[float, float] | None = None,
    pixel_data: bool = True,
) -> Path:
    """A minimal uncompressed MONOCHROME2 DICOM holding ``frames`` ((k, H, W) or (H, W), uint16)."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

    frames = np.asarray(frames, dtype=np.uint16)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[str(path)])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "US"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = frames.shape[-2:]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
    ds.PixelRepresentation = 0
    if frames.ndim == 3:
        ds.NumberOfFrames = frames.shape[0]
    if window is not None:
        ds.WindowCenter, ds.WindowWidth = window
    if pixel_data:
        ds.PixelData = frames.tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path
