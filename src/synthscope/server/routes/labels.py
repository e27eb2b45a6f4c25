"""Relabelling: set a column for many points at once, undo, redo, and the edit history.

Every write holds the server's write lock and returns only after the workspace has committed
it, so an acknowledged edit survives a crash and two tabs' edits never interleave.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

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


def _cell(ws: Any, column: str, value: str | float | None) -> str | float | None:
    """Text columns get text (a number typed into a label stays ``"3"``, not ``3.0``)."""
    if value is None or value == "":
        return None
    if column in ws.columns() and ws.column_kind(column) == "text":
        return str(value)
    return value  # the workspace checks that numeric columns get numbers


@router.post("")
def relabel(edit: LabelEdit, ws: WorkspaceDep, state: StateDep) -> dict:
    """Set ``column`` = ``value`` for ``ids``; answers after the edit has committed."""
    ids = sorted(set(edit.ids))
    with state.write_lock:
        value = _cell(ws, edit.column, edit.value)
        batch = int(ws.relabel(ids, edit.column, value))
    return {"batch": batch, "count": len(ids), "column": edit.column, "value": value}


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
