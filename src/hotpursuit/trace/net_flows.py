"""Swaps by net flows: one transaction's movements to its net flow per (address, asset) and its swappers. Pure.

Net flow of (address, asset) = received - paid over the transaction's movements. A mint (a token
movement whose sender is the zero address) counts as paid by the token contract itself; a burn (a
token movement to the zero address) as received by it. So WETH9's wrap (ETH in, WETH minted out) makes
the WETH contract a swapper of ETH for WETH, and net flows sum to zero per asset.

A swapper is an address with a net outflow of some asset X and a net inflow of another asset Y. A
transaction's swaps are valid only if it has at least two swappers: a real swap has a counterparty
venue (a pool, WETH, a staking token) that is itself a swapper. With one swapper (a thief minting
himself a worthless token beside a plain transfer) nothing in the transaction is a swap, unless the data
shows it trading with a known venue (`lone_swap_with_venue`): that is a swap seen through one address's
explorer exports, where the venues' other legs are not in the data (Uniswap V2's router has the seller
pay the pair and pays the ETH out itself).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
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


def lone_swap_with_venue(swappers: Sequence[Swapper], movements: Sequence[Movement],
                         venues: Collection[str], signer: str | None = None) -> list[Swap]:
    """A transaction's only swapper, as a swap, when the data shows it trading with a known venue: it
    received an asset it bought from a venue (a router paying out ETH), or it signed the transaction and
    paid an asset it sold to a venue (ETH into a router, the pool paying the token out). Else nothing: a
    venue (or an unlabelled pool paying a router in a transaction someone else signed) as the lone swapper
    is a swap whose trader's return leg is missing. The venues it traded with are named."""
    if len(swappers) != 1 or not venues or swappers[0][0] in venues:
        return []
    address, sold, bought = swappers[0]
    bought_assets = {a for a, _ in bought}
    touched = {m.sender for m in movements
               if m.receiver == address and m.asset in bought_assets and m.sender in venues}
    if signer == address:
        sold_assets = {a for a, _ in sold}
        touched |= {m.receiver for m in movements
                    if m.sender == address and m.asset in sold_assets and m.receiver in venues}
    if not touched:
        return []
    return [Swap(movements[0].tx_hash, address, sold, bought, tuple(sorted(touched)))]
