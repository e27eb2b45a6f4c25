"""Writes that never leave a half-written file or folder: write beside, then rename over.

* :func:`atomic_file` yields a temporary sibling path to write to (with any writer: ``np.save``,
  ``torch.save``, Pillow); on success it is flushed to disk and renamed over the target.
* :func:`staged_folder` does the same for a whole folder (an ingest, an export, a phantom set).
* :func:`write_behind` flushes a file being written to disk in the background as it grows, so
  that the flush that makes it durable at the end has little left to do.

A crash at any moment leaves either the old content or the new one, plus at most a hidden
``.NAME.*.tmp`` / ``.NAME.*.staging`` leftover that ``synthscope check --repair`` removes.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

import numpy as np

__all__ = [
    "LEFTOVER_MARKERS",
    "atomic_file",
    "save_npy_atomic",
    "staged_folder",
    "write_behind",
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


class WriteBehind:
    """Starts flushing a file to disk, in a thread, each time ``every`` more bytes were written.

    What RocksDB's ``bytes_per_sync`` does: the final fsync of a large file written in pieces
    (an ingest's vectors, 56 MB for 3,600 frames) otherwise waits for all of it at the end, on
    the single writer, while the cores that decode sit idle (0.12 s of 0.19 s of fsyncs); flushed
    as it grows, the writing overlaps with the decoding. At most one flush runs at a time.
    """

    def __init__(self, handle: BinaryIO, every: int) -> None:
        self._handle = handle
        self._every = every
        self._unflushed = 0
        self._thread: threading.Thread | None = None

    def wrote(self, n_bytes: int) -> None:
        """``n_bytes`` more were written to the handle."""
        self._unflushed += n_bytes
        if self._unflushed < self._every or (self._thread and self._thread.is_alive()):
            return
        self._handle.flush()
        self._thread = threading.Thread(
            target=_quiet_fsync, args=(self._handle.fileno(),), name="write-behind", daemon=True
        )
        self._thread.start()
        self._unflushed = 0

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def _quiet_fsync(fd: int) -> None:
    # A failure here is found again by the fsync that makes the file durable (atomic_file's).
    with suppress(OSError):
        os.fsync(fd)


@contextmanager
def write_behind(handle: BinaryIO, every: int = 8 << 20) -> Iterator[WriteBehind]:
    """A :class:`WriteBehind` for ``handle`` whose flush has ended when the block does (before
    the handle is closed: its descriptor is never flushed after)."""
    behind = WriteBehind(handle, every)
    try:
        yield behind
    finally:
        behind.wait()


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
