"""An organisation's own settings: its webhook and the addresses and tokens it controls."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hotpursuit.api.models.common import AddressIn, ChainIn


class WebhookIn(BaseModel):
    """Where the organisation receives freeze requests."""

    url: str = Field(min_length=8, max_length=500)


class WebhookOut(BaseModel):
    """The webhook set, with its new shared secret (shown once)."""

    org: str
    url: str
    secret: str


class ControlIn(BaseModel):
    """An address the organisation operates, or a token it issues."""

    chain: ChainIn
    address: AddressIn
    kind: str = Field(pattern="^(hot_wallet|deposit_address|token|bridge)$")


class ControlOut(BaseModel):
    """A control claim as stored (address normalized): pending until proven, and then verified (or
    rejected by a server-admin); only verified controls receive freeze requests."""

    org: str
    chain: str
    address: str
    kind: str
    status: str = Field(description="pending, verified or rejected")
    challenge: str | None = Field(description="while pending: the text the address signs (EIP-191 personal_sign "
                                              "on EVM chains, Bitcoin Core's signmessage on Bitcoin)")
    verified_by: str | None
    evidence: str | None
    added_at: str
    verified_at: str | None


class ControlsOut(BaseModel):
    """An organisation's control claims."""

    controls: list[ControlOut]


class ProofIn(BaseModel):
    """The address's signature over its claim's challenge."""

    chain: ChainIn
    address: AddressIn
    signature: str = Field(min_length=1, max_length=4000, description="EIP-191 hex, or base64 (legacy or BIP-322)")


class ReviewIn(BaseModel):
    """A server-admin's decision on a pending claim, with its reason (kept and audited)."""

    org: str = Field(min_length=1, max_length=100)
    chain: ChainIn
    address: AddressIn
    decision: str = Field(pattern="^(approve|reject)$")
    reason: str = Field(min_length=3, max_length=1000)
