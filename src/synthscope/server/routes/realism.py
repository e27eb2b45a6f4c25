"""``GET /api/realism``: the reports ``synthscope score`` kept in the workspace, one per feature."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from synthscope.server._queries import realism_report, scored_features
from synthscope.server.deps import WorkspaceDep

router = APIRouter(tags=["realism"])

__all__ = ["read_realism", "router", "scored_features"]


@router.get("/realism")
def read_realism(ws: WorkspaceDep, feature: str | None = None) -> dict[str, Any]:
    """One feature's realism numbers, verdict and per-image ranking (the first scored by default).

    ``scored`` lists every feature with a report and ``summary`` holds the side-by-side table of
    the last run that compared several; 404 until ``score`` has run.
    """
    return realism_report(ws, feature)
