"""Scam cases built from victims' reports: building one, and reading it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from hotpursuit.api.models.common import ChainIn, TlpField


class CaseIn(BaseModel):
    """A case to build from the caller's reports on `chain` (those of `reports` if given); built again under the
    same name, it replaces the first."""

    name: str = Field(min_length=1, max_length=200)
    chain: ChainIn
    reports: list[str] | None = Field(default=None, max_length=100_000, description="report ids (default: all)")
    tlp: TlpField | None = Field(default=None, description=(
        "the case's (its incident's and its site's) TLP; default: the strictest of its reports' (RED unless they "
        "say otherwise), since its payments name the victims' wallets"))
    model: str = Field(default="haircut", pattern="^(haircut|fifo|poison)$")


class CaseAddressOut(BaseModel):
    """An address of the ring: its role, its rank among the collectors, how many reporting victims' money
    reached it, and the evidence (value per asset in base units, example transactions, why)."""

    address: str
    role: str
    rank: int | None
    victims: int
    evidence: dict[str, Any]


class CaseReportOut(BaseModel):
    """How one report's payment was found (or why not), the payment, and where that victim's money is traced
    (endpoint or holder -> base units). The owner's only: it names the victim's address."""

    report_id: str
    status: str
    reason: str
    notes: list[str]
    payments: list[dict[str, Any]]
    traced: dict[str, Any]


class CaseOut(BaseModel):
    """A scam case: its incident id, counts, the collector, the sites, the ring's addresses (collectors first);
    per report (the owner only) how its payment was found; the likely further victims (the owner only)."""

    id: str
    org: str
    chain: str
    built_at: str
    summary: dict[str, Any]
    addresses: list[CaseAddressOut]
    reports: list[CaseReportOut] | None = Field(description="the owner's only (null for others)")
