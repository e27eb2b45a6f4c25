"""``GET /api/dataset``: what the page needs to start (counts, columns, features, projections)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from synthscope.server._queries import dataset_summary, point_values
from synthscope.server.deps import StateDep, WorkspaceDep
from synthscope.server.routes._common import check_point

router = APIRouter(tags=["dataset"])


@router.get("/dataset")
def read_dataset(ws: WorkspaceDep, state: StateDep) -> dict[str, Any]:
    """Point count, columns (kind, editable, computed), features, projections, atlas layout."""
    name = state.settings.workspace.name
    return dataset_summary(ws, name, state.thumbs.layout().to_json())


@router.get("/point/{point}")
def read_point(point: int, ws: WorkspaceDep) -> dict[str, Any]:
    """Every column's value for one point (the page's metadata card)."""
    return point_values(ws, check_point(ws, point))
