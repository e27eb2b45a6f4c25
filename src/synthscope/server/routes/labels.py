"""Relabelling: set a column for many points at once, undo, redo, and the edit history.

Every write holds the server's write lock and returns only after the workspace has committed
it, so an acknowledged edit survives a crash and two tabs' edits never interleave.
"""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from synthscope.server import _queries
from synthscope.server.deps import StateDep, WorkspaceDep

router = APIRouter(prefix="/labels", tags=["labels"])


class LabelEdit(BaseModel):
    """Set ``column`` to ``value`` for every point in ``ids`` (empty string or null clears).

    NaN and infinity are refused (422), as everywhere in the API.
    """

    model_config = ConfigDict(allow_inf_nan=False)

    ids: list[int] = Field(min_length=1)
    column: str = "label"
    value: str | int | float | None


@router.post("")
def relabel(edit: LabelEdit, ws: WorkspaceDep, state: StateDep) -> dict:
    """Set ``column`` = ``value`` for ``ids``; answers after the edit has committed."""
    with state.write_lock:
        return _queries.relabel(ws, edit.ids, edit.column, edit.value)


@router.post("/undo")
def undo(ws: WorkspaceDep, state: StateDep) -> dict:
    """Undo the last edit batch still in effect; ``batch`` is null when there is none."""
    with state.write_lock:
        return {"batch": ws.undo()}


@router.post("/redo")
def redo(ws: WorkspaceDep, state: StateDep) -> dict:
    """Redo the most recently undone batch; ``batch`` is null when there is none."""
    with state.write_lock:
        return {"batch": ws.redo()}


@router.get("/history")
def history(ws: WorkspaceDep, limit: int = Query(50, ge=1, le=1000)) -> dict:
    """The latest edit, undo and redo batches, newest first (the workspace's append-only log)."""
    return {"batches": ws.edits(limit)}
