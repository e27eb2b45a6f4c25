"""Helpers the route modules share: point-id checks and column facts."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException

__all__ = ["check_point", "column_info", "parse_ids"]


def check_point(ws: Any, point: int) -> int:
    """``point`` if it is a point id of ``ws``, else a 404 naming the valid range."""
    if not 0 <= point < ws.n_points:
        raise HTTPException(404, f"no point {point}: ids run from 0 to {ws.n_points - 1}")
    return point


def parse_ids(text: str, n_points: int) -> list[int]:
    """Point ids from ``"3,5,10-12"`` (ranges inclusive), each checked against ``n_points``."""
    ids: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            if "-" in part[1:]:
                a, b = (int(x) for x in part.split("-", 1))
                if b < a:
                    raise HTTPException(
                        422, f"ids: range {part!r} runs backwards; write it low-high ({b}-{a})"
                    )
                ids.extend(range(a, b + 1))
            else:
                ids.append(int(part))
        except ValueError:
            raise HTTPException(
                422, f"ids must be integers or ranges like 3-7 (got {part!r})"
            ) from None
    bad = [i for i in ids if not 0 <= i < n_points]
    if bad:
        raise HTTPException(422, f"ids out of range 0..{n_points - 1}: {bad[:5]}")
    return ids


def column_info(ws: Any) -> list[dict[str, Any]]:
    """Name, kind and editability of every column of ``ws``."""
    editable = set(ws.editable_columns())
    return [
        {"name": name, "kind": ws.column_kind(name), "editable": name in editable}
        for name in ws.columns()
    ]
