"""Projections: read stored ones as binary, start new ones, watch them live over a WebSocket.

The request body is the same :class:`~synthscope.projection.ProjectionRequest` the command line
builds (its fields, defaults and constraints come from one table), so the page and
``synthscope project`` find each other's results. Work goes through
:func:`synthscope.workspace.project`, the one runner.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import sys
import typing
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, HTTPException, Query, Response, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, create_model

from synthscope.projection import ProjectionRequest
from synthscope.projection import _request as request_module
from synthscope.server import _queries
from synthscope.server._errors import error_body
from synthscope.server._jobs import TERMINAL, encode_frame
from synthscope.server._queries import MAX_COMPONENTS
from synthscope.server._state import ServerState
from synthscope.server.deps import StateDep, WorkspaceDep
from synthscope.workspace._store import MAX_PROJECTION_NAME

router = APIRouter(tags=["projections"])
logger = logging.getLogger(__name__)


def _body_model() -> type[BaseModel]:
    """The POST body: every ProjectionRequest field, optional (absent = the request's default).

    Types come from the request's annotations; ranges and choices are checked by the request
    itself, so the page reads the same messages as the command line.
    """
    # The class shows a public __module__; its annotations live in the private module.
    hints = typing.get_type_hints(
        ProjectionRequest, globalns=vars(sys.modules[request_module.__name__])
    )
    fields: dict[str, Any] = {
        f.name: (hints[f.name] | None, None) for f in dataclasses.fields(ProjectionRequest)
    }
    return create_model(
        "ProjectionCreate",
        __config__=ConfigDict(allow_inf_nan=False),
        __doc__="A projection to compute; omitted fields take ProjectionRequest's defaults.",
        **fields,
    )


ProjectionCreate = _body_model()


def _binary(embedding: np.ndarray) -> Response:
    coords = np.ascontiguousarray(embedding, dtype="<f4")
    return Response(
        coords.tobytes(),
        media_type="application/octet-stream",
        headers={"X-Count": str(coords.shape[0]), "X-Dims": str(coords.shape[1])},
    )


def resolve_request(body: BaseModel, ws: Any) -> ProjectionRequest:
    """The request a body asks for; without a feature, ``pixels64`` (else the first stored)."""
    return _queries.resolve_request(body.model_dump(), ws)


@router.get("/projections/schema")
def projection_schema() -> dict:
    """Defaults, limits and per-method fields of a projection request (the page's inputs)."""
    return ProjectionRequest.schema()


@router.get("/projection/{pid}")
def read_projection(pid: str, ws: WorkspaceDep) -> Response:
    """Stored coordinates: little-endian float32, row-major (n_points x dims)."""
    stored = ws.load_projection(pid)
    if stored is None:
        raise HTTPException(404, f"no stored projection {pid!r}")
    return _binary(stored[0])


@router.post("/projections", status_code=202)
def create_projection(body: ProjectionCreate, ws: WorkspaceDep, state: StateDep) -> dict:  # type: ignore[valid-type]
    """Start a projection (or return the stored one with the same request); watch its stream."""
    request = resolve_request(body, ws)
    return _queries.start_projection(ws, state.jobs, request, compute=state.compute)


class ProjectionRename(BaseModel):
    """A display name for a stored projection; an empty one removes it."""

    name: str = Field(max_length=MAX_PROJECTION_NAME)


@router.patch("/projections/{pid}")
def rename_projection(pid: str, body: ProjectionRename, ws: WorkspaceDep, state: StateDep) -> dict:
    """Name a stored projection; answers with its metadata."""
    with state.write_lock:
        return ws.rename_projection(pid, body.name)


@router.delete("/projections/{pid}")
def delete_projection(pid: str, ws: WorkspaceDep, state: StateDep) -> dict:
    """Remove a stored projection; refused (409) while its job runs."""
    with state.write_lock:
        return _queries.delete_projection(ws, state.jobs, pid)


@router.get("/projection/{pid}/components")
def read_components(
    pid: str, ws: WorkspaceDep, k: int = Query(MAX_COMPONENTS, ge=2, le=MAX_COMPONENTS)
) -> Response:
    """A PCA projection's first ``k`` principal components (the page puts any of them on an axis).

    Binary as ``GET projection/{pid}`` (``X-Dims`` = k); ``X-Explained-Variance`` holds each
    component's share of the variance as a JSON list.
    """
    scores, variance = _queries.pca_components(ws, pid, k)
    response = _binary(scores)
    response.headers["X-Explained-Variance"] = json.dumps(variance)
    return response


@router.get("/projections/{pid}/status")
def projection_status(pid: str, state: StateDep) -> dict:
    """State and iteration of a job started by this server."""
    job = state.jobs.get(pid)
    if job is None:
        raise HTTPException(404, f"no projection job {pid!r} in this server")
    return job.status()


@router.post("/projections/{pid}/{action}")
def control_projection(
    pid: str, action: Literal["pause", "resume", "stop"], state: StateDep
) -> dict:
    """Pause, resume or stop a running job."""
    job = state.jobs.get(pid)
    if job is None:
        raise HTTPException(404, f"no projection job {pid!r} in this server")
    job.control(action)
    return job.status()


def _state(websocket: WebSocket) -> ServerState:
    return websocket.app.state.synthscope


CONTROLS = ("pause", "resume", "stop")


def parse_control(text: str | None) -> tuple[str | None, str]:
    """The action of a stream message ``{"action": ...}``, or None and why it is refused."""
    if text is None:
        return None, 'send text messages: {"action": "pause" | "resume" | "stop"}'
    try:
        message = json.loads(text)
    except ValueError:
        return None, f'not JSON: {text[:80]!r}; send {{"action": "pause"}} and the like'
    action = message.get("action") if isinstance(message, dict) else None
    if action not in CONTROLS:
        return None, f"action must be one of {', '.join(CONTROLS)} (got {action!r})"
    return action, ""


@router.websocket("/projections/{pid}/stream")
async def stream_projection(websocket: WebSocket, pid: str) -> None:
    """Binary frames of the newest iterate, each followed by a JSON status; ends when it ends.

    The page may send ``{"action": "pause" | "resume" | "stop"}``.
    """
    state = _state(websocket)
    await websocket.accept()
    job = state.jobs.get(pid)
    if job is None:
        stored = await asyncio.to_thread(lambda: state.workspace().load_projection(pid))
        if stored is None:
            await websocket.close(code=4404, reason=f"no projection {pid}")
            return
        emb = stored[0]
        await websocket.send_bytes(encode_frame(stored[1].get("iterations", 0), 0, emb))
        await websocket.send_json({"id": pid, "state": "done", "iteration": 0, "total": 0})
        await websocket.close()
        return

    sending = asyncio.Lock()  # the listener's error answers and the frames never interleave

    async def listen() -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                action, problem = parse_control(message.get("text"))
                if action is not None:
                    job.control(action)
                    continue
                # A malformed message is answered, and the stream goes on obeying the next one.
                async with sending:
                    await websocket.send_json(
                        error_body(problem, "InvalidParameterError", "action")
                    )

    listener = asyncio.create_task(listen())
    seen, sent_frame = -1, None
    try:
        while True:
            version, frame = job.frame()
            if version != seen:
                seen = version
                status = job.status()
                async with sending:
                    if frame is not None and frame is not sent_frame:
                        await websocket.send_bytes(frame)
                        sent_frame = frame
                    await websocket.send_json(status)
                if status["state"] in TERMINAL:
                    break
            await asyncio.sleep(0.03)
        await websocket.close()
    except WebSocketDisconnect:
        pass
    finally:
        listener.cancel()
