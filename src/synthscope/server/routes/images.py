"""Pictures: thumbnail atlas tiles, each point's full image and its label map, as PNG."""

from __future__ import annotations

import logging

import numpy as np
from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import FileResponse

from synthscope.errors import ImageReadError
from synthscope.io import encode_png
from synthscope.server.deps import StateDep, WorkspaceDep
from synthscope.server.routes._common import check_point

router = APIRouter(tags=["images"])
logger = logging.getLogger(__name__)

# Ingest may append to the last tile: browsers revalidate (ETag) rather than trust a stale copy.
_CACHE = {"Cache-Control": "no-cache"}


@router.get("/thumbs")
def thumbs_layout(state: StateDep) -> dict[str, int]:
    """How thumbnails are packed into tiles (cells per row, per tile, tile size, tile count)."""
    return state.thumbs.layout().to_json()


@router.get("/thumbs/{tile}")
def read_thumb_tile(tile: int, ws: WorkspaceDep, state: StateDep) -> Response:
    """One atlas tile: thumbnails ``tile * per_tile ...`` in row order, as a grayscale PNG."""
    layout = state.thumbs.layout()
    if not 0 <= tile < layout.n_tiles:
        raise HTTPException(404, f"no tile {tile}: tiles run from 0 to {layout.n_tiles - 1}")
    tile_file = ws.path / "thumbs" / f"tile_{tile:04d}.png"
    if tile_file.is_file():  # written at ingest: serve it as is
        return FileResponse(tile_file, media_type="image/png", headers=_CACHE)
    return Response(state.thumbs.tile_png(tile), media_type="image/png", headers=_CACHE)


def _unavailable(point: int, what: str, error: Exception) -> HTTPException:
    # One answer whether the file is missing, unreadable or not one the workspace recorded:
    # a page must not learn which files exist. The reason goes to the server's log.
    logger.info("point %d: %s not shown: %s", point, what, error)
    return HTTPException(404, f"point {point} has no {what} to show")


@router.get("/image/{point}")
def read_image(point: int, ws: WorkspaceDep) -> Response:
    """The full-resolution 8-bit image of ``point``, decoded and re-encoded as a grayscale PNG.

    Only files recorded at ingest or import are read; anything else is a 404 like a missing file.
    """
    try:
        image = ws.read_image(check_point(ws, point))
    except ImageReadError as error:
        raise _unavailable(point, "image", error) from None
    return Response(encode_png(np.asarray(image, dtype=np.uint8)), media_type="image/png")


@router.get("/image/{point}/labels")
def read_label_map(point: int, ws: WorkspaceDep) -> Response:
    """The label map ``point`` was generated from (or ingested with); 404 when it has none."""
    try:
        labels = ws.label_map(check_point(ws, point))
    except ImageReadError as error:
        raise _unavailable(point, "label map", error) from None
    if labels is None:
        raise HTTPException(404, f"point {point} has no label map to show")
    return Response(encode_png(np.asarray(labels, dtype=np.uint8)), media_type="image/png")
