"""The one way in and out of a workspace's feature vectors, and what is known of their making.

::

    vectors/<name>.npy    float32 (rows, d), row i = point i (memory-mapped on read)
    vectors/<name>.json   provenance: how the vectors were made, and their SHA-1

Vectors never need to fit in memory: :meth:`VectorStore.writer` takes rows a block at a time
into a temporary file (hashing them as they come) and renames it into place when complete;
:meth:`VectorStore.read` maps the file read-only, and :meth:`VectorStore.blocks` reads blocks of
rows without mapping the file.

The database is the truth about how many points there are: a file with extra rows (left by an
interrupted append) is read up to that count; one with fewer rows is stale and refused. The
provenance is written after the vectors, and carries the file's size and modification time, so a
provenance that does not describe the file on disk (a crash between the two writes, a file
replaced by hand) is ignored rather than believed. A file of the recorded size with another time
(a copied workspace) is believed when its rows hash to the recorded SHA-1, and its time recorded.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np

from synthscope._files import write_text_atomic
from synthscope._params import fail
from synthscope.errors import UnknownFeatureError, WorkspaceError
from synthscope.workspace._npy import NpyRowWriter, iter_row_blocks, npy_rows

__all__ = ["NAME", "VectorStore", "array_digest"]

# Names become file names: no separators, no leading dot; ':' is kept out of file names.
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_BLOCK_ROWS = 4096


def array_digest(array: np.ndarray) -> str:
    """SHA-1 of a 2-D array's bytes, read in row blocks (a memmap is never loaded whole)."""
    digest = hashlib.sha1(usedforsecurity=False)
    for start in range(0, array.shape[0], _BLOCK_ROWS):
        digest.update(np.ascontiguousarray(array[start : start + _BLOCK_ROWS]).tobytes())
    return digest.hexdigest()


class VectorStore:
    """The ``vectors/`` folder of a workspace.

    Parameters
    ----------
    folder
        The folder holding ``<name>.npy`` and ``<name>.json`` files.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        # (file, record's SHA-1) -> (size, mtime) whose rows were hashed here and matched: a
        # read-only copy, whose records cannot take the new times, is hashed once per store.
        self._matched: dict[tuple[str, str], tuple[int, int]] = {}

    def _file(self, name: str, suffix: str = ".npy") -> Path:
        if not isinstance(name, str) or not NAME.match(name):
            raise fail(
                "feature",
                f"{name!r} must hold only letters, digits, _ . - and not start with . or -",
            )
        return self.folder / f"{name}{suffix}"

    def names(self) -> list[str]:
        """Stored feature names, sorted."""
        return sorted(path.stem for path in self.folder.glob("*.npy"))

    def __contains__(self, name: str) -> bool:
        return self._file(name).is_file()

    def read(self, name: str, n_points: int, *, where: Path | None = None) -> np.ndarray:
        """(n_points, d) float32, memory-mapped read-only; refuses missing or stale vectors."""
        path = self._file(name)
        where = where or self.folder.parent
        if not path.is_file():
            known = ", ".join(self.names()) or "none yet"
            raise UnknownFeatureError(
                f"no feature {name!r} in {where} (features: {known}); "
                f"compute it with `synthscope embed {where} --features ...`"
            )
        array = np.load(path, mmap_mode="r")
        if array.ndim != 2:
            raise WorkspaceError(f"{path}: feature {name!r} is not a 2-D array {array.shape}")
        if array.shape[0] < n_points:
            raise WorkspaceError(
                f"feature {name!r} covers {array.shape[0]} of {n_points} points; recompute it "
                f"with `synthscope embed {where} --features ...`"
            )
        return array[:n_points]

    @contextmanager
    def writer(
        self,
        name: str,
        provenance: dict[str, Any] | None = None,
        *,
        width: int | None = None,
        n_rows: int | None = None,
    ) -> Iterator[NpyRowWriter]:
        """Yield a writer that takes the rows of ``name`` a block at a time (``append``).

        The file and its provenance appear only when the block succeeds, and only with
        ``n_rows`` rows when that is given; the record (with the rows' SHA-1, computed as they
        were written) is then left in ``writer.record``. ``writer.provenance`` may be updated
        until the block ends (with the time taken, say). ``width`` may be None: the first
        block sets it.
        """
        path = self._file(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        with npy_rows(
            path, None if width is None else (width,), np.float32, expected_rows=n_rows
        ) as rows:
            rows.provenance = dict(provenance or {})
            yield rows
            if len(rows.shape) != 2:
                raise fail("vectors", f"for {name!r} must be 2-D (got shape {rows.shape})")
        stat = path.stat()
        rows.record = {
            "n_points": rows.n_rows,
            **rows.provenance,
            "name": name,
            "shape": list(rows.shape),
            "vectors_sha1": rows.sha1,
            "file_size": stat.st_size,
            "file_mtime_ns": stat.st_mtime_ns,
            "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        write_text_atomic(self._file(name, ".json"), json.dumps(rows.record, indent=1, default=str))

    def write(
        self,
        name: str,
        array: np.ndarray,
        provenance: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store ``array`` (float32, 2-D) under ``name`` with its provenance; returns the record."""
        array = np.asarray(array)
        if array.ndim != 2:
            raise fail("vectors", f"for {name!r} must be 2-D (got shape {array.shape})")
        with self.writer(name, provenance, width=array.shape[1], n_rows=array.shape[0]) as rows:
            for start in range(0, array.shape[0], _BLOCK_ROWS):
                rows.append(array[start : start + _BLOCK_ROWS])
        return rows.record

    def blocks(self, name: str, n_points: int) -> Iterator[np.ndarray]:
        """The first ``n_points`` rows of ``name`` in blocks, read without mapping the file."""
        self.read(name, n_points)  # the same refusals as a read
        return iter_row_blocks(self._file(name), n_points)

    def provenance(self, name: str) -> dict[str, Any] | None:
        """The stored record, or None when there is none or it does not describe the file."""
        path, meta = self._file(name), self._file(name, ".json")
        if not (path.is_file() and meta.is_file()):
            return None
        try:
            text = meta.read_text(encoding="utf-8")
            record = json.loads(text)
        except (OSError, ValueError):
            return None
        stat = path.stat()
        if record.get("file_size") != stat.st_size:
            return None
        if record.get("file_mtime_ns") != stat.st_mtime_ns:
            # Same size, another time: copied (cp -r, scp, rsync without -t) or rewritten. The
            # rows decide: a match is recorded with the new time, so that a copied workspace is
            # neither recomputed nor reported as an interrupted write.
            if not self._rows_match(path, record, (stat.st_size, stat.st_mtime_ns)):
                return None
            record["file_mtime_ns"] = stat.st_mtime_ns
            self._record_time(meta, text, record)
        return record

    def _rows_match(self, path: Path, record: dict[str, Any], size_time: tuple[int, int]) -> bool:
        key = (str(path), str(record.get("vectors_sha1")))
        if self._matched.get(key) == size_time:
            return True
        try:
            array = np.load(path, mmap_mode="r")
            match = (
                array.ndim == 2
                and list(array.shape) == list(record.get("shape", []))
                and array_digest(array) == record.get("vectors_sha1")
            )
            after = path.stat()
        except (OSError, ValueError):
            return False
        if not match or (after.st_size, after.st_mtime_ns) != size_time:
            return False  # other rows, or rewritten while they were hashed
        self._matched[key] = size_time
        return True

    @staticmethod
    def _record_time(meta: Path, text: str, record: dict[str, Any]) -> None:
        """Write ``record`` (the new time) over ``meta`` unless a writer replaced it since it
        was read as ``text``: a record written for new rows is never overwritten by an old one."""
        with suppress(OSError):  # a read-only copy: the store remembers the match instead
            if meta.read_text(encoding="utf-8") == text:
                write_text_atomic(meta, json.dumps(record, indent=1, default=str))

    def digest(self, name: str, n_points: int) -> str:
        """SHA-1 of the first ``n_points`` rows: from the provenance when it holds, else computed."""
        record = self.provenance(name)
        if record is not None and record.get("shape", [None])[0] == n_points:
            return str(record["vectors_sha1"])
        return array_digest(self.read(name, n_points))
