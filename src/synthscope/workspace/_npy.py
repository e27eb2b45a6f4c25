"""Row-streamed ``.npy`` files: written a block of rows at a time, read a block at a time.

Ingest and embed write their vectors and thumbnails as batches come back, so that a workspace
of any size is made in memory bounded by a batch, never by the number of points:

* :func:`npy_rows` opens a temporary file beside the target, writes the ``.npy`` header and
  then each block of rows with plain writes (no memory map: written pages belong to the page
  cache, not to the process; they are flushed to disk in the background as the file grows, see
  :func:`~synthscope._files.write_behind`), hashes the bytes as they go (the SHA-1 that
  :func:`~synthscope.workspace._vectors.array_digest` would compute), rewrites the header with
  the final row count, and renames the file into place only when the block succeeds.
  NumPy pads every header so that the first dimension can grow to 21 digits in place, which is
  what makes the final rewrite safe.
* :func:`iter_row_blocks` reads rows back with plain reads, for the same reason.

The files are ordinary ``.npy`` files: ``np.load(path, mmap_mode="r")`` reads them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np

from synthscope._files import WriteBehind, atomic_file, write_behind

__all__ = ["BLOCK_BYTES", "NpyRowWriter", "iter_row_blocks", "npy_rows"]

#: About how many bytes one block of rows holds when rows are copied or hashed.
BLOCK_BYTES = 16 << 20


def _header(dtype: np.dtype, shape: tuple[int, ...]) -> dict:
    return {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}


class NpyRowWriter:
    """Appends rows to an open ``.npy`` file; made by :func:`npy_rows`.

    ``row_shape`` may be None: the first block then sets it (an extractor's width is known only
    once it has run).
    """

    def __init__(
        self,
        handle: BinaryIO,
        row_shape: tuple[int, ...] | None,
        dtype: np.dtype,
        behind: WriteBehind | None = None,
    ) -> None:
        self._handle = handle
        self._behind = behind
        self.row_shape = None if row_shape is None else tuple(int(s) for s in row_shape)
        self.dtype = np.dtype(dtype)
        self.n_rows = 0
        self._digest = hashlib.sha1(usedforsecurity=False)
        self._header_bytes: int | None = None
        #: What the owner stores beside the file (a feature's provenance), and the record
        #: stored once the file is in place.
        self.provenance: dict = {}
        self.record: dict | None = None

    def _write_header(self) -> None:
        assert self.row_shape is not None
        self._handle.seek(0)
        np.lib.format.write_array_header_1_0(
            self._handle, _header(self.dtype, (self.n_rows, *self.row_shape))
        )
        end = self._handle.tell()
        if self._header_bytes is None:
            self._header_bytes = end
        elif end != self._header_bytes:  # numpy's growth padding makes this impossible
            raise RuntimeError(f"the .npy header changed length ({self._header_bytes} -> {end})")

    def append(self, rows: np.ndarray) -> None:
        """Write ``rows`` (``(k, *row_shape)``, cast to the file's dtype) after those already written."""
        rows = np.ascontiguousarray(rows, dtype=self.dtype)
        if self.row_shape is None:
            self.row_shape = tuple(rows.shape[1:])
        if rows.ndim != len(self.row_shape) + 1 or tuple(rows.shape[1:]) != self.row_shape:
            raise ValueError(f"rows of shape {rows.shape[1:]} do not fit {self.row_shape}")
        if self._header_bytes is None:
            self._write_header()
        data = memoryview(rows).cast("B")
        self._handle.write(data)
        self._digest.update(data)
        self.n_rows += rows.shape[0]
        if self._behind is not None:
            self._behind.wrote(data.nbytes)

    @property
    def sha1(self) -> str:
        """SHA-1 of the rows written so far, in order (the file's data section)."""
        return self._digest.hexdigest()

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.n_rows, *(self.row_shape or ()))

    def _finish(self) -> None:
        if self.row_shape is None:
            raise ValueError("no rows were written and their shape is unknown")
        self._handle.flush()
        self._write_header()
        self._handle.flush()


@contextmanager
def npy_rows(
    path: str | Path,
    row_shape: tuple[int, ...] | None,
    dtype: np.dtype | type = np.float32,
    *,
    expected_rows: int | None = None,
) -> Iterator[NpyRowWriter]:
    """Yield a writer of ``path``'s rows; the file appears whole when the block succeeds.

    With ``expected_rows``, any other count fails the block and leaves ``path`` as it was.
    """
    with (
        atomic_file(path) as temporary,
        temporary.open("wb") as handle,
        write_behind(handle) as behind,
    ):
        writer = NpyRowWriter(handle, row_shape, np.dtype(dtype), behind)
        yield writer
        if expected_rows is not None and writer.n_rows != expected_rows:
            raise ValueError(
                f"{Path(path).name}: {writer.n_rows} rows written, {expected_rows} expected"
            )
        writer._finish()


def _open_rows(handle: BinaryIO) -> tuple[np.dtype, tuple[int, ...]]:
    version = np.lib.format.read_magic(handle)
    read = (
        np.lib.format.read_array_header_1_0
        if version == (1, 0)
        else np.lib.format.read_array_header_2_0
    )
    shape, fortran, dtype = read(handle)
    if fortran and len(shape) > 1:
        raise ValueError("Fortran-ordered arrays are not row-streamed")
    return np.dtype(dtype), tuple(shape)


def iter_row_blocks(
    path: str | Path, n_rows: int | None = None, *, block_bytes: int = BLOCK_BYTES
) -> Iterator[np.ndarray]:
    """The first ``n_rows`` rows of the ``.npy`` file ``path`` (all by default), in blocks."""
    with Path(path).open("rb") as handle:
        dtype, shape = _open_rows(handle)
        total = shape[0] if n_rows is None else min(int(n_rows), shape[0])
        row_shape = shape[1:]
        row_bytes = max(1, dtype.itemsize * int(np.prod(row_shape, dtype=np.int64)))
        block = max(1, block_bytes // row_bytes)
        for start in range(0, total, block):
            count = min(block, total - start)
            rows = np.fromfile(handle, dtype=dtype, count=count * int(np.prod(row_shape)))
            if rows.size != count * int(np.prod(row_shape)):
                raise ValueError(f"{path}: ends after {start} rows of {total}")
            yield rows.reshape(count, *row_shape)
