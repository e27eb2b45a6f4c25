"""Every error answer has one shape: ``{"detail": one line, "error": kind, "parameter": name?}``.

synthscope's own errors map to statuses by class; FastAPI's HTTP exceptions and request-body
validation failures are rewritten into the same shape (a validation failure names its field), so
the page shows one readable line whatever went wrong. A user's mistake is answered, not logged
as a traceback.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from synthscope.errors import (
    InputError,
    InvalidParameterError,
    SynthscopeError,
    UnknownFeatureError,
    WorkspaceError,
)

__all__ = ["STATUS", "error_body", "install_error_handler", "status_of"]

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


def error_body(detail: str, error: str, parameter: str | None = None) -> dict[str, Any]:
    """The one JSON shape of every 4xx answer."""
    body: dict[str, Any] = {"detail": detail, "error": error}
    if parameter is not None:
        body["parameter"] = parameter
    return body


def _validation_line(error: dict[str, Any]) -> tuple[str, str | None]:
    """``"perplexity: Input should be a valid number (got 'x')"`` from one pydantic error."""
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    field = ".".join(location) or None
    message = str(error.get("msg", "invalid value"))
    if "input" in error and error.get("type") != "missing":
        message += f" (got {error['input']!r})"
    return (f"{field}: {message}" if field else message), field


def install_error_handler(app: FastAPI) -> None:
    """Answer every error in the one shape (see the module docstring)."""

    @app.exception_handler(SynthscopeError)
    async def _synthscope(request: Request, error: SynthscopeError) -> JSONResponse:
        parameter = getattr(error, "parameter", None)
        return JSONResponse(
            status_code=status_of(error),
            content=error_body(str(error), type(error).__name__, parameter),
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        line, field = _validation_line(first)
        more = len(error.errors()) - 1
        if more > 0:
            line += f" (and {more} more)"
        return JSONResponse(
            status_code=422, content=error_body(line, "InvalidParameterError", field)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        kind = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed"}
        return JSONResponse(
            status_code=error.status_code,
            content=error_body(str(error.detail), kind.get(error.status_code, "HTTPError")),
            headers=getattr(error, "headers", None),
        )
