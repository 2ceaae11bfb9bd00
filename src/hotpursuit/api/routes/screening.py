"""Screening: one address, one transaction, a batch; and the authenticated no-op they are measured
against. Answers come from the in-memory index; answers revealing non-CLEAR data are audited. Answers
are serialised with orjson (FastAPI's generic encoder costs more than the screening itself); their
models document them and schemathesis checks they hold."""

from __future__ import annotations

import re
from dataclasses import asdict

import orjson
from fastapi import APIRouter
from fastapi.responses import Response

from hotpursuit.api.deps import AnyKey, Screener, State
from hotpursuit.api.inputs import known_chain
from hotpursuit.api.models.common import AddressPath, ChainPath
from hotpursuit.api.models.errors import ERRORS, NOT_FOUND
from hotpursuit.api.models.screening import BatchOut, BatchRequest, PingOut, ScreeningOut, TxScreeningOut
from hotpursuit.api.screening_answers import screen_address, screen_addresses
from hotpursuit.errors import InvalidInput, NotFound
from hotpursuit.store.summary import addresses_in_tx

router = APIRouter(tags=["screening"])
TX_HASH = re.compile(r"(0x)?[0-9a-fA-F]{64}")


def _json(data: object) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


@router.get("/v1/ping", response_model=PingOut, responses=ERRORS)
async def ping(who: AnyKey) -> Response:
    """Authenticated, does nothing: the baseline for the screening benchmark."""
    return _json({"org": who.org_id})


@router.get("/v1/screen/{chain}/{address}", response_model=ScreeningOut, responses=ERRORS)
async def screen(chain: ChainPath, address: AddressPath, who: Screener, state: State) -> Response:
    """Risk, categories, reasons, and the claims and exposure the caller may see about one address."""
    return _json(asdict(screen_address(state, who, chain, address)))


@router.get("/v1/screen/{chain}/tx/{tx_hash}", response_model=TxScreeningOut, responses=NOT_FOUND)
async def screen_tx(chain: ChainPath, tx_hash: str, who: Screener, state: State) -> Response:
    """Every address a transaction moved value between, screened; the transaction's risk is the worst."""
    known_chain(state, chain)
    if not TX_HASH.fullmatch(tx_hash):
        raise InvalidInput("tx_hash: want 64 hex digits (0x-prefixed for EVM chains)")
    wanted = tx_hash.lower()
    addresses = addresses_in_tx(state.store, chain, wanted)
    if not addresses:
        raise NotFound(f"tx_hash: transaction {wanted} is not in the store for chain {chain}")
    results = [asdict(state.index.screen(chain, a, who.org_id, who.sharing_group)) for a in addresses]
    if any(c["tlp"] != "CLEAR" for r in results for c in r["direct"]) or any(r["indirect"] for r in results):
        state.audit.append(who.org_id, "screen-tx", f"{chain}:{wanted}")
    worst = max(results, key=lambda r: r["score"])
    return _json({"chain": chain, "tx": wanted, "risk": worst["risk"], "score": worst["score"],
                  "addresses": results})


@router.post("/v1/screen/batch", response_model=BatchOut, responses=ERRORS)
async def screen_batch(body: BatchRequest, who: Screener, state: State) -> Response:
    """Up to 100,000 addresses at once. Only addresses with a finding are listed (`flagged`): a score, a
    withheld claim, or a category that scores nothing but must be seen (a `poisoning` look-alike, risk
    none: never paid, never frozen); invalid ones are listed with the reason, and do not fail the batch."""
    batch = await screen_addresses(state, who, body.chain, body.addresses)
    flagged = [{"address": a, "risk": v.risk, "score": v.score, "categories": v.categories,
                "withheld": v.withheld, "withheld_scored": v.withheld_scored} for a, v in batch.flagged]
    invalid = [{"index": i, "address": text[:100], "reason": reason[:200]} for i, text, reason in batch.invalid]
    return _json({"chain": body.chain, "screened": batch.screened, "flagged": flagged, "invalid": invalid})
