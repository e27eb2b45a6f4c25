"""``GET /api/neighbors/{id}``: the k nearest points in feature space."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from synthscope.server import _queries
from synthscope.server.deps import WorkspaceDep
from synthscope.server.routes._common import check_point

router = APIRouter(tags=["neighbors"])


@router.get("/neighbors/{point}")
def read_neighbors(
    point: int,
    ws: WorkspaceDep,
    k: int = Query(10, ge=1, le=1000),
    metric: Literal["cosine", "euclidean"] = "cosine",
    feature: str | None = None,
) -> dict:
    """Ids and distances of the ``k`` nearest points (cosine by default, as the Projector)."""
    return _queries.neighbors(ws, check_point(ws, point), k, metric, feature)
