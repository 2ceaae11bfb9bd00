"""The address page: balances, activity, counterparties, cluster, entity, claims and screening."""

from __future__ import annotations

from pydantic import BaseModel

from hotpursuit.api.models.common import Amount, SignedAmount
from hotpursuit.api.models.labels import ClaimOut


class Counterparty(BaseModel):
    """An address this one exchanged an asset with."""

    address: str
    asset: str
    transfers: int
    amount: Amount


class Counterparties(BaseModel):
    """The busiest counterparties, one page."""

    offset: int
    limit: int
    items: list[Counterparty]


class ClusterOut(BaseModel):
    """The cluster the address belongs to."""

    id: int
    size: int
    reason: str | None


class ClusterLink(BaseModel):
    """A clustering edge on the way to the entity's labelled member."""

    a: str
    b: str
    reason: str
    confidence: int
    tx_hash: str | None


class EntityOut(ClaimOut):
    """The entity the address belongs to: a claim about a cluster member, reached through `via`."""

    address: str | None
    via: list[ClusterLink]


class ScreeningSummary(BaseModel):
    """The address's screening, in brief."""

    risk: str
    score: int
    categories: list[str]


class AddressOut(BaseModel):
    """What the store knows about an address."""

    chain: str
    address: str
    balances: dict[str, SignedAmount]
    first_seen_block: int | None
    last_seen_block: int | None
    counterparties: Counterparties
    cluster: ClusterOut | None
    entity: EntityOut | None
    entity_withheld: bool
    claims: list[ClaimOut]
    withheld: int
    warnings: list[str]
    screening: ScreeningSummary
