"""The app factory: ``create_app(settings)`` builds everything; nothing is built at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from synthscope.server._errors import install_error_handler
from synthscope.server._guard import GuardMiddleware
from synthscope.server._settings import Settings, is_loopback
from synthscope.server._state import ServerState
from synthscope.server.routes import ROUTERS

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

_NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>synthscope</title>
<h1>synthscope: the front end is not built</h1>
<p>The API answers under <a href="/api/dataset">/api/</a>, but the page's files are missing from
<code>{path}</code>. Build them with <code>make web</code> (or <code>make test</code>), which runs
<code>npm ci && npm run build</code> in <code>web/</code>.</p>
"""


def _operation_id(route: APIRoute) -> str:
    # Stable "tag-name" ids, so a generated TypeScript client keeps its function names.
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(
    settings: Settings,
    *,
    open_workspace: Callable[[], Any] | None = None,
    compute: Callable[..., Any] | None = None,
) -> FastAPI:
    """Build the projector app for ``settings.workspace``.

    Parameters
    ----------
    settings
        Workspace, bind address, token, static folder.
    open_workspace
        Opens the workspace; defaults to ``Workspace.open(settings.workspace)`` (tests pass fakes).
    compute
        Computes projections (``synthscope.workspace.ComputeProjection``); tests pass
        stand-ins, None runs the real method.
    """

    def default_open() -> Any:
        from synthscope.workspace import Workspace

        return Workspace.open(settings.workspace)

    state = ServerState(settings, open_workspace or default_open)
    state.compute = compute

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.jobs.stop_all()

    app = FastAPI(
        title="synthscope projector",
        summary="Look at, select, relabel and export the points of a synthscope workspace.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    app.state.synthscope = state
    install_error_handler(app)
    app.add_middleware(
        GuardMiddleware,
        token=settings.token,
        loopback=is_loopback(settings.host),
        max_body_bytes=settings.max_body_bytes,
    )
    for router in ROUTERS:
        app.include_router(router, prefix="/api")

    static = settings.static_path
    if (static / "index.html").is_file():
        # StaticFiles resolves every path inside `static` and refuses anything outside it.
        app.mount("/", StaticFiles(directory=static, html=True), name="static")
    else:
        logger.warning("front end not built (%s missing): serving the API only", static)

        @app.get("/", response_class=HTMLResponse, include_in_schema=False)
        def not_built() -> str:
            return _NOT_BUILT.format(path=static)

    return app
