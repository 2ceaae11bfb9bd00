"""Freeze requests: the list an organisation may see, and its answers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hotpursuit.api.models.common import Amount


class DeliveryOut(BaseModel):
    """The webhook delivery of a request."""

    status: str | None
    attempts: int | None
    last_error: str | None
    delivered_at: str | None


class FreezeRequestOut(BaseModel):
    """One signed request to freeze what reached an address."""

    id: str
    incident: str
    org: str
    chain: str
    address: str
    asset: str
    amount: Amount
    symbol: str | None = Field(description="the asset's symbol (how `amount` is read)")
    decimals: int | None = Field(description="the asset's decimals (null: unknown)")
    block_number: int | None
    block_hash: str | None
    requested_by: str | None
    deadline: str | None
    status: str
    amount_frozen: Amount | None
    reason: str | None
    created_at: str
    answered_at: str | None
    delivery: DeliveryOut


class FreezeRequestsPage(BaseModel):
    """Requests oldest first; `next` is the cursor of the next page."""

    total: int
    offset: int
    limit: int
    next: str | None
    requests: list[FreezeRequestOut]


class AnswerIn(BaseModel):
    """The organisation's answer to a freeze request."""

    status: str = Field(pattern="^(accepted|partial|declined)$")
    amount_frozen: Amount
    reason: str | None = Field(default=None, max_length=1000)


class AnswerOut(BaseModel):
    """The answer recorded."""

    id: str
    status: str
    amount_frozen: Amount
