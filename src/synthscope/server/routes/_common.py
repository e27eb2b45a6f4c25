"""Helpers the route modules share: point-id checks and column facts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from fastapi import HTTPException

from synthscope._params import fail

__all__ = ["MAX_IDS_TEXT", "check_point", "column_info", "ids_list", "parse_ids"]


def check_point(ws: Any, point: int) -> int:
    """``point`` if it is a point id of ``ws``, else a 404 naming the valid range."""
    if not 0 <= point < ws.n_points:
        raise HTTPException(404, f"no point {point}: ids run from 0 to {ws.n_points - 1}")
    return point


#: Longest ``ids`` text read (a URL holds far less; a POST body's ids are checked one by one).
MAX_IDS_TEXT = 1_000_000


# A number or a range of ASCII digits; 18 digits at most, so nothing huge is ever built.
_PART = re.compile(r"(\d{1,18})(?:\s*-\s*(\d{1,18}))?", re.ASCII)


def _bound(part: str, n_points: int) -> tuple[int, int]:
    """``"3"`` -> (3, 3), ``"10-12"`` -> (10, 12), checked against ``n_points`` before any use."""
    match = _PART.fullmatch(part)
    if match is None:
        raise fail("ids", f"must be integers or ranges like 3-7 (got {part[:40]!r})")
    low = int(match[1])
    high = int(match[2]) if match[2] is not None else low
    if high < low:
        raise fail("ids", f"range {low}-{high} runs backwards (write {high}-{low})")
    if high >= n_points:
        raise fail("ids", f"out of range 0..{n_points - 1} (got {part[:40]!r})")
    return low, high


def parse_ids(text: str, n_points: int) -> list[int]:
    """Sorted, distinct point ids from ``"3,5,10-12"`` (ranges inclusive).

    Every number and range is checked against ``n_points`` before anything is built, and the
    result is marked in one array of ``n_points`` flags: ``ids=0-100000000`` is refused at once,
    and no text makes more work than the points there are.
    """
    if len(text) > MAX_IDS_TEXT:
        raise fail("ids", f"text is over {MAX_IDS_TEXT} characters; POST the ids instead")
    marked = np.zeros(max(n_points, 0), dtype=bool)
    for part in filter(None, (p.strip() for p in text.split(","))):
        low, high = _bound(part, n_points)
        marked[low : high + 1] = True
    return np.flatnonzero(marked).tolist()


def ids_list(ids: Sequence[int], n_points: int) -> list[int]:
    """Sorted, distinct point ids from a list (a POSTed selection), each checked."""
    # Checked as Python ints first: a JSON number may be too large for any NumPy integer.
    bad = [i for i in ids if not 0 <= i < n_points]
    if bad:
        raise fail("ids", f"out of range 0..{n_points - 1} (got {bad[:5]})")
    return np.unique(np.asarray(ids, dtype=np.int64)).tolist()


def column_info(ws: Any) -> list[dict[str, Any]]:
    """Name, kind and editability of every column of ``ws``."""
    editable = set(ws.editable_columns())
    return [
        {"name": name, "kind": ws.column_kind(name), "editable": name in editable}
        for name in ws.columns()
    ]
