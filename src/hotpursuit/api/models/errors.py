"""The error shape every answer that is not a success has: `{"error": {"code", "message", "field"}}`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    """What was wrong: a stable code, a message naming the thing and the reason, the field if one."""

    code: str
    message: str
    field: str | None = None


class Problem(BaseModel):
    """Every error answer."""

    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": Problem} for code in (400, 401, 403, 413, 422, 429)}
NOT_FOUND: dict[int | str, dict[str, Any]] = {**ERRORS, 404: {"model": Problem}}
CONFLICT: dict[int | str, dict[str, Any]] = {**ERRORS, 409: {"model": Problem}}
NOT_FOUND_OR_CONFLICT: dict[int | str, dict[str, Any]] = {**NOT_FOUND, 409: {"model": Problem}}
