"""An independent reference computation of the haircut taint model over the drill's ledger. Pure.

Rule (the one the trace engine must match): movements are taken in chain order (block, tx index,
movement index). Each address holds, per asset, a balance and a tainted part. A movement of `v` from
an address with balance `b` and tainted part `t` carries `floor(v * t / b)` taint (integers; the
remainder stays behind, so taint is conserved exactly). The theft movement carries all of its value
as taint. A service address (exchange deposit or hot wallet, DEX pool, bridge) is an endpoint: taint
that reaches it is recorded there and goes no further. A swap (an address pays asset A into a pool
and gets asset B back in the same transaction) taints the B received in proportion:
`floor(w * t_in / v_in)`. Whatever taint non-service addresses hold at the end are holdings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from hotpursuit.drill.ledger import LedgerEntry


@dataclass(frozen=True)
class Service:
    """An address that ends a trace: who runs it and what it is."""

    kind: str  # exchange_deposit | exchange_hot_wallet | dex_pool | bridge_router | bridge_vault
    owner: str


@dataclass
class HaircutResult:
    """Endpoint receipts and final holdings, in base units."""

    endpoint_taint: dict[tuple[str, str], int] = field(default_factory=dict)
    endpoint_first_block: dict[tuple[str, str], int] = field(default_factory=dict)
    endpoint_arrivals: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (address, asset, block)
    holder_first_block: dict[tuple[str, str], int] = field(default_factory=dict)  # first tainted arrival
    memo_taint: dict[str, int] = field(default_factory=dict)  # bridge tx hash -> tainted ETH
    holdings: dict[tuple[str, str], int] = field(default_factory=dict)
    stolen: dict[str, int] = field(default_factory=dict)


def haircut_reference(
    entries: Iterable[LedgerEntry],
    initial_balances: dict[tuple[str, str], int],
    theft_tx_hashes: set[str],
    services: dict[str, Service],
) -> HaircutResult:
    """Run the haircut model over `entries` (sorted here by chain order)."""
    balance: dict[tuple[str, str], int] = defaultdict(int, initial_balances)
    taint: dict[tuple[str, str], int] = defaultdict(int)
    result = HaircutResult()
    # per tx: what each address paid into a pool (asset, amount, taint), for swaps
    paid_to_pool: dict[tuple[str, str], tuple[int, int]] = {}
    current_tx = ""
    for entry in sorted(entries, key=lambda e: e.order):
        if entry.tx_hash != current_tx:
            current_tx = entry.tx_hash
            paid_to_pool.clear()
        m = entry.move
        src, dst, asset, v = m.from_address, m.to_address, m.asset, m.amount
        src_key, dst_key = (src, asset), (dst, asset)
        if entry.tx_hash in theft_tx_hashes:
            moved = v
            result.stolen[asset] = result.stolen.get(asset, 0) + v
            taint[src_key] = max(0, taint[src_key] - v)
        elif src in services or src == "0x" + "00" * 20:
            moved = 0
        else:
            b, t = balance[src_key], taint[src_key]
            moved = v * t // b if b > 0 else 0
            taint[src_key] = t - moved
        if src != "0x" + "00" * 20:
            balance[src_key] -= v
        balance[dst_key] += v
        service = services.get(dst)
        if service is not None:
            if moved:
                result.endpoint_taint[dst_key] = result.endpoint_taint.get(dst_key, 0) + moved
                result.endpoint_first_block.setdefault(dst_key, entry.block_number)
                arrival = (dst, asset, entry.block_number)
                result.endpoint_arrivals[arrival] = result.endpoint_arrivals.get(arrival, 0) + moved
            if service.kind == "dex_pool":
                paid_to_pool[(entry.tx_hash, src)] = (v, moved)
            if service.kind == "bridge_router" and moved:
                result.memo_taint[entry.tx_hash] = result.memo_taint.get(entry.tx_hash, 0) + moved
            continue
        swap_in = paid_to_pool.get((entry.tx_hash, dst)) if src in services else None
        if swap_in is not None and services[src].kind == "dex_pool":
            v_in, t_in = swap_in
            taint[dst_key] += v * t_in // v_in if v_in else 0
        else:
            taint[dst_key] += moved
        if taint[dst_key] > 0:
            result.holder_first_block.setdefault(dst_key, entry.block_number)
    result.holdings = {k: t for k, t in taint.items() if t > 0 and k[0] not in services}
    return result
