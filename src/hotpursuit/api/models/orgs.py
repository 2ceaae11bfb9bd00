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
    """The control as stored (address normalized)."""

    org: str
    chain: str
    address: str
    kind: str
