"""The drill's own record of every value movement it caused, in chain order."""

from __future__ import annotations

from dataclasses import dataclass

ETH = "ETH"
ZERO = "0x" + "00" * 20  # mints come from it: they debit no one


@dataclass(frozen=True, slots=True)
class Move:
    """One planned or observed movement inside a transaction (seq orders it within the tx)."""

    seq: int
    kind: str  # native | internal | erc20
    from_address: str
    to_address: str
    asset: str
    amount: int


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A movement placed on chain: block, position in the block, and the tx's purpose."""

    block_number: int
    tx_index: int
    tx_hash: str
    purpose: str
    memo: str | None
    move: Move

    @property
    def order(self) -> tuple[int, int, int]:
        """Chain order: block, transaction, movement within the transaction."""
        return (self.block_number, self.tx_index, self.move.seq)
