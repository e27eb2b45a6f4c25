"""``GET /api/utility``: the last ``synthscope utility`` study kept in the workspace."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from synthscope.server.deps import WorkspaceDep
from synthscope.workspace import load_utility_result

router = APIRouter(tags=["utility"])


@router.get("/utility")
def read_utility(ws: WorkspaceDep) -> dict[str, Any]:
    """Does curation help? Every arm's mean and interval, the comparisons and the verdict."""
    result = load_utility_result(ws)
    if result is None:
        raise HTTPException(404, "no utility study yet: run `synthscope utility WS`")
    return result
