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
import threading
import typing
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, HTTPException, Query, Response, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, create_model

from synthscope._params import fail
from synthscope._pca import principal_components
from synthscope.errors import UnknownFeatureError, WorkspaceError
from synthscope.projection import ProjectionRequest
from synthscope.projection import _request as request_module
from synthscope.server._errors import error_body
from synthscope.server._jobs import TERMINAL, ProjectionJob, encode_frame
from synthscope.server._state import ServerState
from synthscope.server.deps import StateDep, WorkspaceDep
from synthscope.workspace import project, reusable_projection
from synthscope.workspace._store import MAX_PROJECTION_NAME

router = APIRouter(tags=["projections"])
logger = logging.getLogger(__name__)

MAX_COMPONENTS = 10  # as the TF Projector: ten components to choose the axes from
# Principal components per (workspace, projection, vectors, k): a few, recomputed when evicted.
_COMPONENTS: dict[tuple, tuple[np.ndarray, list[float]]] = {}
_COMPONENTS_LOCK = threading.Lock()


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
    given = {k: v for k, v in body.model_dump().items() if v is not None}
    if "feature" not in given:
        features = list(ws.features())
        if not features:
            raise UnknownFeatureError(
                "the workspace has no feature vectors: run `synthscope embed`"
            )
        given["feature"] = "pixels64" if "pixels64" in features else features[0]
    request = ProjectionRequest.from_mapping(given)
    ws.vectors(request.feature)  # refuses an unknown or stale feature now, not in the job
    return request


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
    stored = reusable_projection(ws, request)
    if stored is not None:
        return {"id": stored.id, "state": "done", "meta": stored.meta}
    pid = ws.projection_id(request)
    total = request.iterations if request.method == "tsne" else 0

    def work(job: ProjectionJob) -> None:
        done = project(
            ws,
            request,
            force=True,
            callback=job.callback,
            callback_every=2,  # the job keeps only the newest iterate: a copy, no more
            compute=state.compute,
        )
        job.iteration = done.meta["iterations"]
        job.finish("stopped" if done.meta["stopped"] else "done", done.embedding)

    job = state.jobs.start(pid, request.canonical(), total, work)
    return {"id": pid, "state": job.status()["state"]}


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
    job = state.jobs.get(pid)
    if job is not None and job.state not in TERMINAL:
        raise WorkspaceError(f"projection {pid} is {job.state}: stop it before deleting it")
    with state.write_lock:
        ws.delete_projection(pid)
    return {"id": pid, "deleted": True}


@router.get("/projection/{pid}/components")
def read_components(
    pid: str, ws: WorkspaceDep, k: int = Query(MAX_COMPONENTS, ge=2, le=MAX_COMPONENTS)
) -> Response:
    """A PCA projection's first ``k`` principal components (the page puts any of them on an axis).

    Binary as ``GET projection/{pid}`` (``X-Dims`` = k); ``X-Explained-Variance`` holds each
    component's share of the variance as a JSON list.
    """
    stored = ws.load_projection(pid)
    if stored is None:
        raise HTTPException(404, f"no stored projection {pid!r}")
    meta = stored[1]
    if meta.get("method") != "pca":
        raise fail("pid", f"{pid} is a {meta.get('method')} projection; components exist for PCA")
    feature = str(meta.get("feature") or "")
    key = (str(ws.path), pid, ws.vectors_digest(feature), k)
    with _COMPONENTS_LOCK:
        cached = _COMPONENTS.get(key)
    if cached is None:
        scores, ratio = principal_components(
            np.asarray(ws.vectors(feature)), k, seed=int(meta.get("seed", 0))
        )
        cached = (np.ascontiguousarray(scores, dtype="<f4"), [float(r) for r in ratio])
        with _COMPONENTS_LOCK:
            _COMPONENTS[key] = cached
            while len(_COMPONENTS) > 4:
                _COMPONENTS.pop(next(iter(_COMPONENTS)))
    response = _binary(cached[0])
    response.headers["X-Explained-Variance"] = json.dumps(cached[1])
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
