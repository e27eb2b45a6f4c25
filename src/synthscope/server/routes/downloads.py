"""Downloads: every point's metadata, a selection's rows, and a projection's coordinates."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field

from synthscope.server._queries import selection_tsv
from synthscope.server.deps import WorkspaceDep
from synthscope.server.routes._common import ids_list, parse_ids

router = APIRouter(tags=["downloads"])

_TSV = "text/tab-separated-values; charset=utf-8"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/metadata.tsv")
def metadata(ws: WorkspaceDep) -> Response:
    """All points, all columns, with the TF Projector's header rule (loads back in it).

    Written by the workspace's own exporter, so the page's download and
    ``synthscope export --format metadata`` are the same bytes.
    """
    from synthscope.workspace import export

    with tempfile.TemporaryDirectory(prefix="synthscope-") as folder:
        (target,) = export(ws, Path(folder) / "metadata.tsv", "metadata")
        data = target.read_bytes()
    return Response(data, media_type=_TSV, headers=_attachment("metadata.tsv"))


def _selection(ws: WorkspaceDep, ids: list[int]) -> Response:
    text = selection_tsv(ws, ids)
    return Response(text, media_type=_TSV, headers=_attachment("selection.tsv"))


@router.get("/selection.tsv")
def selection_get(ws: WorkspaceDep, ids: str = "") -> Response:
    """Rows of the selected points: ``?ids=3,5,10-12``."""
    return _selection(ws, parse_ids(ids, ws.n_points))


class SelectionBody(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)

    ids: list[int] = Field(default_factory=list)


@router.post("/selection.tsv")
def selection_post(body: SelectionBody, ws: WorkspaceDep) -> Response:
    """Rows of the selected points, for selections too long for a URL."""
    return _selection(ws, ids_list(body.ids, ws.n_points))


@router.get("/coordinates.csv")
def coordinates(projection: str, ws: WorkspaceDep) -> Response:
    """A stored projection's coordinates as CSV: ``id,x,y[,z]`` with a header."""
    stored = ws.load_projection(projection)
    if stored is None:
        raise HTTPException(404, f"no stored projection {projection!r}")
    emb = np.asarray(stored[0], dtype=np.float64)
    axes = ["x", "y", "z"][: emb.shape[1]]
    lines = [",".join(["id", *axes])]
    lines += [f"{i}," + ",".join(f"{v:.7g}" for v in row) for i, row in enumerate(emb)]
    return Response(
        "\n".join(lines) + "\n",
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"coordinates-{projection}.csv"),
    )
