"""``GET /api/neighbors/{id}``: the k nearest points in feature space."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from synthscope._neighbors import query_neighbors
from synthscope.errors import UnknownFeatureError
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
    check_point(ws, point)
    features = list(ws.features())
    feature = feature or (features[0] if features else None)
    if feature is None:
        raise UnknownFeatureError("the workspace has no feature vectors: run `synthscope embed`")
    ids, dist = query_neighbors(ws.vectors(feature), point, k, metric)
    return {
        "id": point,
        "feature": feature,
        "metric": metric,
        "ids": ids.tolist(),
        "distances": [float(d) for d in dist],
    }
