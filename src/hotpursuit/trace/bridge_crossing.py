"""Carrying taint across a bridge: the taint a deposit brought to the bridge becomes taint on its payout
on the other chain, in proportion. Pure.

For a deposit of `amount_in` (source chain units) that brought `t_in` tainted units to the bridge, and
its payout of `amount_out` (destination units): the payout output carries `floor(amount_out * t_in /
amount_in)`. The bridge's fees and exchange rate thus scale the taint like everything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotpursuit.trace.utxo_taint import Outpoint


@dataclass(frozen=True, slots=True)
class BridgeCrossing:
    """A completed bridge link: the deposit tx and its payout output."""

    from_tx: str
    amount_in: int
    payout: Outpoint
    amount_out: int


def crossing_seeds(crossings: list[BridgeCrossing], taint_in: dict[str, int]) -> dict[Outpoint, int]:
    """Tainted amount of each payout output, from the taint each deposit tx brought to the bridge."""
    seeds: dict[Outpoint, int] = {}
    for c in crossings:
        t = taint_in.get(c.from_tx, 0)
        if t and c.amount_in:
            seeds[c.payout] = seeds.get(c.payout, 0) + c.amount_out * min(t, c.amount_in) // c.amount_in
    return seeds


def bridge_entries(flows: dict[tuple[str, str, str, str], int], bridges: set[str]) -> dict[str, int]:
    """The taint each transaction brought into a bridge, from an account trace's flows
    ((from, to, asset, tx) -> taint)."""
    entered: dict[str, int] = {}
    for (_, to, _, tx), taint in flows.items():
        if to in bridges:
            entered[tx] = entered.get(tx, 0) + taint
    return entered
