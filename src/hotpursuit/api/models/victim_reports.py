"""Victims' reports: taking one, and reading them back (personal data for the owner only)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hotpursuit.api.models.common import ChainIn, TlpField
from hotpursuit.security.tlp import Tlp


class VictimIn(BaseModel):
    """Who the victim is: personal data, never shown outside the organisation that took the report."""

    name: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=300)


class ReportIn(BaseModel):
    """A victim's complaint: when and what they paid, with which transactions or addresses, to whom, where they
    were told to, and who they are. At least one of tx_hashes, from_addresses, paid_to."""

    reference: str | None = Field(default=None, max_length=100, description="the complaint's number at the station")
    chain: ChainIn
    paid_at: str | None = Field(default=None, max_length=40, examples=["2026-03-02", "2026-03-02T14:05:00+09:00"])
    amount: str | None = Field(default=None, max_length=60, examples=["1.5"],
                               description="as the victim remembers it, in the asset's units")
    asset: str | None = Field(default=None, max_length=64, examples=["ETH", "USDT"])
    tx_hashes: list[str] = Field(default_factory=list, max_length=50)
    from_addresses: list[str] = Field(default_factory=list, max_length=50)
    paid_to: str | None = Field(default=None, max_length=128)
    website: str | None = Field(default=None, max_length=2000)
    phone: str | None = Field(default=None, max_length=64)
    app: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, max_length=20000)
    language: str | None = Field(default=None, max_length=2, examples=["ko", "en"])
    victim: VictimIn | None = None
    tlp: TlpField = Tlp.RED


class ReportTaken(BaseModel):
    """The report's id and whether it was new, replaced an earlier filing of its reference, or was held already."""

    id: str
    status: str


class ReportOut(BaseModel):
    """A report as the caller may read it: `victim` and `text` only for the organisation that took it."""

    id: str
    org: str
    tlp: Tlp
    reference: str | None
    chain: str
    paid_on: str | None
    paid_at: str | None
    amount: str | None
    asset: str | None
    tx_hashes: list[str]
    from_addresses: list[str]
    paid_to: str | None
    website: str | None
    phone: str | None
    app: str | None
    language: str
    text: str | None = Field(description="the victim's own words: the owner's only (null for others)")
    victim: VictimIn | None = Field(description="personal data: the owner's only (null for others)")
    received_at: str


class ReportsPage(BaseModel):
    """Reports the caller may see, oldest first; `next` is the cursor of the next page."""

    total: int
    next: str | None
    reports: list[ReportOut]
