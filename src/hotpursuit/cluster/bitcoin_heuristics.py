"""Bitcoin clustering heuristics over per-transaction records. Pure.

Multi-input (common-input-ownership): the addresses that sign the inputs of one transaction are
controlled by one entity, unless the transaction looks like a CoinJoin, where many people sign
together. Rules used to skip CoinJoins (documented, deliberately conservative: a batch payout with
three equal outputs is skipped too; skipping costs a missed link, never a false one):
  * Whirlpool (Samourai): 5 inputs, 5 outputs, all outputs equal and in a pool denomination
    (0.001, 0.01, 0.05 or 0.5 BTC);
  * Wasabi: at least 10 outputs sharing one value (1.x: about 0.1 BTC; 2.x: standard denominations),
    from at least 5 distinct input addresses;
  * JoinMarket and other equal-output joins: at least 3 outputs share one value, the inputs come
    from at least that many distinct addresses, and those equal outputs are at least a third of all
    outputs.
One-time change (optional, lower confidence): in a non-CoinJoin transaction with exactly two
payment outputs, when exactly one of them goes to an address never seen before and of the same
script type as every input, that one is the change and belongs to the spender.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

WHIRLPOOL_POOLS = frozenset({100_000, 1_000_000, 5_000_000, 50_000_000})
MULTI_INPUT_CONFIDENCE = 90
CHANGE_CONFIDENCE = 50


@dataclass(frozen=True, slots=True)
class TxView:
    """What the heuristics need of one transaction."""

    tx_hash: str | None
    input_addresses: tuple[str, ...]  # in input order; inputs without an address are left out
    outputs: tuple[tuple[str | None, int], ...]  # (address or None for OP_RETURN / non-standard, value)
    fresh_outputs: frozenset[int] = frozenset()  # indexes of outputs whose address first appears here


@dataclass(frozen=True, slots=True)
class Link:
    """An edge of the clustering with why it was made."""

    a: str
    b: str
    reason: str
    confidence: int
    tx_hash: str | None


def coinjoin_kind(tx: TxView) -> str | None:
    """The CoinJoin pattern a transaction matches, or None."""
    values = [v for a, v in tx.outputs if a is not None]
    distinct_inputs = len(set(tx.input_addresses))
    if not values or distinct_inputs < 2:
        return None
    value, equal = Counter(values).most_common(1)[0]
    if len(tx.input_addresses) == 5 and len(values) == 5 and equal == 5 and value in WHIRLPOOL_POOLS:
        return "whirlpool"
    if equal >= 10 and distinct_inputs >= 5:
        return "wasabi"
    if equal >= 3 and distinct_inputs >= equal and equal * 3 >= len(values):
        return "equal-output coinjoin"
    return None


def multi_input_links(tx: TxView) -> list[Link]:
    """Links between the first input address and every other one (none for a CoinJoin)."""
    addresses = list(dict.fromkeys(tx.input_addresses))
    if len(addresses) < 2 or coinjoin_kind(tx) is not None:
        return []
    first = addresses[0]
    return [Link(first, other, "multi-input", MULTI_INPUT_CONFIDENCE, tx.tx_hash) for other in addresses[1:]]


def script_kind(address: str) -> str:
    """The script type an address pays (from its form)."""
    if address.startswith(("bc1p", "tb1p", "bcrt1p")):
        return "p2tr"
    if address.startswith(("bc1q", "tb1q", "bcrt1q")):
        return "p2wpkh" if len(address) in (42, 43, 44) else "p2wsh"
    return "p2sh" if address.startswith(("3", "2")) else "p2pkh"


def change_link(tx: TxView) -> Link | None:
    """The one-time-change link of a transaction, if the rule applies (see the module docstring)."""
    payments = [(i, a) for i, (a, _) in enumerate(tx.outputs) if a is not None]
    if len(payments) != 2 or not tx.input_addresses or coinjoin_kind(tx) is not None:
        return None
    fresh = [(i, a) for i, a in payments if i in tx.fresh_outputs]
    if len(fresh) != 1:
        return None
    change = fresh[0][1]
    kinds = {script_kind(a) for a in tx.input_addresses}
    if kinds != {script_kind(change)} or change in tx.input_addresses:
        return None
    return Link(tx.input_addresses[0], change, "one-time change", CHANGE_CONFIDENCE, tx.tx_hash)
