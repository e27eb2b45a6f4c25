"""``GET /api/realism``: the report ``synthscope score`` wrote into the workspace, as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException

from synthscope.server.deps import WorkspaceDep

router = APIRouter(tags=["realism"])


def find_report(ws: Any) -> Path | None:
    """The realism report of workspace ``ws``, if ``score`` has written one (the workspace says where)."""
    path = ws.realism_report_path()
    return path if path.is_file() else None


@router.get("/realism")
def read_realism(ws: WorkspaceDep) -> dict[str, Any]:
    """The realism numbers, verdict and per-image ranking; 404 until ``score`` has run."""
    path = find_report(ws)
    if path is None:
        raise HTTPException(404, "no realism report yet: run `synthscope score WS`")
    return json.loads(path.read_text(encoding="utf-8"))
