"""Projections: read stored ones as binary, start new ones, watch them live over a WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, HTTPException, Response, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field

from synthscope.errors import UnknownFeatureError
from synthscope.server._jobs import TERMINAL, ProjectionJob, encode_frame
from synthscope.server._state import ServerState
from synthscope.server.deps import StateDep, WorkspaceDep
from synthscope.workspace import projection_meta, projection_request, vectors_digest

router = APIRouter(tags=["projections"])
logger = logging.getLogger(__name__)


class ProjectionCreate(BaseModel):
    """A projection the page asks for; only the fields of its method enter the id.

    Defaults and the stored request match ``synthscope project``, so the page and the command
    line find each other's results.
    """

    method: Literal["pca", "tsne", "umap"]
    dims: Literal[2, 3] = 3
    feature: str | None = None
    perplexity: float = Field(30.0, gt=0)
    learning_rate: float | None = Field(None, gt=0, description="None: auto (n/12 early)")
    iterations: int = Field(1000, ge=1, le=100_000)
    early_exaggeration: float = Field(12.0, gt=0)
    pca50: bool = True
    metric: Literal["euclidean", "cosine"] = "euclidean"
    seed: int = Field(0, ge=0)
    n_neighbors: int = Field(15, ge=2, le=200)
    min_dist: float = Field(0.1, ge=0.0, lt=1.0)

    def canonical(self, feature: str) -> dict[str, Any]:
        """The request as the workspace stores it: method, feature, and that method's knobs."""
        return projection_request(
            self.method,
            self.dims,
            feature,
            self.seed,
            perplexity=self.perplexity,
            iterations=self.iterations,
            learning_rate="auto" if self.learning_rate is None else self.learning_rate,
            early_exaggeration=self.early_exaggeration,
            pca_dims=50 if self.pca50 else None,
            metric=self.metric,
            n_neighbors=self.n_neighbors,
            min_dist=self.min_dist,
        )

    def total(self) -> int:
        """Iterations the page's counter counts to (0 for PCA and UMAP, which stream none)."""
        return self.iterations if self.method == "tsne" else 0


def _state(websocket: WebSocket) -> ServerState:
    return websocket.app.state.synthscope


def _binary(embedding: np.ndarray) -> Response:
    coords = np.ascontiguousarray(embedding, dtype="<f4")
    return Response(
        coords.tobytes(),
        media_type="application/octet-stream",
        headers={"X-Count": str(coords.shape[0]), "X-Dims": str(coords.shape[1])},
    )


@router.get("/projection/{pid}")
def read_projection(pid: str, ws: WorkspaceDep) -> Response:
    """Stored coordinates: little-endian float32, row-major (n_points x dims)."""
    stored = ws.load_projection(pid)
    if stored is None:
        raise HTTPException(404, f"no stored projection {pid!r}")
    return _binary(stored[0])


@router.post("/projections", status_code=202)
def create_projection(body: ProjectionCreate, ws: WorkspaceDep, state: StateDep) -> dict:
    """Start a projection (or return the stored one with the same request); watch its stream."""
    features = list(ws.features())
    feature = body.feature or (features[0] if features else None)
    if feature is None:
        raise UnknownFeatureError("the workspace has no feature vectors: run `synthscope embed`")
    if feature not in features:
        raise UnknownFeatureError(f"no feature {feature!r}; the workspace has {features}")
    request = body.canonical(feature)
    pid = ws.projection_id(request)
    stored = ws.load_projection(pid)
    if stored is not None and not stored[1].get("stopped"):
        return {"id": pid, "state": "done", "meta": stored[1]}
    run = state.run_projection

    def work(job: ProjectionJob) -> None:
        vectors = ws.vectors(feature)
        result = run(vectors, dict(request), job.callback)
        embedding = np.asarray(result.embedding, dtype=np.float32)
        stopped = job._stop.is_set()
        meta = projection_meta(request, result, vectors_digest(vectors), stopped=stopped)
        with state.write_lock:
            ws.save_projection(job.id, embedding, meta)
        job.iteration = result.iterations
        job.finish("stopped" if stopped else "done", embedding)

    job = state.jobs.start(pid, request, body.total(), work)
    return {"id": pid, "state": job.status()["state"]}


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

    async def listen() -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                message = json.loads(await websocket.receive_text())
                if message.get("action") in ("pause", "resume", "stop"):
                    job.control(message["action"])

    listener = asyncio.create_task(listen())
    seen, sent_frame = -1, None
    try:
        while True:
            version, frame = job.frame()
            if version != seen:
                seen = version
                status = job.status()
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
