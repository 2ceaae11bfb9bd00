"""One movement of value on an account-model chain, as the taint engines and the swap detector take it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Movement:
    """One movement of value, in chain order by `order`."""

    order: tuple[int, int, int]  # block, tx index, movement index
    tx_hash: str
    sender: str
    receiver: str
    asset: str
    amount: int
