"""``POST /api/exports/images``: copy the selected points' images into ``WS/exports/<name>/``.

The same copy as ``synthscope export WS OUT --format images`` (original files, a ``metadata.tsv``
with every column), written into a new folder inside the workspace: the server runs on the
user's machine, so the images land where the workspace is, with no archive to unpack. The folder
appears whole or not at all.
"""

from __future__ import annotations

import re
import time

from fastapi import APIRouter
from pydantic import BaseModel, Field

from synthscope._params import fail
from synthscope.errors import WorkspaceError
from synthscope.server.deps import StateDep, WorkspaceDep
from synthscope.server.routes._common import ids_list

router = APIRouter(tags=["exports"])

EXPORTS_FOLDER = "exports"
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,79}$")


class ImageExport(BaseModel):
    """Point ids to export and the new folder's name (default ``selection-YYYYMMDD-HHMMSS``)."""

    ids: list[int] = Field(min_length=1)
    name: str | None = None


@router.post("/exports/images", status_code=201)
def export_images(body: ImageExport, ws: WorkspaceDep, state: StateDep) -> dict:
    """Copy the images of ``ids`` into ``WS/exports/<name>/`` with their metadata."""
    from synthscope.workspace._select import copy_images

    ids = ids_list(body.ids, ws.n_points)
    name = body.name.strip() if body.name else time.strftime("selection-%Y%m%d-%H%M%S")
    if not _NAME.match(name):
        raise fail(
            "name", f"must be 1-80 letters, digits, _ . - not starting with . or - (got {name!r})"
        )
    folder = ws.path / EXPORTS_FOLDER / name
    if folder.exists():
        raise WorkspaceError(f"{EXPORTS_FOLDER}/{name} exists already: choose another name")
    with state.write_lock:
        files = copy_images(ws, folder, ids=ids)
    return {
        "name": name,
        "folder": str(folder),
        "relative": f"{EXPORTS_FOLDER}/{name}",
        "count": len(files) - 1,
    }
