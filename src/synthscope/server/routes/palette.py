"""``/api/palette``: which colour each categorical value has, for the life of the workspace.

Colours follow a value, never its count: the first time the page colours by a column, each value
it has not seen before gets the next palette slot (new values in natural order, so ``2`` comes
before ``10``), and the assignment is kept in ``WS/palette.json``. Relabelling twenty frames from
``fake`` to ``real`` therefore changes no colour, and two tabs agree.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from synthscope.server import _queries
from synthscope.server._queries import MAX_PALETTE_VALUES, PALETTE_FILE, read_palettes
from synthscope.server.deps import StateDep, WorkspaceDep

router = APIRouter(tags=["palette"])

__all__ = ["MAX_VALUES", "PALETTE_FILE", "read_palettes", "router"]

MAX_VALUES = MAX_PALETTE_VALUES


class PaletteRequest(BaseModel):
    """The values of one palette ``key`` (a column name, or a group of columns) being coloured."""

    key: str = Field(min_length=1, max_length=200)
    values: list[str] = Field(max_length=MAX_VALUES)


@router.get("/palette")
def read_palette(ws: WorkspaceDep) -> dict:
    """Every palette key's ``{value: slot}``."""
    return {"palettes": read_palettes(ws)}


@router.post("/palette")
def assign_palette(body: PaletteRequest, ws: WorkspaceDep, state: StateDep) -> dict:
    """Slots for ``values`` under ``key``: kept ones unchanged, new ones the next free slots."""
    with state.write_lock:
        return _queries.assign_palette(ws, body.key, body.values)
