"""``GET /api/realism``: the reports ``synthscope score`` kept in the workspace, one per feature."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException

from synthscope.server.deps import WorkspaceDep

router = APIRouter(tags=["realism"])


def scored_features(ws: Any) -> list[str]:
    """Features with a stored realism report, in the order ``score`` listed them."""
    return list(ws.realism_reports())


@router.get("/realism")
def read_realism(ws: WorkspaceDep, feature: str | None = None) -> dict[str, Any]:
    """One feature's realism numbers, verdict and per-image ranking (the first scored by default).

    ``scored`` lists every feature with a report and ``summary`` holds the side-by-side table of
    the last run that compared several; 404 until ``score`` has run.
    """
    reports = ws.realism_reports()
    if not reports:
        raise HTTPException(404, "no realism report yet: run `synthscope score WS`")
    name = feature if feature is not None else next(iter(reports))
    if name not in reports:
        raise HTTPException(
            404, f"no realism report for feature {name!r} (scored: {', '.join(reports) or 'none'})"
        )
    data = json.loads(reports[name].read_text(encoding="utf-8"))
    summary_path = ws.realism_summary_path()
    summary = (
        json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.is_file() else None
    )
    return {**data, "scored": [f for f in reports if f], "summary": summary}
