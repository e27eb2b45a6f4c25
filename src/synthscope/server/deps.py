"""Named dependencies, so route signatures read as domain nouns (``ws: WorkspaceDep``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from synthscope.server._state import ServerState

__all__ = ["StateDep", "WorkspaceDep", "get_state", "get_workspace"]


def get_state(request: Request) -> ServerState:
    """The :class:`ServerState` of the app serving ``request``."""
    return request.app.state.synthscope


def get_workspace(request: Request) -> Any:
    """The workspace the server was started on."""
    return get_state(request).workspace()


StateDep = Annotated[ServerState, Depends(get_state)]
WorkspaceDep = Annotated[Any, Depends(get_workspace)]
