"""Swaps by net flows: one transaction's movements to its net flow per (address, asset) and its swappers. Pure.

Net flow of (address, asset) = received - paid over the transaction's movements. A mint (a token
movement whose sender is the zero address) counts as paid by the token contract itself; a burn (a
token movement to the zero address) as received by it. So WETH9's wrap (ETH in, WETH minted out) makes
the WETH contract a swapper of ETH for WETH, and net flows sum to zero per asset.

A swapper is an address with a net outflow of some asset X and a net inflow of another asset Y. A
transaction's swaps are valid only if it has at least two swappers: a real swap has a counterparty
venue (a pool, WETH, a staking token) that is itself a swapper. With one swapper (a thief minting
himself a worthless token beside a plain transfer) nothing in the transaction is a swap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hotpursuit.trace.movement import Movement

ZERO_ADDRESS = "0x" + "00" * 20
NATIVE = "ETH"


@dataclass(frozen=True, slots=True)
class Swap:
    """One swapper's net exchange in one transaction."""

    tx_hash: str
    address: str  # who swapped
    sold: tuple[tuple[str, int], ...]  # (asset, net amount paid), amounts > 0, sorted by asset
    bought: tuple[tuple[str, int], ...]  # (asset, net amount received), amounts > 0, sorted by asset
    venues: tuple[str, ...]  # the tx's other swappers (pools, WETH, ...), sorted


def _nets_by_address(movements: Iterable[Movement]) -> dict[str, dict[str, int]]:
    """address -> asset -> received - paid, mints and burns remapped to the token contract."""
    nets: dict[str, dict[str, int]] = {}
    for m in movements:
        amount = m.amount
        if not amount:
            continue
        asset = m.asset
        sender = m.sender
        receiver = m.receiver
        if asset != NATIVE:
            if sender == ZERO_ADDRESS:
                sender = asset
            if receiver == ZERO_ADDRESS:
                receiver = asset
        if sender == receiver:
            continue
        row = nets.get(sender)
        if row is None:
            nets[sender] = {asset: -amount}
        else:
            row[asset] = row.get(asset, 0) - amount
        row = nets.get(receiver)
        if row is None:
            nets[receiver] = {asset: amount}
        else:
            row[asset] = row.get(asset, 0) + amount
    return nets


def net_flows(movements: Iterable[Movement]) -> dict[tuple[str, str], int]:
    """One transaction's movements -> {(address, asset): received - paid}; zero nets are dropped.

    A mint (token movement from the zero address) is paid by the token contract, a burn (token
    movement to the zero address) received by it; native ETH sent to the zero address stays there.
    """
    return {
        (address, asset): net
        for address, row in _nets_by_address(movements).items()
        for asset, net in row.items()
        if net
    }


Swapper = tuple[str, tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]]  # address, sold, bought


def find_swappers(movements: Sequence[Movement]) -> list[Swapper]:
    """Every address of one transaction with a net outflow of one asset and a net inflow of another,
    sorted, whether or not the transaction's swaps are valid (a lone swapper is what a swap looks like
    when its return leg, e.g. the ETH from a WETH withdrawal, is not in the data)."""
    if len(movements) < 2:
        return []
    first_asset = movements[0].asset
    for m in movements:
        if m.asset != first_asset:
            break
    else:
        return []  # one asset only: nobody can have exchanged one thing for another
    swappers: list[Swapper] = []
    for address, row in _nets_by_address(movements).items():
        if len(row) < 2:
            continue
        sold = [(asset, -net) for asset, net in row.items() if net < 0]
        if not sold:
            continue
        bought = [(asset, net) for asset, net in row.items() if net > 0]
        if not bought:
            continue
        sold.sort()
        bought.sort()
        swappers.append((address, tuple(sold), tuple(bought)))
    swappers.sort()
    return swappers


def find_swaps(movements: Sequence[Movement]) -> list[Swap]:
    """One transaction's movements -> its swaps, one per swapper, sorted by address.

    Empty unless the transaction has at least two swappers (addresses with a net outflow of one
    asset and a net inflow of another). Each swap names the other swappers as its venues.
    """
    return swaps_of(find_swappers(movements), movements[0].tx_hash if movements else "")


def swaps_of(swappers: Sequence[Swapper], tx_hash: str) -> list[Swap]:
    """The valid swaps of a transaction's swappers: none unless there are at least two."""
    if len(swappers) < 2:
        return []
    names = [s[0] for s in swappers]
    return [
        Swap(tx_hash, address, sold, bought, tuple(names[:i] + names[i + 1:]))
        for i, (address, sold, bought) in enumerate(swappers)
    ]
