"""``POST /api/exports/images``: copy the selected points' images into ``WS/exports/<name>/``.

The same copy as ``synthscope export WS OUT --format images`` (original files, a ``metadata.tsv``
with every column), written into a new folder inside the workspace: the server runs on the
user's machine, so the images land where the workspace is, with no archive to unpack. The folder
appears whole or not at all.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from synthscope.server import _queries
from synthscope.server._queries import EXPORTS_FOLDER
from synthscope.server.deps import StateDep, WorkspaceDep
from synthscope.server.routes._common import ids_list

router = APIRouter(tags=["exports"])

__all__ = ["EXPORTS_FOLDER", "router"]


class ImageExport(BaseModel):
    """Point ids to export and the new folder's name (default ``selection-YYYYMMDD-HHMMSS``)."""

    ids: list[int] = Field(min_length=1)
    name: str | None = None


@router.post("/exports/images", status_code=201)
def export_images(body: ImageExport, ws: WorkspaceDep, state: StateDep) -> dict:
    """Copy the images of ``ids`` into ``WS/exports/<name>/`` with their metadata."""
    ids = ids_list(body.ids, ws.n_points)
    with state.write_lock:
        return _queries.export_images(ws, ids, body.name)
