"""The API's request and response bodies, and the error shape every 4xx uses."""

from __future__ import annotations

import datetime
from typing import Any

from pydantic import BaseModel, Field

MAX_BATCH = 100_000


class ErrorDetail(BaseModel):
    """What was wrong: a stable code, a message naming the thing and the reason, the field if one."""

    code: str
    message: str
    field: str | None = None


class Problem(BaseModel):
    """Every error answer: `{"error": {"code", "message", "field"}}`."""

    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": Problem}, 401: {"model": Problem},
                                           403: {"model": Problem}, 413: {"model": Problem},
                                           429: {"model": Problem}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {**ERRORS, 404: {"model": Problem}}


class LabelIn(BaseModel):
    """A claim an organisation asserts (it becomes its owner)."""

    chain: str = Field(min_length=1, max_length=32)
    address: str = Field(min_length=1, max_length=128)
    label: str = Field(min_length=1, max_length=200)
    category: str
    actor: str | None = Field(default=None, max_length=100)
    confidence: int = Field(ge=0, le=100)
    source: str = Field(min_length=1, max_length=500)
    source_date: datetime.date | None = None
    tlp: str = "AMBER"


class BatchRequest(BaseModel):
    """Up to 100,000 addresses of one chain."""

    chain: str = Field(min_length=1, max_length=32)
    addresses: list[str] = Field(min_length=1, max_length=MAX_BATCH)


class ScreeningOut(BaseModel):
    """The screening of one address."""

    chain: str
    address: str
    risk: str
    score: int
    categories: list[str]
    direct: list[dict[str, Any]]
    withheld: int
    indirect: list[dict[str, Any]]
    withheld_scored: int
    reasons: list[str]


class TraceRequest(BaseModel):
    """A trace to run: the taint model, a hop limit, and whether to save the taint for screening."""

    model: str = Field(default="haircut", pattern="^(haircut|fifo|poison)$")
    hops: int | None = Field(default=None, ge=1, le=64)
    save: bool = False


class TraceJobOut(BaseModel):
    """A trace job's state."""

    id: str
    incident_id: str
    model: str
    max_hops: int | None
    requested_by: str
    status: str
    error: str | None
    created_at: str
    finished_at: str | None


class IncidentIn(BaseModel):
    """An incident to open: what was stolen, from whom, by whom; watched live at once."""

    name: str = Field(min_length=1, max_length=200)
    chain: str = Field(min_length=1, max_length=32)
    sources: list[str] = Field(min_length=1, max_length=1000, description="theft tx hashes or thief addresses")
    victim: str | None = Field(default=None, max_length=128)
    actor: str | None = Field(default=None, max_length=100)
    since: int | None = Field(default=None, ge=0, le=2**62, description="first block to trace from")
    tlp: str = Field(default="AMBER", pattern="^(CLEAR|GREEN|AMBER|AMBER\\+STRICT|RED)$")
