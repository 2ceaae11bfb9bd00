"""One error shape for every API answer that is not a success, chosen once by status or exception class:
`{"error": {"code", "message", "field"}}`, never a traceback and never FastAPI's `{"detail": ...}`.

Status by exception class: NotFound -> 404, Conflict -> 409, Forbidden -> 403, RateLimited -> 429,
UnknownChain / InvalidAddress / any other HotpursuitError -> 400; request validation -> 422 naming the
field; anything unexpected -> 500 with a generic message (logged here, not shown). A message of the
form "<field>: <reason>" names its field.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hotpursuit.errors import Conflict, Forbidden, HotpursuitError, NotFound, RateLimited

log = logging.getLogger(__name__)

CODES = {400: "invalid_input", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 422: "invalid_input", 429: "rate_limited", 500: "internal"}
_FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\[\]]*): ")


def error_body(status: int, message: str, field: str | None = None) -> dict[str, Any]:
    """The house error shape; the field is taken from a "<field>: reason" message when not given."""
    if field is None:
        named = _FIELD.match(message)
        field = named.group(1) if named else None
    return {"error": {"code": CODES.get(status, "error"), "message": message, "field": field}}


def error_response(status: int, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON error answer in the house shape."""
    return JSONResponse(error_body(status, message, field), status_code=status, headers=headers)


def status_for(exc: HotpursuitError) -> int:
    """The HTTP status of a domain error, by its class."""
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, RateLimited):
        return 429
    return 400


def register_error_handlers(app: FastAPI) -> None:
    """Install the handlers that give every error path the house shape."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        loc = [str(x) for x in first.get("loc", ()) if x not in ("body", "query", "path", "header")]
        field = ".".join(loc) or None
        reason = str(first.get("msg")).removeprefix("Value error, ")  # pydantic's prefix for a validator's own
        return error_response(422, f"{field}: {reason}" if field else reason, field)

    @app.exception_handler(HotpursuitError)
    async def domain_error(_: Request, exc: HotpursuitError) -> JSONResponse:
        return error_response(status_for(exc), str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return error_response(500, f"internal error ({type(exc).__name__}); the server log has the details")
