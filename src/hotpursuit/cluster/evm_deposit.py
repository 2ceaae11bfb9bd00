"""The EVM deposit-address heuristic. Pure.

An exchange gives each customer a deposit address and sweeps what arrives to its hot wallet. So an
address that forwards most of the value it receives to one known exchange hot wallet, each time
within a short window of blocks, is that exchange's deposit address. Rules:
  * a candidate is any address that is not itself a hot wallet;
  * an inflow (one transfer of one asset to the candidate) counts as forwarded when the candidate
    sends the same asset to a hot wallet of exchange E in the inflow's block or within `window`
    blocks after it;
  * the candidate is E's deposit address when forwarded inflows carry at least `min_share` of its
    inflow value, counted per asset and added up over assets as shares (so a token with 6 decimals
    weighs as much as ETH with 18);
  * a candidate whose forwards go to two exchanges is left alone (ambiguous).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

DEPOSIT_CONFIDENCE = 70


@dataclass(frozen=True, slots=True)
class Move:
    """One transfer of value."""

    block: int
    sender: str
    receiver: str
    asset: str
    amount: int
    tx_hash: str


@dataclass(frozen=True, slots=True)
class DepositAddress:
    """A deposit address found, with the evidence."""

    address: str
    exchange: str
    hot_wallet: str
    share: float  # forwarded share of inflows, 0..1 (a ratio, not an amount)
    forwards: int
    example_tx: str


def find_deposit_addresses(moves: list[Move], hot_wallets: dict[str, str], *, window: int = 100,
                           min_share: float = 0.5) -> list[DepositAddress]:
    """Deposit addresses among the receivers of `moves`; `hot_wallets` maps hot wallet -> exchange."""
    inflows: dict[str, list[Move]] = defaultdict(list)
    forwards: dict[tuple[str, str], list[Move]] = defaultdict(list)  # (candidate, asset)
    for m in moves:
        if m.receiver in hot_wallets and m.sender not in hot_wallets:
            forwards[(m.sender, m.asset)].append(m)
        if m.receiver not in hot_wallets:
            inflows[m.receiver].append(m)
    found = []
    for candidate, received in sorted(inflows.items()):
        exchanges: dict[str, tuple[str, str]] = {}
        totals: dict[str, int] = defaultdict(int)
        forwarded: dict[str, int] = defaultdict(int)
        for m in received:
            totals[m.asset] += m.amount
            for f in forwards.get((candidate, m.asset), []):
                if m.block <= f.block <= m.block + window:
                    forwarded[m.asset] += m.amount
                    exchanges[hot_wallets[f.receiver]] = (f.receiver, f.tx_hash)
                    break
        if len(exchanges) != 1 or not totals:
            continue
        share = sum(forwarded[a] / totals[a] for a in totals if totals[a]) / len(totals)
        if share >= min_share:
            exchange, (hot, tx) = next(iter(exchanges.items()))
            n = sum(len(forwards.get((candidate, a), [])) for a in totals)
            found.append(DepositAddress(candidate, exchange, hot, share, n, tx))
    return found
