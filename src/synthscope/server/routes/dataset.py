"""``GET /api/dataset``: what the page needs to start (counts, columns, features, projections)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from synthscope.server.deps import StateDep, WorkspaceDep
from synthscope.server.routes._common import check_point, column_info
from synthscope.server.routes.realism import scored_features

router = APIRouter(tags=["dataset"])


@router.get("/dataset")
def read_dataset(ws: WorkspaceDep, state: StateDep) -> dict[str, Any]:
    """Point count, columns (kind, editable, computed), features, projections, atlas layout."""
    computed = set(ws.computed_columns())
    return {
        "name": state.settings.workspace.name,
        "count": int(ws.n_points),
        "columns": [{**info, "computed": info["name"] in computed} for info in column_info(ws)],
        "features": list(ws.features()),
        "projections": list(ws.projections()),
        "thumbs": state.thumbs.layout().to_json(),
        "realism": bool(scored_features(ws)),
        "scored": scored_features(ws),
    }


@router.get("/point/{point}")
def read_point(point: int, ws: WorkspaceDep) -> dict[str, Any]:
    """Every column's value for one point (the page's metadata card)."""
    check_point(ws, point)
    values: dict[str, Any] = {}
    for name in ws.columns():
        value = ws.column(name)[point]
        if isinstance(value, float) and value != value:  # NaN: missing
            value = None
        values[name] = value.item() if hasattr(value, "item") else value
    return {"id": point, "values": values}
