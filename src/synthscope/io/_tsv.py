"""Tab-separated files: tensor tables, metadata tables and the sidecar tables beside image folders.

The TensorFlow Embedding Projector's header rule applies to metadata: a file whose first line holds
a tab has a header row; a single-column file has none. A sidecar table can be read a row at a time
(:func:`iter_sidecar_table`), so that a folder's table of any length is never held whole.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from synthscope._files import write_bytes_atomic
from synthscope.errors import TableError

__all__ = [
    "read_metadata_tsv",
    "iter_sidecar_table",
    "read_sidecar_table",
    "read_tensors_tsv",
    "write_metadata_tsv",
    "write_tensors_tsv",
]

Cell = str | float | int | None


def _read_lines(path: Path) -> list[str]:
    try:
        # utf-8-sig: a byte-order mark (Excel writes one) is not part of the first column's name.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise TableError(path, "file not found") from error
    except IsADirectoryError as error:
        raise TableError(path, "is a folder, not a table") from error
    except UnicodeDecodeError as error:
        raise TableError(path, f"not UTF-8 text ({error.reason} at byte {error.start})") from error
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()  # a trailing newline or blank lines at the end are not rows
    return lines


def _iter_lines(path: Path, chunk: int = 1 << 16) -> Iterator[str]:
    """The lines :func:`_read_lines` gives, read a chunk at a time (its errors: see the caller)."""
    blank: list[str] = []  # held until a later line shows they are not the trailing ones
    carry = ""
    with path.open(encoding="utf-8-sig") as handle:  # newlines translated, as read_text does
        while text := handle.read(chunk):
            pieces = (carry + text).splitlines(keepends=True)
            # The last piece may continue in the next chunk; every line break is one character.
            carry = pieces.pop()
            for piece in pieces:
                line = piece[:-1]
                if line.strip():
                    yield from blank
                    blank.clear()
                    yield line
                else:
                    blank.append(line)
    last = carry.splitlines()[0] if carry else None
    if last is not None and last.strip():
        yield from blank
        yield last


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_tensors_tsv(path: str | Path) -> tuple[np.ndarray, list[str] | None]:
    """Read a Projector tensors file: one vector per row, tab-separated.

    As in the Projector, a first field that is not a number is a label, not part of the vector.
    Returns ``(vectors, labels)`` with float32 vectors and ``labels`` None when there are none.
    """
    path = Path(path)
    lines = _read_lines(path)
    if not lines:
        raise TableError(path, "has no rows")
    first = lines[0].split("\t")
    has_label = not _is_number(first[0])
    width = len(first)
    if width - int(has_label) < 2:
        raise TableError(path, "vectors must have at least 2 values per row", row=1)
    labels: list[str] | None = [] if has_label else None
    vectors = np.empty((len(lines), width - int(has_label)), dtype=np.float32)
    for number, line in enumerate(lines, start=1):
        fields = line.split("\t")
        if len(fields) != width:
            raise TableError(
                path, f"has {len(fields)} fields where row 1 has {width} (ragged rows)", row=number
            )
        if labels is not None:
            labels.append(fields[0])
            fields = fields[1:]
        try:
            with np.errstate(over="ignore"):  # beyond float32: becomes inf, refused below
                vectors[number - 1] = np.array(fields, dtype=np.float64)
        except ValueError:
            bad = next(field for field in fields if not _is_number(field))
            raise TableError(path, f"value {bad!r} is not a number", row=number) from None
    if not np.isfinite(vectors).all():
        row = int(np.flatnonzero(~np.isfinite(vectors).all(axis=1))[0]) + 1
        raise TableError(path, "holds NaN or infinite values (or beyond float32)", row=row)
    return vectors, labels


def read_metadata_tsv(
    path: str | Path, n_rows: int | None = None
) -> tuple[list[str], list[list[str | None]]]:
    """Read a Projector metadata file; returns ``(columns, rows)``, empty cells as None.

    With ``n_rows`` (the number of vectors), a count mismatch is an error that says which header
    rule was broken, as the Projector does.
    """
    path = Path(path)
    lines = _read_lines(path)
    if not lines:
        raise TableError(path, "has no rows")
    if "\t" in lines[0]:
        columns = [name.strip() for name in lines[0].split("\t")]
        body = lines[1:]
        if any(not name for name in columns):
            raise TableError(path, "header row has an empty column name", row=1)
        if len(set(columns)) != len(columns):
            raise TableError(path, "header row repeats a column name", row=1)
        first_row = 2
    else:
        columns, body, first_row = ["label"], lines, 1
    if n_rows is not None and len(body) != n_rows:
        hint = ""
        if len(columns) == 1 and len(body) == n_rows + 1:
            hint = " (single-column metadata should not have a header row)"
        elif len(columns) > 1 and len(body) == n_rows - 1:
            hint = " (multi-column metadata needs a header row)"
        raise TableError(path, f"has {len(body)} data rows but there are {n_rows} vectors{hint}")
    rows: list[list[str | None]] = []
    for number, line in enumerate(body, start=first_row):
        fields = line.split("\t") if len(columns) > 1 else [line]
        if len(fields) != len(columns):
            raise TableError(
                path, f"has {len(fields)} fields where the header has {len(columns)}", row=number
            )
        rows.append([field if field != "" else None for field in fields])
    return columns, rows


def read_sidecar_table(path: str | Path) -> tuple[list[str], list[list[str | None]]]:
    """Read a ``frames.tsv``/``metadata.tsv`` beside images: always a header row, one or more columns."""
    columns, rows = iter_sidecar_table(path)
    return columns, list(rows)


def iter_sidecar_table(path: str | Path) -> tuple[list[str], Iterator[list[str | None]]]:
    """:func:`read_sidecar_table`'s columns, and its rows one at a time (empty cells as None)."""
    path = Path(path)
    try:
        for _ in _iter_lines(path):  # a first pass: a file that is not text fails before any row
            pass
    except (OSError, UnicodeDecodeError):
        _read_lines(path)  # raises the TableError a whole read gives (with the byte offset)
        raise
    lines = _iter_lines(path)
    header = next(lines, None)
    if header is None:
        raise TableError(path, "has no header row")
    columns = [name.strip() for name in header.split("\t")]
    return columns, _sidecar_rows(path, columns, lines)


def _sidecar_rows(
    path: Path, columns: list[str], lines: Iterator[str]
) -> Iterator[list[str | None]]:
    for number, line in enumerate(lines, start=2):
        fields = line.split("\t")
        if len(fields) != len(columns):
            raise TableError(
                path, f"has {len(fields)} fields where the header has {len(columns)}", row=number
            )
        yield [field if field != "" else None for field in fields]


def _format_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(value) if not value.is_integer() else str(int(value))
    # Tabs and newlines would break the table; they cannot be represented in the format.
    return str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def write_metadata_tsv(
    path: str | Path, columns: Sequence[str], rows: Sequence[Sequence[Cell]]
) -> None:
    """Write metadata with the Projector's header rule; atomically (temp file, then rename)."""
    buffer = io.StringIO()
    if len(columns) > 1:
        buffer.write("\t".join(columns) + "\n")
    for row in rows:
        buffer.write("\t".join(_format_cell(value) for value in row) + "\n")
    write_bytes_atomic(path, buffer.getvalue().encode("utf-8"))


def write_tensors_tsv(path: str | Path, vectors: np.ndarray) -> None:
    """Write vectors as tab-separated text with enough digits to read back the same float32 values."""
    buffer = io.BytesIO()
    np.savetxt(buffer, np.asarray(vectors, dtype=np.float32), fmt="%.9g", delimiter="\t")
    write_bytes_atomic(path, buffer.getvalue())
