"""Incidents: listing, opening, closing, and each incident's board."""

from __future__ import annotations

from pydantic import BaseModel, Field, StrictInt

from hotpursuit.api.models.common import Amount, AssetOut, ChainIn, TlpField
from hotpursuit.security.tlp import Tlp


class IncidentIn(BaseModel):
    """An incident to open: what was stolen, from whom, by whom; watched live at once."""

    name: str = Field(min_length=1, max_length=200)
    chain: ChainIn
    sources: list[str] = Field(min_length=1, max_length=1000, description="theft tx hashes or thief addresses")
    victim: str | None = Field(default=None, max_length=128)
    actor: str | None = Field(default=None, max_length=100)
    since: StrictInt | None = Field(default=None, ge=0, le=2**62, description="first block to trace from")
    tlp: TlpField = Tlp.AMBER


class IncidentOut(BaseModel):
    """An incident in a list."""

    id: str
    name: str
    chain: str
    status: str
    actor: str | None
    tlp: Tlp


class IncidentsPage(BaseModel):
    """Incidents the caller may see; `next` is the cursor of the next page."""

    total: int
    offset: int
    limit: int
    next: str | None
    incidents: list[IncidentOut]


class IncidentOpened(BaseModel):
    """The new incident's id and how many sources it has."""

    id: str
    sources: int


class IncidentClosed(BaseModel):
    """The incident is closed."""

    id: str
    status: str


class OrgTotals(BaseModel):
    """Freeze requests to one organisation for one asset."""

    org: str
    asset: str
    requests: int
    requested: Amount
    frozen: Amount
    answered: int
    median_response_seconds: int | None = Field(
        default=None, description="median seconds from a request to its answer; null before any answer")
    slowest_response_seconds: int | None = Field(default=None, description="the slowest answer, in seconds")


class Requested(BaseModel):
    """Requested (not retracted) and frozen, all organisations, one asset."""

    requested: Amount
    frozen: Amount


class BoardOut(BaseModel):
    """Stolen, traced (per asset: entered, stolen, at endpoints, held, ...), requested and frozen."""

    incident: str
    stolen: dict[str, Amount]
    traced: dict[str, dict[str, Amount]] | None = Field(
        description="the live trace's figures per asset, if a watch runs")
    organisations: list[OrgTotals]
    totals: dict[str, Requested]
    assets: dict[str, AssetOut] = Field(description="how each asset named above is read")
