"""Find the images in a folder, with their label maps, group and sidecar metadata.

A folder laid out as ``images/`` + ``labels/`` (+ ``frames.tsv``), the layout ``synthscope phantom``
and ``synthscope generate`` write, is one set of images whose label maps sit beside them by stem.
A ``frames.tsv`` or ``metadata.tsv`` (with a header row) beside the images adds columns, matched by a
``stem``, ``file``, ``filename``, ``name``, ``image`` or ``path`` column.

:func:`iter_folder` never holds a folder in memory: the files found, the label maps and the
sidecar tables' rows go to a private temporary SQLite database (on disk, deleted when closed),
which sorts the files and looks the rest up, so a folder of any size is scanned in bounded memory.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from synthscope.errors import InputError
from synthscope.io._images import DICOM_SUFFIXES, IMAGE_SUFFIXES, is_dicom
from synthscope.io._tsv import iter_sidecar_table

__all__ = ["GROUP_COLUMNS", "RESERVED_COLUMNS", "ImageEntry", "iter_folder", "scan_folder"]

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


_STORE = """
CREATE TABLE found (
    key BLOB PRIMARY KEY, directory TEXT, key_text TEXT, name TEXT, stem TEXT
) WITHOUT ROWID;
CREATE TABLE labels (stem TEXT NOT NULL, key BLOB NOT NULL, PRIMARY KEY (stem, key)) WITHOUT ROWID;
CREATE TABLE sidecar (directory TEXT, name TEXT, record TEXT, PRIMARY KEY (directory, name));
"""


def _key(relative: str) -> bytes:
    """A sort key whose byte order is Python's string order (code points, lone surrogates too)."""
    return relative.encode("utf-32-be", "surrogatepass")


def _relative(key: bytes) -> str:
    return key.decode("utf-32-be", "surrogatepass")


def _split_suffix(name: str) -> tuple[str, str]:
    """``(stem, suffix)`` of a file name as :class:`~pathlib.PurePath` splits it, without one."""
    dot = name.rfind(".")
    return (name[:dot], name[dot:]) if 0 < dot < len(name) - 1 else (name, "")


def _is_image(path: str, name: str) -> bool:
    suffix = _split_suffix(name)[1].lower()
    return (
        suffix in IMAGE_SUFFIXES
        or suffix in DICOM_SUFFIXES
        or (not suffix and is_dicom(Path(path)))
    )


def _walk(root: Path, exclude: frozenset[Path]) -> Iterator[str]:
    """The relative POSIX paths of the images under ``root``, in no order; as ``os.walk`` does,
    links to folders are not followed and folders that cannot be listed are passed over."""
    stack = [(str(root), "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            listing = os.scandir(directory)
        except OSError:
            continue
        with listing:
            for item in listing:
                try:
                    is_dir = item.is_dir()
                except OSError:
                    is_dir = False
                if item.name.startswith("."):
                    continue
                if is_dir:
                    if Path(item.path) not in exclude and not item.is_symlink():
                        stack.append((item.path, f"{prefix}{item.name}/"))
                elif _is_image(item.path, item.name):
                    yield prefix + item.name


class _Sidecars:
    """The sidecar tables met so far, in the store: each directory's rows by every matching name."""

    def __init__(self, store: sqlite3.Connection) -> None:
        self._store = store
        self._loaded: set[str] = set()

    def load(self, directory: Path, table_folder: Path | None = None) -> bool:
        """Load the table in ``table_folder`` (``directory``'s own by default) as ``directory``'s;
        whether it matched any row."""
        self._loaded.add(str(directory))
        for name in SIDECAR_NAMES:
            table = (table_folder or directory) / name
            if table.is_file():
                break
        else:
            return False
        columns, rows = iter_sidecar_table(table)
        key = next((column for column in KEY_COLUMNS if column in columns), None)
        if key is None:
            raise InputError(
                table, f"needs one of the columns {', '.join(KEY_COLUMNS)} to match images"
            )
        index = columns.index(key)
        matched = 0

        def named() -> Iterator[tuple[str, str, str]]:
            nonlocal matched
            for row in rows:
                value = row[index]
                if value is None:
                    continue
                record = json.dumps(
                    {
                        column: cell
                        for column, cell in zip(columns, row, strict=True)
                        if column != key
                    }
                )
                matched += 1
                path = Path(value)
                for name in (value, path.name, path.stem):
                    yield str(directory), name, record

        # Later rows win, as they would in a dict keyed the same three ways.
        self._store.executemany("INSERT OR REPLACE INTO sidecar VALUES (?, ?, ?)", named())
        return matched > 0

    def load_all(self, directories: Iterator[str]) -> None:
        """Load the table of each of ``directories`` not loaded yet."""
        for directory in directories:
            if directory not in self._loaded:
                self.load(Path(directory))


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
    return list(iter_folder(root, source, exclude=exclude))


def iter_folder(
    root: str | Path, source: str, *, exclude: Sequence[str | Path] = ()
) -> Iterator[ImageEntry]:
    """:func:`scan_folder`'s entries one at a time, in bounded memory (see the module's notes).

    A folder that is missing or holds no images is refused before the first entry.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(root, "folder not found" if not root.exists() else "is not a folder")
    root = root.resolve()
    skip = frozenset(Path(folder).resolve() for folder in exclude)
    image_root, label_root = root, None
    if (root / "images").is_dir() and (root / "labels").is_dir():
        image_root, label_root = root / "images", root / "labels"
    # "": SQLite's private temporary database, on disk beyond a small page cache.
    with closing(sqlite3.connect("")) as store:
        store.executescript(_STORE)
        store.executemany(
            "INSERT INTO found VALUES (?, ?, ?, ?, ?)",
            (_found_row(str(image_root), name) for name in _walk(image_root, skip)),
        )
        if store.execute("SELECT 1 FROM found").fetchone() is None:
            raise InputError(root, "holds no images (PNG, JPEG, TIFF, BMP, GIF, WebP or DICOM)")
        if label_root is not None:
            store.executemany(
                "INSERT INTO labels VALUES (?, ?)",
                (
                    (_split_suffix(name.rpartition("/")[2])[0], _key(name))
                    for name in _walk(label_root, skip)
                ),
            )
        sidecars = _Sidecars(store)
        if label_root is not None:
            sidecars.load(image_root, root) or sidecars.load(image_root, image_root)
        sidecars.load_all(d for (d,) in store.execute("SELECT DISTINCT directory FROM found"))
        # One sorted pass: each file's first non-empty sidecar row by relative path, name or
        # stem (as looked up in that order), and the last label map with its stem in sorted
        # order (as a dict by stem would keep).
        for key, record, last in store.execute(_ENTRIES):
            relative = _relative(key)  # "sub/name.png": plain names joined by "/"
            folder = relative.rpartition("/")[0]
            extras, group = _extras_and_group(json.loads(record)) if record else ({}, None)
            if group is None and folder:
                group = folder.partition("/")[0]
            yield ImageEntry(
                file=image_root / relative,
                source=source,
                group=group,
                label_map=None if last is None else label_root / _relative(last),
                extras=extras,
            )


_ENTRIES = """
SELECT f.key,
       COALESCE(NULLIF(a.record, '{}'), NULLIF(b.record, '{}'), NULLIF(c.record, '{}')),
       (SELECT max(l.key) FROM labels l WHERE l.stem = f.stem)
FROM found f
LEFT JOIN sidecar a ON a.directory = f.directory AND a.name = f.key_text
LEFT JOIN sidecar b ON b.directory = f.directory AND b.name = f.name
LEFT JOIN sidecar c ON c.directory = f.directory AND c.name = f.stem
ORDER BY f.key
"""


def _found_row(image_root: str, relative: str) -> tuple[bytes, str, str, str, str]:
    """A ``found`` row: sort key, the file's folder (as a sidecar table is keyed), its path
    relative to the images' root, its name and stem."""
    folder, _, name = relative.rpartition("/")
    directory = f"{image_root}/{folder}" if folder else image_root
    return _key(relative), directory, relative, name, _split_suffix(name)[0]
