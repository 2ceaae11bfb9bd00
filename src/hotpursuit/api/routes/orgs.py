"""The caller organisation's own settings: where it receives freeze requests (webhook), and the addresses
it operates and tokens it issues (where it will be asked to freeze)."""

from __future__ import annotations

from fastapi import APIRouter

from hotpursuit.api.deps import Admin, State
from hotpursuit.api.inputs import address_of
from hotpursuit.api.models.errors import ERRORS
from hotpursuit.api.models.orgs import ControlIn, ControlOut, WebhookIn, WebhookOut
from hotpursuit.store.interdiction_tables import add_control, set_webhook

router = APIRouter(tags=["organisations"])


@router.put("/v1/orgs/me/webhook", response_model=WebhookOut, responses=ERRORS)
async def webhook(body: WebhookIn, who: Admin, state: State) -> WebhookOut:
    """Set the caller's webhook; the answer holds the new shared secret, shown once."""
    secret = set_webhook(state.store, who.org_id, body.url)  # InterdictionError: a 400 by its class
    state.audit.append(who.org_id, "set-webhook", body.url)
    return WebhookOut(org=who.org_id, url=body.url, secret=secret)


@router.post("/v1/orgs/me/controls", status_code=201, response_model=ControlOut, responses=ERRORS)
async def control(body: ControlIn, who: Admin, state: State) -> ControlOut:
    """Declare an address the caller operates or a token it issues (it will be asked to freeze there)."""
    address = address_of(state, body.chain, body.address)
    add_control(state.store, who.org_id, body.chain, address, body.kind)
    state.audit.append(who.org_id, "add-control", f"{body.chain}:{address} {body.kind}")
    state.watch_changed()
    return ControlOut(org=who.org_id, chain=body.chain, address=address, kind=body.kind)
