"""``GET /api/column/{name}``: one column's values, as a binary container or JSON."""

from __future__ import annotations

from typing import Literal

import numpy as np
from fastapi import APIRouter, Response

from synthscope.server._tables import column_kind, encode_column, encode_text_codes
from synthscope.server.deps import WorkspaceDep

router = APIRouter(tags=["columns"])


@router.get("/column/{name}", response_model=None)
def read_column(
    name: str, ws: WorkspaceDep, format: Literal["binary", "json"] = "binary"
) -> Response | dict:
    """Values of column ``name``: float32 or category codes (binary), or plain JSON values."""
    values = ws.column(name)
    if format == "binary":
        return Response(encode_column(name, values), media_type="application/octet-stream")
    kind = column_kind(values)
    if kind == "real":
        as_list = [None if not np.isfinite(v) else float(v) for v in values]
        return {"name": name, "kind": kind, "values": as_list}
    categories, counts, _ = encode_text_codes(values)
    return {
        "name": name,
        "kind": kind,
        "values": [None if v is None else str(v) for v in values],
        "categories": categories,
        "counts": counts,
    }
