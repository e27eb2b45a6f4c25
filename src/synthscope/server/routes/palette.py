"""``/api/palette``: which colour each categorical value has, for the life of the workspace.

Colours follow a value, never its count: the first time the page colours by a column, each value
it has not seen before gets the next palette slot (new values in natural order, so ``2`` comes
before ``10``), and the assignment is kept in ``WS/palette.json``. Relabelling twenty frames from
``fake`` to ``real`` therefore changes no colour, and two tabs agree.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from synthscope._files import write_text_atomic
from synthscope.server.deps import StateDep, WorkspaceDep

router = APIRouter(tags=["palette"])

PALETTE_FILE = "palette.json"
MAX_VALUES = 10_000  # per request: a column with more distinct values is not coloured by value


def _natural(value: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", value)]


def read_palettes(ws: Any) -> dict[str, dict[str, int]]:
    """Every stored assignment, ``{key: {value: slot}}``; empty when none (or unreadable)."""
    path = ws.path / PALETTE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


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
        palettes = read_palettes(ws)
        slots = dict(palettes.get(body.key, {}))
        fresh = sorted({v for v in body.values if v not in slots}, key=_natural)
        for value in fresh:
            slots[value] = len(slots)
        if fresh:
            palettes[body.key] = slots
            write_text_atomic(ws.path / PALETTE_FILE, json.dumps(palettes, indent=1))
    return {"key": body.key, "slots": {v: slots[v] for v in body.values}}
