"""Labels: the claims about an address an organisation may see, and asserting one."""

from __future__ import annotations

import datetime

from pydantic import BaseModel, Field, StrictInt, field_validator

from hotpursuit.api.models.common import AddressIn, ChainIn, TlpField
from hotpursuit.attribution.labels import CATEGORIES
from hotpursuit.security.tlp import Tlp


class LabelIn(BaseModel):
    """A claim an organisation asserts (it becomes its owner)."""

    chain: ChainIn
    address: AddressIn
    label: str = Field(min_length=1, max_length=200)
    category: str = Field(description="one of " + ", ".join(CATEGORIES))
    actor: str | None = Field(default=None, max_length=100)
    confidence: StrictInt = Field(ge=1, le=100, description="1-100: a claim nobody is sure of is no claim")
    source: str = Field(min_length=1, max_length=500)
    source_date: datetime.date | None = None
    tlp: TlpField = Tlp.AMBER

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"{value!r} is not one of {', '.join(CATEGORIES)}")
        return value


class SharedFrom(BaseModel):
    """Where a claim pulled from a partner came from."""

    peer: str = Field(description="the partner's TAXII collection URL (or the MISP file imported)")
    collection: str | None
    producer: str | None = Field(description="the organisation that made the object, as the partner names it")
    pulled_by: str | None = Field(description="our organisation that pulled it (it owns the claim here)")
    pulled_at: str | None


class ClaimOut(BaseModel):
    """A stored claim with its provenance."""

    label: str
    category: str
    actor: str | None
    actor_label: str | None
    confidence: int
    source: str
    source_date: str | None
    tlp: Tlp
    asserted_by: str
    shared_from: SharedFrom | None = None


class LabelsOut(BaseModel):
    """The claims the caller may see, and how many were withheld."""

    chain: str
    address: str
    claims: list[ClaimOut]
    withheld: int


class LabelStored(BaseModel):
    """A claim was stored under the normalized address."""

    chain: str
    address: str
    stored: bool


class WithdrawIn(BaseModel):
    """Which of the caller's own claims to withdraw."""

    chain: ChainIn
    address: AddressIn
    category: str = Field(min_length=1, max_length=40)
    label: str | None = Field(default=None, max_length=200, description="only claims with this label")


class LabelsWithdrawn(BaseModel):
    """How many claims were withdrawn."""

    chain: str
    address: str
    withdrawn: int
