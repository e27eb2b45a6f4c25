"""One handler that turns every :mod:`synthscope.errors` class into an HTTP status."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from synthscope.errors import (
    InputError,
    InvalidParameterError,
    SynthscopeError,
    UnknownFeatureError,
    WorkspaceError,
)

__all__ = ["STATUS", "install_error_handler", "status_of"]

# Most specific first: the first class an error is an instance of decides.
STATUS: tuple[tuple[type[SynthscopeError], int], ...] = (
    (UnknownFeatureError, 404),
    (InvalidParameterError, 422),
    (InputError, 422),
    (WorkspaceError, 409),
    (SynthscopeError, 400),
)


def status_of(error: SynthscopeError) -> int:
    """The HTTP status of a synthscope error."""
    return next(code for cls, code in STATUS if isinstance(error, cls))


def install_error_handler(app: FastAPI) -> None:
    """Answer synthscope errors as ``{"detail": message, "error": class name}``."""

    @app.exception_handler(SynthscopeError)
    async def _handle(request: Request, error: SynthscopeError) -> JSONResponse:
        return JSONResponse(
            status_code=status_of(error),
            content={"detail": str(error), "error": type(error).__name__},
        )
