"""The scam-ring drill's ground truth: the counterfeit exchange and every address the ring controls, each
victim's payments and complaint, the ring's own movements, swaps and cash-out per exchange, the decoy
scam, and the exchanges and venues around them. JSON-ready: amounts are decimal strings of base units,
assets are "ETH" or the token's contract, times are Korean (+09:00)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from hotpursuit.drill.ledger import ETH, LedgerEntry
from hotpursuit.drill.scam_ring import ScamRingDrill
from hotpursuit.drill.victim_complaints import KST, Complaint, Payment

DECOY_SCAM = "Lucky Whale airdrop"  # another scam working beside the ring, not the ring's


def build_scam_ring_truth(drill: ScamRingDrill, complaints: list[Complaint]) -> dict[str, Any]:
    """Describe the scam-ring drill the way its tests and the matching and tracing code need it."""
    r, token = drill.ring, drill.token
    payments, decoy_payments = drill.payments(), drill.decoy_payments()
    ring = set(drill.ring_addresses)
    owner = {fw: name for name, fws in drill.forwarders.items() for fw in fws}
    reported = {c.victim: str(c.report["reference"]) for c in complaints}
    times = drill.block_times
    cash_out, cash_out_txs = _cash_out(drill.ledger, ring, owner)
    decoy_cash_out, _ = _cash_out(drill.ledger, {drill.decoy_collector}, owner)
    paid: dict[str, int] = defaultdict(int)
    won = 0  # what the victims lost in won, at the rates they remember
    for p in payments:
        paid[p.asset] += p.amount
        won += p.amount * (r.krw_per_eth if p.asset == ETH else r.krw_per_husd) // 10**p.decimals
    held = {a: {asset: str(v) for (b, asset), v in sorted(drill.balance.items()) if b == a and v}
            for a in drill.ring_addresses}
    return {
        "seed": r.seed,
        "scenario": "scam-ring",
        "chain": "anvil",
        "first_block": drill.first_block,
        "last_block": drill.last_block,
        "transactions": drill.tx_count,
        "transfers": len(drill.ledger),
        "time_range": {"timezone": "+09:00", "days": r.days, "start_block": drill.scam_first_block,
                       "end_block": drill.last_block, "start": _iso(times[drill.scam_first_block]),
                       "end": _iso(times[drill.last_block]), "start_unix": times[drill.scam_first_block],
                       "end_unix": times[drill.last_block], "first_payment": _iso(payments[0].timestamp),
                       "last_payment": _iso(payments[-1].timestamp)},
        "counterfeit_exchange": {"name": r.app, "imitates": r.imitates, "domain": r.domain,
                                 "website": f"https://{r.domain}", "app": r.app, "app_ko": r.app_ko,
                                 "phones": list(r.phones),
                                 "deposit_addresses": drill.deposits},
        "ring_addresses": drill.ring_addresses,
        "ring_roles": {**{a: "deposit address" for a in drill.deposits},
                       **{a: "consolidator" for a in drill.consolidators},
                       drill.collector: "collector", drill.intermediate: "cash-out intermediate"},
        "consolidators": drill.consolidators,
        "collector": drill.collector,
        "cash_out_intermediates": [drill.intermediate],
        "victims": [{"index": i, "address": a, "reported_as": reported.get(i),
                     "deposit_addresses": sorted({p.paid_to for p in payments if p.victim == i}),
                     "payments": [_payment(p) for p in payments if p.victim == i]}
                    for i, a in enumerate(drill.scam_victims)],
        "reports": {str(c.report["reference"]): {"victim_index": c.victim, "victim": drill.scam_victims[c.victim],
                                                  "tx_hash": c.tx_hash, "found_by": c.facts,
                                                  "distortions": list(c.distortions),
                                                  "language": c.report["language"]} for c in complaints},
        "paid_by_victims": {asset: str(v) for asset, v in sorted(paid.items())},
        "paid_by_victims_krw": won,
        "krw_per_coin": {"ETH": r.krw_per_eth, token: r.krw_per_husd},
        "ring_moves": [_move(e) for e in drill.ledger if e.move.from_address in ring],
        "swaps": [_swap(drill, tx.tx_hash) for tx in drill.ring_swaps],
        "cash_out": cash_out,
        "cash_out_txs": cash_out_txs,
        "held_by_ring": {a: h for a, h in held.items() if h},
        "decoy_scam": {"name": DECOY_SCAM, "deposit_addresses": drill.decoy_deposits,
                       "collector": drill.decoy_collector, "addresses": [*drill.decoy_deposits, drill.decoy_collector],
                       "victims": [{"index": i, "address": a,
                                    "payments": [_payment(p) for p in decoy_payments if p.victim == i]}
                                   for i, a in enumerate(drill.decoy_victims)],
                       "cash_out": decoy_cash_out},
        "stablecoin": {"address": token, "symbol": "HUSD", "decimals": 6, "issuer": drill.issuer,
                       "issuer_name": drill.cfg.issuer_name},
        "exchanges": {name: {"hot_wallet": drill.hot_wallets[name], "operator": drill.exchange_ops[name],
                             "deposit_addresses": drill.forwarders[name]} for name in drill.cfg.exchanges},
        "deposit_address_owner": owner,
        "contracts": {"stablecoin": token, "dex_pool": drill.venues.v2_stable_pair, **drill.venues.contracts()},
        "venues": drill.venues.kinds(),
        "background_addresses": drill.users,
    }


def _iso(timestamp: int) -> str:
    return dt.datetime.fromtimestamp(timestamp, KST).isoformat()


def _payment(p: Payment) -> dict[str, Any]:
    return {"tx_hash": p.tx_hash, "from": p.sender, "deposit_address": p.paid_to, "asset": p.asset,
            "symbol": p.symbol, "amount": str(p.amount), "block": p.block, "timestamp": p.timestamp,
            "paid_at": _iso(p.timestamp)}


def _move(e: LedgerEntry) -> dict[str, Any]:
    m = e.move
    return {"tx_hash": e.tx_hash, "block": e.block_number, "purpose": e.purpose, "from": m.from_address,
            "to": m.to_address, "asset": m.asset, "amount": str(m.amount)}


def _cash_out(ledger: list[LedgerEntry], payers: set[str], owner: dict[str, str]
              ) -> tuple[dict[str, dict[str, dict[str, str]]], list[dict[str, Any]]]:
    """What `payers` paid into exchange deposit addresses: exchange -> deposit address -> asset -> amount."""
    sums: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    txs = []
    for e in ledger:
        m = e.move
        if m.from_address in payers and m.to_address in owner:
            sums[owner[m.to_address]][m.to_address][m.asset] += m.amount
            txs.append({**_move(e), "exchange": owner[m.to_address]})
    return ({name: {fw: {asset: str(v) for asset, v in by.items()} for fw, by in fws.items()}
             for name, fws in sorted(sums.items())}, txs)


def _swap(drill: ScamRingDrill, tx_hash: str) -> dict[str, Any]:
    """The collector's ETH sold and stablecoin bought in one Router02 swap."""
    moves = [e.move for e in drill.ledger if e.tx_hash == tx_hash]
    sold = sum(m.amount for m in moves if m.from_address == drill.collector and m.asset == ETH)
    bought = sum(m.amount for m in moves if m.to_address == drill.collector and m.asset == drill.token)
    block = next(e.block_number for e in drill.ledger if e.tx_hash == tx_hash)
    return {"tx_hash": tx_hash, "block": block, "address": drill.collector, "router": drill.venues.uniswap_v2_router,
            "pair": drill.venues.v2_stable_pair, "sold": {ETH: str(sold)}, "bought": {drill.token: str(bought)}}
