"""Errors a client sees: JSON `{"error": {"message", "type"}}` like OpenAI's, never a traceback."""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipelines.errors import (
    ConfigError,
    InputError,
    LLMError,
    LoaderError,
    MmragError,
    StoreError,
)

# OpenAI's error types, by status
_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
          404: "not_found_error", 413: "invalid_request_error", 422: "invalid_request_error",
          429: "rate_limit_error", 502: "api_error", 503: "server_busy", 500: "server_error"}


class ApiError(Exception):
    """An error with its HTTP status, client-safe message and optional headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None
                 ) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def error_response(status: int, message: str, headers: dict[str, str] | None = None
                   ) -> JSONResponse:
    body = {"error": {"message": message, "type": _TYPES.get(status, "api_error")}}
    return JSONResponse(body, status_code=status, headers=headers)


_DIRS = re.compile(r"(?<![\w.~])/(?:[^\s/:'\"]+/)+")


def client_message(exc: MmragError) -> str:
    """An mmrag error's one line with the folders cut from absolute paths."""
    return _DIRS.sub("", str(exc))


def status_of(exc: Exception) -> int:
    """The HTTP status of a user-facing mmrag error."""
    if isinstance(exc, InputError | LoaderError):
        return 400
    if isinstance(exc, LLMError):
        return 502
    if isinstance(exc, StoreError | ConfigError):
        return 503
    return 500


def install(app: object) -> None:
    """Register the handlers that turn every failure into a JSON error."""

    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.headers)

    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", []) if p != "body")
        return error_response(400, f"{where or 'request'}: {first.get('msg', 'invalid')}")

    async def user_error(_: Request, exc: MmragError) -> JSONResponse:
        return error_response(status_of(exc), client_message(exc))

    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        # the traceback goes to the server log (see app.py), never to the client
        return error_response(500, "internal server error")

    app.add_exception_handler(ApiError, api_error)  # type: ignore[attr-defined]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[attr-defined]
    app.add_exception_handler(RequestValidationError, invalid)  # type: ignore[attr-defined]
    app.add_exception_handler(MmragError, user_error)  # type: ignore[attr-defined]
    app.add_exception_handler(Exception, unexpected)  # type: ignore[attr-defined]
