"""Screening: one address, one transaction, a batch; and the authenticated no-op they are measured
against."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hotpursuit.api.models.common import Amount, ChainIn
from hotpursuit.security.tlp import Tlp

MAX_BATCH = 100_000


class PingOut(BaseModel):
    """Who the key belongs to."""

    org: str


class DirectClaim(BaseModel):
    """A claim about the address itself (or inherited from its cluster, `via` that member)."""

    label: str
    category: str
    actor: str | None
    confidence: int
    source: str
    tlp: Tlp
    via: str | None


class IndirectExposure(BaseModel):
    """Taint of an incident the address received."""

    incident: str
    actor: str | None
    asset: str
    tainted: Amount
    received: Amount
    share: float = Field(description="tainted / received (a ratio for display; the amounts are exact)")
    decimals: int | None = Field(description="the asset's decimals (null: unknown); amounts are base units")
    symbol: str | None = Field(description="the asset's symbol; `fake X` or `spam X` for a token that "
                                           "impersonates X or is spam")


class ScamSite(BaseModel):
    """A scam site (from a public list or victims' reports) that handed the address out."""

    id: str = Field(description="the site's id: the same for every source that names it")
    domain: str = Field(description="lower-case ASCII (punycode), without a leading www.")
    path: str | None = Field(description="the page, for a site on a shared host (null: the whole domain)")
    kind: str = Field(description="fake_exchange, phishing, scam, malware or hacked")
    source: str = Field(description="the list (ScamSniffer, CryptoScamDB, eth-phishing-detect, ...) or report "
                                    "source that recorded it")
    first_seen: str = Field(description="when the link was first recorded here (YYYY-MM-DD)")
    tlp: Tlp


class ScreeningOut(BaseModel):
    """The screening of one address."""

    chain: str
    address: str
    risk: str
    score: int
    categories: list[str]
    direct: list[DirectClaim]
    withheld: int
    indirect: list[IndirectExposure]
    withheld_scored: int
    reasons: list[str]
    entities: list[ScamSite] = Field(description="the scam sites that handed the address out (category `scam`), "
                                                 "at most 20; the reasons say how many more")


class TxScreeningOut(BaseModel):
    """Every address a transaction moved value between, screened; the transaction's risk is the worst."""

    chain: str
    tx: str
    risk: str
    score: int
    addresses: list[ScreeningOut]


class BatchRequest(BaseModel):
    """Up to 100,000 addresses of one chain."""

    chain: ChainIn
    addresses: list[str] = Field(min_length=1, max_length=MAX_BATCH)


class Flagged(BaseModel):
    """An address of the batch with a finding."""

    address: str
    risk: str
    score: int
    categories: list[str]
    withheld: int
    withheld_scored: int


class Invalid(BaseModel):
    """An entry of the batch that is not an address of the chain, and why."""

    index: int
    address: str
    reason: str


class BatchOut(BaseModel):
    """Only addresses with a finding are listed; invalid ones with the reason."""

    chain: str
    screened: int
    flagged: list[Flagged]
    invalid: list[Invalid]
