"""Interdiction routes: an organisation's webhook and controls, freeze requests and their answers,
each incident's board (stolen, traced, at endpoints, requested, frozen, per organisation), and the
live watch's state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from hotpursuit.api.context import ApiContext
from hotpursuit.api.models import ERRORS, NOT_FOUND
from hotpursuit.api.pagination import page
from hotpursuit.chains.address_codec import check_chain, parse_address
from hotpursuit.errors import InvalidAddress
from hotpursuit.store.incident_tables import get_incident
from hotpursuit.store.interdiction_tables import (
    InterdictionError,
    add_control,
    answer_request,
    board,
    freeze_requests,
    set_webhook,
)
from hotpursuit.store.org_tables import Caller


class WebhookIn(BaseModel):
    """Where the organisation receives freeze requests."""

    url: str = Field(min_length=8, max_length=500)


class ControlIn(BaseModel):
    """An address the organisation operates, or a token it issues."""

    chain: str = Field(min_length=1, max_length=32)
    address: str = Field(min_length=1, max_length=128)
    kind: str = Field(pattern="^(hot_wallet|deposit_address|token|bridge)$")


class AnswerIn(BaseModel):
    """The organisation's answer to a freeze request."""

    status: str = Field(pattern="^(accepted|partial|declined)$")
    amount_frozen: str = Field(pattern="^[0-9]{1,78}$", description="base units, as a decimal string")
    reason: str | None = Field(default=None, max_length=1000)


def interdiction_router(ctx: ApiContext) -> APIRouter:
    """The interdiction routes over `ctx`."""
    router = APIRouter()
    read_scope, write_scope, admin_scope = ctx.scoped("read"), ctx.scoped("write"), ctx.scoped("admin")

    @router.put("/v1/orgs/me/webhook", responses=ERRORS)
    async def webhook(body: WebhookIn, who: Caller = Depends(admin_scope)) -> dict[str, str]:
        """Set the caller's webhook; the answer holds the new shared secret, shown once."""
        try:
            secret = set_webhook(ctx.store, who.org_id, body.url)
        except InterdictionError as exc:
            raise HTTPException(400, str(exc)) from exc
        ctx.audit.append(who.org_id, "set-webhook", body.url)
        return {"org": who.org_id, "url": body.url, "secret": secret}

    @router.post("/v1/orgs/me/controls", status_code=201, responses=ERRORS)
    async def control(body: ControlIn, who: Caller = Depends(admin_scope)) -> dict[str, str]:
        """Declare an address the caller operates or a token it issues (it will be asked to freeze there)."""
        check_chain(body.chain, ctx.index.chains())  # UnknownChain: a 400 naming the known chains
        try:
            address = parse_address(body.chain, body.address)
            add_control(ctx.store, who.org_id, body.chain, address, body.kind)
        except (InvalidAddress, InterdictionError) as exc:
            raise HTTPException(400, f"address: {exc}" if isinstance(exc, InvalidAddress) else str(exc)) from exc
        ctx.audit.append(who.org_id, "add-control", f"{body.chain}:{address} {body.kind}")
        if ctx.watch is not None:
            ctx.watch.invalidate()
        return {"org": who.org_id, "chain": body.chain, "address": address, "kind": body.kind}

    def incident_visible(incident_id: str, who: Caller) -> bool:
        found = get_incident(ctx.store, incident_id)
        return found is not None and ctx.may_see(found.tlp, found.owner_org, who)

    @router.get("/v1/freeze-requests", responses=ERRORS)
    async def requests(incident: str | None = Query(None, max_length=200), limit: int = Query(100, ge=1, le=1000),
                       offset: int = Query(0, ge=0), cursor: str | None = Query(None, max_length=400),
                       who: Caller = Depends(read_scope)) -> dict[str, Any]:
        """Requests addressed to the caller, and those of incidents the caller may see; oldest first; `next`
        is the cursor of the next page."""
        rows = [r for r in freeze_requests(ctx.store, incident=incident)
                if r["org"] == who.org_id or incident_visible(str(r["incident"]), who)]
        if rows:
            ctx.audit.append(who.org_id, "read-freeze-requests", f"{len(rows)} requests")
        chosen, after = page(rows, lambda r: str(r["id"]), limit=limit, offset=offset, cursor=cursor)
        return {"total": len(rows), "offset": offset, "limit": limit, "next": after, "requests": chosen}

    @router.post("/v1/freeze-requests/{request_id}/answer", responses=NOT_FOUND)
    async def answer(request_id: str, body: AnswerIn, who: Caller = Depends(write_scope)) -> dict[str, str]:
        """Answer a request addressed to the caller: accepted (with the amount frozen), partial, declined."""
        # NotFound (no such request for the caller) -> 404, InterdictionError -> 400: by class, in api/errors.py
        answer_request(ctx.store, request_id, who.org_id, body.status, int(body.amount_frozen), body.reason)
        ctx.audit.append(who.org_id, "answer-freeze-request", f"{request_id} {body.status} {body.amount_frozen}")
        return {"id": request_id, "status": body.status, "amount_frozen": body.amount_frozen}

    @router.get("/v1/incidents/{incident_id}/board", responses=NOT_FOUND)
    async def incident_board(incident_id: str, who: Caller = Depends(read_scope)) -> dict[str, Any]:
        """Stolen, traced (entered, at endpoints, burned, held), requested and frozen per organisation."""
        if not incident_visible(incident_id, who):
            raise HTTPException(404, f"no incident {incident_id!r} visible to {who.org_id}")
        out = board(ctx.store, incident_id)
        out["traced"] = None if ctx.watch is None else ctx.watch.stats.totals.get(incident_id)
        if out["traced"]:  # the live trace counts the loot once, whatever the sources overlap
            out["stolen"] = {a: t["stolen"] for a, t in out["traced"].items() if int(t.get("stolen", 0))}
        totals: dict[str, dict[str, int]] = {}
        for row in out["organisations"]:
            t = totals.setdefault(row["asset"], {"requested": 0, "frozen": 0})
            t["requested"] += int(row["requested"])
            t["frozen"] += int(row["frozen"])
        out["totals"] = {a: {k: str(v) for k, v in t.items()} for a, t in sorted(totals.items())}
        return out

    @router.get("/v1/watch", responses=ERRORS)
    async def watch(who: Caller = Depends(read_scope)) -> dict[str, Any]:
        """The live watch: blocks processed, requests, retractions, reorgs, last block."""
        if ctx.watch is None:
            return {"running": False}
        s = ctx.watch.stats
        return {"running": True, "chain": ctx.watch.chain, "blocks": s.blocks, "requests": s.requests,
                "retractions": s.retractions, "reorgs": s.reorgs, "last_block": s.last_block,
                "bitcoin_block": s.bitcoin_block}

    return router

