"""Trace jobs: start one, list them, their status, and the finished report."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from hotpursuit.trace.account_taint import TaintModel


class TraceRequest(BaseModel):
    """A trace to run: the taint model, a hop limit, and whether to save the taint for screening."""

    model: TaintModel = TaintModel.haircut
    hops: StrictInt | None = Field(default=None, ge=1, le=64)
    save: StrictBool = False


class TraceJobOut(BaseModel):
    """A trace job's state."""

    id: str
    incident_id: str
    model: TaintModel
    max_hops: int | None
    requested_by: str
    status: str = Field(description="queued, running, done or failed")
    error: str | None
    created_at: str
    finished_at: str | None


class TracesPage(BaseModel):
    """Trace jobs, newest first; `next` is the cursor of the next page."""

    total: int
    offset: int
    limit: int
    next: str | None
    traces: list[TraceJobOut]


class TraceReportOut(BaseModel):
    """A finished trace: parameters, the input hash (its evidence fingerprint), totals per asset,
    endpoints, holders, flows, swaps, taint at venues, the frontier, ignored assets, warnings."""

    model_config = ConfigDict(extra="allow")

    incident: str
    model: TaintModel
    max_hops: int | None
    dust: int
    input_hash: str
    stolen: dict[str, str]
    endpoints: list[dict[str, Any]]
    held: list[dict[str, Any]]
    flows: list[dict[str, Any]]
    totals: dict[str, dict[str, str]]
    ignored_assets: list[dict[str, Any]]
    swaps: list[dict[str, Any]]
    at_venues: list[dict[str, Any]]
    frontier: list[dict[str, Any]]
    dust_by_asset: dict[str, str]
    warnings: list[str]
