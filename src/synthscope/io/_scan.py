"""Find the images in a folder, with their label maps, group and sidecar metadata.

A folder laid out as ``images/`` + ``labels/`` (+ ``frames.tsv``), the layout ``synthscope phantom``
and ``synthscope generate`` write, is one set of images whose label maps sit beside them by stem.
A ``frames.tsv`` or ``metadata.tsv`` (with a header row) beside the images adds columns, matched by a
``stem``, ``file``, ``filename``, ``name``, ``image`` or ``path`` column.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from synthscope.errors import InputError
from synthscope.io._images import DICOM_SUFFIXES, IMAGE_SUFFIXES, is_dicom
from synthscope.io._tsv import read_sidecar_table

__all__ = ["GROUP_COLUMNS", "RESERVED_COLUMNS", "ImageEntry", "scan_folder"]

SIDECAR_NAMES = ("frames.tsv", "metadata.tsv")
KEY_COLUMNS = ("stem", "file", "filename", "name", "image", "path")
# The first of these a sidecar table holds becomes the point's group (frames of one pullback).
GROUP_COLUMNS = ("group", "pullback", "patient", "subject", "series", "run", "case")
RESERVED_COLUMNS = frozenset(
    {"id", "path", "source", "label", "group", "label_map", "source_folder"}
    | {"image_width", "image_height", "image_bit_depth", "image_channels", "image_format"}
    | {"image_compression", "image_photometric", "image_pixel_spacing"}
)


@dataclass(frozen=True)
class ImageEntry:
    """One image file to ingest and what its folder says about it."""

    file: Path
    source: str
    group: str | None = None
    label_map: Path | None = None
    extras: dict[str, str | None] = field(default_factory=dict)


def _image_files(root: Path, exclude: frozenset[Path] = frozenset()) -> list[Path]:
    found = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if not name.startswith(".") and Path(directory, name) not in exclude
        )
        for name in files:
            if name.startswith("."):
                continue
            path = Path(directory, name)
            suffix = path.suffix.lower()
            if (
                suffix in IMAGE_SUFFIXES
                or suffix in DICOM_SUFFIXES
                or (not suffix and is_dicom(path))
            ):
                found.append(path)
    return sorted(found, key=lambda path: path.relative_to(root).as_posix())


def _sidecar(directory: Path) -> dict[str, dict[str, str | None]]:
    """Rows of the sidecar table in ``directory``, keyed by every name a row can be matched by."""
    for name in SIDECAR_NAMES:
        table = directory / name
        if table.is_file():
            break
    else:
        return {}
    columns, rows = read_sidecar_table(table)
    key = next((column for column in KEY_COLUMNS if column in columns), None)
    if key is None:
        raise InputError(
            table, f"needs one of the columns {', '.join(KEY_COLUMNS)} to match images"
        )
    index = columns.index(key)
    keyed: dict[str, dict[str, str | None]] = {}
    for row in rows:
        value = row[index]
        if value is None:
            continue
        record = {column: cell for column, cell in zip(columns, row, strict=True) if column != key}
        keyed[value] = record
        keyed[Path(value).name] = record
        keyed[Path(value).stem] = record
    return keyed


def _extras_and_group(record: dict[str, str | None]) -> tuple[dict[str, str | None], str | None]:
    group = next((record[c] for c in GROUP_COLUMNS if record.get(c) is not None), None)
    extras = {}
    for column, value in record.items():
        if column == "group":
            continue
        extras[f"meta_{column}" if column in RESERVED_COLUMNS else column] = value
    return extras, group


def scan_folder(
    root: str | Path, source: str, *, exclude: Sequence[str | Path] = ()
) -> list[ImageEntry]:
    """All images under ``root`` in sorted path order, tagged ``source`` ('real' or 'fake').

    Folders in ``exclude`` (a workspace inside the folder, say) and hidden ones are not entered.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(root, "folder not found" if not root.exists() else "is not a folder")
    root = root.resolve()
    skip = frozenset(Path(folder).resolve() for folder in exclude)
    image_root, label_root = root, None
    if (root / "images").is_dir() and (root / "labels").is_dir():
        image_root, label_root = root / "images", root / "labels"
    files = _image_files(image_root, skip)
    if not files:
        raise InputError(root, "holds no images (PNG, JPEG, TIFF, BMP, GIF, WebP or DICOM)")

    label_maps = {}
    if label_root is not None:
        label_maps = {path.stem: path for path in _image_files(label_root, skip)}
    sidecars: dict[Path, dict[str, dict[str, str | None]]] = {}
    if label_root is not None:
        sidecars[image_root] = _sidecar(root) or _sidecar(image_root)

    entries = []
    for path in files:
        directory = path.parent
        if directory not in sidecars:
            sidecars[directory] = _sidecar(directory)
        table = sidecars[directory]
        relative = path.relative_to(image_root)
        record = table.get(relative.as_posix()) or table.get(path.name) or table.get(path.stem)
        extras, group = _extras_and_group(record) if record else ({}, None)
        if group is None and len(relative.parts) > 1:
            group = relative.parts[0]
        entries.append(
            ImageEntry(
                file=path,
                source=source,
                group=group,
                label_map=label_maps.get(path.stem),
                extras=extras,
            )
        )
    return entries
