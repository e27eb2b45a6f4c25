"""Column encodings for the browser, and TSV tables of selected rows.

Columns travel to the browser in one small binary container, never as JSON arrays::

    uint32 LE  header length h
    h bytes    UTF-8 JSON header {"name", "kind", "n", "categories"?, "counts"?, "min"?, "max"?}
    padding    to a multiple of 4 bytes
    payload    float32 LE values (NaN = missing) for ``real`` columns,
               int32 LE codes into ``categories`` (-1 = missing) for ``text`` columns
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = [
    "column_kind",
    "encode_column",
    "encode_text_codes",
    "format_cell",
    "table_tsv",
]


def column_kind(values: np.ndarray) -> str:
    """``"real"`` for numeric columns, ``"text"`` for object (str or None) columns."""
    return "real" if values.dtype.kind in "fiub" else "text"


def encode_text_codes(values: np.ndarray) -> tuple[list[str], list[int], np.ndarray]:
    """Categories sorted by count (most common first, ties by name), counts, and int32 codes."""
    filled = np.array(["" if v is None else str(v) for v in values], dtype=object)
    missing = np.array([v is None for v in values], dtype=bool)
    present = filled[~missing]
    if present.size:
        uniques, inverse, counts = np.unique(
            present.astype(str), return_inverse=True, return_counts=True
        )
    else:
        uniques, inverse, counts = np.array([], dtype=str), np.array([], int), np.array([], int)
    order = sorted(range(len(uniques)), key=lambda k: (-int(counts[k]), str(uniques[k])))
    rank = np.empty(len(uniques), dtype=np.int32)
    rank[order] = np.arange(len(uniques), dtype=np.int32)
    codes = np.full(len(values), -1, dtype=np.int32)
    codes[~missing] = rank[inverse]
    return [str(uniques[k]) for k in order], [int(counts[k]) for k in order], codes


def encode_column(name: str, values: np.ndarray) -> bytes:
    """The binary container of one column (see the module docstring)."""
    kind = column_kind(values)
    header: dict[str, object] = {"name": name, "kind": kind, "n": len(values)}
    if kind == "real":
        payload = np.asarray(values, dtype="<f4")
        finite = payload[np.isfinite(payload)]
        header["min"] = float(finite.min()) if finite.size else None
        header["max"] = float(finite.max()) if finite.size else None
    else:
        categories, counts, codes = encode_text_codes(values)
        header["categories"] = categories
        header["counts"] = counts
        payload = codes.astype("<i4")
    raw = json.dumps(header, separators=(",", ":")).encode()
    pad = (-(4 + len(raw))) % 4
    return struct.pack("<I", len(raw)) + raw + b" " * pad + payload.tobytes()


def format_cell(value: object) -> str:
    """One TSV cell: missing values empty, floats without noise, no tabs or newlines inside."""
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        return f"{int(value)}" if float(value).is_integer() else repr(float(value))
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def table_tsv(names: Sequence[str], columns: Sequence[np.ndarray], rows: Iterable[int]) -> str:
    """A TSV with a header row and the given rows of the given columns."""
    lines = ["\t".join(format_cell(n) for n in names)]
    for i in rows:
        lines.append("\t".join(format_cell(col[i]) for col in columns))
    return "\n".join(lines) + "\n"
