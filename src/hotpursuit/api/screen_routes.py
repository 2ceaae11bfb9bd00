"""Screening routes: one address, one transaction, a batch; and the empty endpoint they are measured
against. Answers come from the in-memory index; answers revealing non-CLEAR data are audited."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

import orjson
from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from hotpursuit.api.context import ApiContext
from hotpursuit.api.models import ERRORS, NOT_FOUND, BatchRequest, ScreeningOut
from hotpursuit.chains.address_codec import check_chain, parse_address, parse_addresses
from hotpursuit.errors import InvalidAddress, UnknownChain
from hotpursuit.store.org_tables import Caller
from hotpursuit.store.summary import addresses_in_tx

TX_HASH = re.compile(r"(0x)?[0-9a-fA-F]{64}")


def screening_router(ctx: ApiContext) -> APIRouter:
    """The screening routes over `ctx`."""
    router = APIRouter()
    screen_scope = ctx.scoped("screen")

    def known(chain: str) -> str:
        """The chain, if a codec or the index knows it: a misspelt chain never answers risk none."""
        try:
            return check_chain(chain, ctx.index.chains())
        except UnknownChain as exc:
            raise HTTPException(400, f"chain: {exc}") from exc

    @router.get("/v1/ping", responses=ERRORS)
    async def ping(who: Caller = Depends(ctx.caller)) -> dict[str, str]:
        """Authenticated, does nothing: the baseline for the screening benchmark."""
        return {"org": who.org_id}

    @router.get("/v1/screen/{chain}/{address}", response_model=ScreeningOut, responses=ERRORS)
    async def screen(chain: str, address: str, who: Caller = Depends(screen_scope)) -> Response:
        """Risk, categories, reasons, and the claims and exposure the caller may see about one address."""
        try:
            normalized = parse_address(known(chain), address)
        except InvalidAddress as exc:
            raise HTTPException(400, f"address: {exc}") from exc
        result = ctx.index.screen(chain, normalized, who.org_id, who.sharing_group)
        if any(c["tlp"] != "CLEAR" for c in result.direct) or result.indirect:
            ctx.audit.append(who.org_id, "screen", f"{chain}:{normalized}")
        return Response(orjson.dumps(asdict(result)), media_type="application/json")

    @router.get("/v1/screen/{chain}/tx/{tx_hash}", responses=NOT_FOUND)
    async def screen_tx(chain: str, tx_hash: str, who: Caller = Depends(screen_scope)) -> dict[str, Any]:
        """Every address a transaction moved value between, screened; the transaction's risk is the worst."""
        known(chain)
        if not TX_HASH.fullmatch(tx_hash):
            raise HTTPException(400, "tx_hash: want 64 hex digits (0x-prefixed for EVM chains)")
        wanted = tx_hash.lower()
        addresses = addresses_in_tx(ctx.store, chain, wanted)
        if not addresses:
            raise HTTPException(404, f"tx_hash: transaction {wanted} is not in the store for chain {chain}")
        results = [asdict(ctx.index.screen(chain, a, who.org_id, who.sharing_group)) for a in addresses]
        if any(c["tlp"] != "CLEAR" for r in results for c in r["direct"]) or any(r["indirect"] for r in results):
            ctx.audit.append(who.org_id, "screen-tx", f"{chain}:{wanted}")
        worst = max(results, key=lambda r: r["score"])
        return {"chain": chain, "tx": wanted, "risk": worst["risk"], "score": worst["score"], "addresses": results}

    @router.post("/v1/screen/batch", responses=ERRORS)
    async def screen_batch(body: BatchRequest, who: Caller = Depends(screen_scope)) -> Response:
        """Up to 100,000 addresses at once. Only addresses with a finding are listed (`flagged`): a
        score, a withheld claim, or a category that scores nothing but must be seen (a `poisoning`
        look-alike, risk none: never paid, never frozen); invalid ones are listed with the reason, and do
        not fail the batch."""
        valid, bad = parse_addresses(known(body.chain), body.addresses)
        verdicts = ctx.index.verdicts(body.chain, valid, who.org_id, who.sharing_group)
        flagged = [{"address": a, "risk": v.risk, "score": v.score, "categories": v.categories,
                    "withheld": v.withheld, "withheld_scored": v.withheld_scored}
                   for a, v in verdicts if v.score or v.withheld or v.categories]
        ctx.audit.append(who.org_id, "screen-batch", f"{body.chain}: {len(body.addresses)} addresses")
        invalid = [{"index": i, "address": text[:100], "reason": reason[:200]} for i, text, reason in bad]
        # serialised with orjson: FastAPI's generic encoder costs more than the screening itself
        return Response(orjson.dumps({"chain": body.chain, "screened": len(body.addresses), "flagged": flagged,
                                      "invalid": invalid}), media_type="application/json")

    return router
