"""The search box and the transaction page. The box takes an incident id (its board, if the caller may
see it), an address (its page), a transaction hash (its page: every value movement, in human units) or
a label or actor's name (the addresses whose claims the caller may see carry it). Anything hidden from
the caller answers as nothing found."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from hotpursuit.api.deps import State, has_scope
from hotpursuit.api.visibility import visible_labelled
from hotpursuit.chains.address_codec import guess_chain
from hotpursuit.chains.readable import at_block, explorer_url, human
from hotpursuit.store.address_page import block_times, tx_chains, tx_transfers, utxo_tx
from hotpursuit.store.asset_units import AssetReader
from hotpursuit.web.pages import HEADERS, page, readable_incident, refusal, signed_in, to_login, ui_text

router = APIRouter(include_in_schema=False)
TX_HASH = re.compile(r"^(0x)?[0-9a-f]{64}$")
CHAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


@router.get("/ui/search")
async def search(request: Request, state: State, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    found = signed_in(request, state)
    if found is None:
        return to_login()
    session, who = found
    _ = ui_text(request)
    text = q.strip()
    if readable_incident(state, text, who) is not None:
        return RedirectResponse(f"/ui/incidents/{quote(text)}", status_code=303, headers=HEADERS)
    if TX_HASH.match(text.lower()):  # 0x-prefixed on account chains, bare on UTXO chains: both are tried
        bare = text.lower().removeprefix("0x")
        stored = [(c, tx) for tx in ("0x" + bare, bare) for c in tx_chains(state.store, tx)]
        if len(stored) == 1:
            return RedirectResponse(f"/ui/txs/{stored[0][0]}/{stored[0][1]}", status_code=303, headers=HEADERS)
    chain = guess_chain(text)
    if chain is not None:
        return RedirectResponse(f"/ui/addresses/{chain}/{quote(text)}", status_code=303, headers=HEADERS)
    matches = visible_labelled(state, text, who) if len(text) >= 3 and has_scope(who, "read") else []
    if not matches:
        return refusal(request, found, 404, _("Search"), _(
            "Nothing you may see matches %(text)s: give an address, a transaction hash, a label (three letters or "
            "more) or an incident id.", text=repr(text)))
    return page(request, "search.html", title=_("Search"), who=who, csrf=session.csrf, text=text, matches=matches)


@router.get("/ui/txs/{chain}/{tx_hash}")
async def tx_view(chain: str, tx_hash: str, request: Request, state: State) -> Response:
    """A transaction's value movements in the asset's units, its block and time, and the notes on it."""
    found = signed_in(request, state)
    if found is None:
        return to_login()
    session, who = found
    _ = ui_text(request)
    if not has_scope(who, "read"):
        return refusal(request, found, 403, _("Transaction"))
    tx = tx_hash.lower()
    if not CHAIN.match(chain):
        return refusal(request, found, 400, _("Transaction"),
                       _("chain: %(chain)s is not a chain's name", chain=repr(chain[:40])))
    if not TX_HASH.match(tx):
        return refusal(request, found, 400, _("Transaction"),
                       _("tx_hash: %(tx)s is not a transaction hash", tx=repr(tx_hash[:80])))
    reader = AssetReader(state.store)
    moves = tx_transfers(state.store, chain, tx)
    utxo = None if moves else utxo_tx(state.store, chain, tx)
    if not moves and utxo is None:
        return refusal(request, found, 404, _("Transaction"),
                       _("No stored transaction %(tx)s on %(chain)s.", tx=tx, chain=chain))
    if utxo is not None:
        block, ins, outs = utxo
        units = reader.units(chain, "BTC")

        def read(value: int | None) -> str:
            return "" if value is None else human(value, units, "BTC")

        inputs = [{"from": a, "amount": read(v), "raw": "" if v is None else f"{v:,}"} for a, v in ins]
        outputs = [{"to": a, "amount": read(v), "raw": f"{v:,}"} for a, v in outs]
        rows: list[dict[str, str]] = []
    else:
        block, inputs, outputs = moves[0][0], [], []
        rows = [{"from": a, "to": b, "asset": asset, "amount": human(v, reader.units(chain, asset), asset),
                 "raw": f"{v:,}"} for _, a, b, asset, v in moves]
    when = block_times(state.store, chain, [block]).get(block)
    return page(request, "tx.html", title=tx, who=who, csrf=session.csrf, chain=chain, tx=tx, rows=rows,
                inputs=inputs, outputs=outputs, block=at_block(block, when), explorer=explorer_url(chain, "tx", tx))
