"""``GET /api/realism``: the report ``synthscope score`` wrote into the workspace, as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException

from synthscope.server.deps import StateDep

router = APIRouter(tags=["realism"])

# Where `score` may leave its JSON report, relative to the workspace folder, first match wins.
REPORT_NAMES = ("realism.json", "realism/report.json", "reports/realism.json")


def find_report(root: Path) -> Path | None:
    """The realism report inside workspace folder ``root``, if ``score`` has written one."""
    for name in REPORT_NAMES:
        path = root / name
        if path.is_file():
            return path
    return None


@router.get("/realism")
def read_realism(state: StateDep) -> dict[str, Any]:
    """The realism numbers, verdict and per-image ranking; 404 until ``score`` has run."""
    path = find_report(state.settings.workspace)
    if path is None:
        raise HTTPException(404, "no realism report yet: run `synthscope score WS`")
    return json.loads(path.read_text(encoding="utf-8"))
