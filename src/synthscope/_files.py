"""Writes that never leave a half-written file or folder: write beside, then rename over.

* :func:`atomic_file` yields a temporary sibling path to write to (with any writer: ``np.save``,
  ``torch.save``, Pillow); on success it is flushed to disk and renamed over the target.
* :func:`staged_folder` does the same for a whole folder (an ingest, an export, a phantom set).

A crash at any moment leaves either the old content or the new one, plus at most a hidden
``.NAME.*.tmp`` / ``.NAME.*.staging`` leftover that ``synthscope check --repair`` removes.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

__all__ = [
    "LEFTOVER_MARKERS",
    "atomic_file",
    "save_npy_atomic",
    "staged_folder",
    "write_bytes_atomic",
    "write_text_atomic",
]

#: Name fragments of temporary files and folders these helpers leave only when interrupted.
LEFTOVER_MARKERS = (".tmp", ".staging")


def _fsync(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


@contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` when the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield temporary
        _fsync(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_file(path) as temporary:
        temporary.write_bytes(data)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


def save_npy_atomic(path: str | Path, array: np.ndarray) -> None:
    """``np.save`` to ``path`` atomically (no pickles)."""
    with atomic_file(path) as temporary, temporary.open("wb") as handle:
        np.save(handle, array, allow_pickle=False)


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


@contextmanager
def staged_folder(out: str | Path, *, replace: bool = False) -> Iterator[Path]:
    """Yield a fresh staging folder beside ``out``; move it to ``out`` when the block succeeds.

    ``out`` must not exist or be an empty folder, unless ``replace`` is True, in which case an
    existing ``out`` is swapped out and removed only after the new one is in place.
    """
    out = Path(out)
    staging = out.parent / f".{out.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.staging"
    out.parent.mkdir(parents=True, exist_ok=True)
    staging.mkdir()
    try:
        yield staging
        if _is_empty_dir(out):
            out.rmdir()
        if not out.exists():
            os.replace(staging, out)
        elif replace:
            old = out.parent / f".{out.name}.{os.getpid()}-old.staging"
            os.replace(out, old)
            os.replace(staging, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            raise FileExistsError(f"{out}: exists and is not empty")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
