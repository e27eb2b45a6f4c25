"""Pictures: thumbnail atlas tiles, each point's full image and its label map, as PNG."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import FileResponse

from synthscope.server import _queries
from synthscope.server.deps import StateDep, WorkspaceDep
from synthscope.server.routes._common import check_point

router = APIRouter(tags=["images"])

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


@router.get("/image/{point}")
def read_image(point: int, ws: WorkspaceDep) -> Response:
    """The full-resolution 8-bit image of ``point``, decoded and re-encoded as a grayscale PNG.

    Only files recorded at ingest or import are read; anything else is a 404 like a missing file.
    """
    return Response(_queries.image_png(ws, check_point(ws, point)), media_type="image/png")


@router.get("/image/{point}/labels")
def read_label_map(point: int, ws: WorkspaceDep) -> Response:
    """The label map ``point`` was generated from (or ingested with); 404 when it has none."""
    png = _queries.label_map_png(ws, check_point(ws, point))
    if png is None:
        raise HTTPException(404, f"point {point} has no label map to show")
    return Response(png, media_type="image/png")
