"""The one way in and out of a workspace's feature vectors, and what is known of their making.

::

    vectors/<name>.npy    float32 (rows, d), row i = point i (memory-mapped on read)
    vectors/<name>.json   provenance: how the vectors were made, and their SHA-1

The database is the truth about how many points there are: a file with extra rows (left by an
interrupted append) is read up to that count; one with fewer rows is stale and refused. The
provenance is written after the vectors, and carries the file's size and modification time, so a
provenance that does not describe the file on disk (a crash between the two writes, a file
replaced by hand) is ignored rather than believed.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any

import numpy as np

from synthscope._files import save_npy_atomic, write_text_atomic
from synthscope._params import fail
from synthscope.errors import UnknownFeatureError, WorkspaceError

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

    def write(
        self,
        name: str,
        array: np.ndarray,
        provenance: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store ``array`` (float32, 2-D) under ``name`` with its provenance; returns the record."""
        path = self._file(name)
        array = np.ascontiguousarray(array, dtype=np.float32)
        if array.ndim != 2:
            raise fail("vectors", f"for {name!r} must be 2-D (got shape {array.shape})")
        self.folder.mkdir(parents=True, exist_ok=True)
        save_npy_atomic(path, array)
        stat = path.stat()
        record = {
            **(provenance or {}),
            "name": name,
            "shape": list(array.shape),
            "vectors_sha1": array_digest(array),
            "file_size": stat.st_size,
            "file_mtime_ns": stat.st_mtime_ns,
            "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        write_text_atomic(self._file(name, ".json"), json.dumps(record, indent=1, default=str))
        return record

    def provenance(self, name: str) -> dict[str, Any] | None:
        """The stored record, or None when there is none or it does not describe the file."""
        path, meta = self._file(name), self._file(name, ".json")
        if not (path.is_file() and meta.is_file()):
            return None
        try:
            record = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        stat = path.stat()
        if (
            record.get("file_size") != stat.st_size
            or record.get("file_mtime_ns") != stat.st_mtime_ns
        ):
            return None
        return record

    def digest(self, name: str, n_points: int) -> str:
        """SHA-1 of the first ``n_points`` rows: from the provenance when it holds, else computed."""
        record = self.provenance(name)
        if record is not None and record.get("shape", [None])[0] == n_points:
            return str(record["vectors_sha1"])
        return array_digest(self.read(name, n_points))
