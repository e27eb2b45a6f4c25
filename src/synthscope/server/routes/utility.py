"""``GET /api/utility``: the last ``synthscope utility`` study kept in the workspace."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from synthscope.server._queries import utility_result
from synthscope.server.deps import WorkspaceDep

router = APIRouter(tags=["utility"])


@router.get("/utility")
def read_utility(ws: WorkspaceDep) -> dict[str, Any]:
    """Does curation help? Every arm's mean and interval, the comparisons and the verdict."""
    return utility_result(ws)
