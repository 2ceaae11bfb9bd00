"""THORChain-style bridge memos: where a deposit asks to be paid, and which deposit a payout answers.

`SWAP:BTC.BTC:<address>[:limit...]` and its short form `=:BTC.BTC:<address>` (also `s:`) ask the
bridge to pay `<address>` on Bitcoin; `OUT:<inbound tx hash>` marks the payout for that deposit.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotpursuit.chains.btc_address import parse_btc_address
from hotpursuit.errors import InvalidAddress

SWAP_PREFIXES = ("SWAP", "=", "S")
CHAINS_BY_ASSET = {"BTC.BTC": "bitcoin", "B": "bitcoin"}  # "b": THORChain's short code for BTC.BTC


@dataclass(frozen=True, slots=True)
class BridgeDeposit:
    """A router deposit event read from an EVM chain (THORChain router's `Deposit`)."""

    block_number: int
    tx_hash: str
    log_index: int
    router: str
    asset: str
    amount: int
    memo: str


@dataclass(frozen=True, slots=True)
class SwapMemo:
    """The destination a swap memo names."""

    to_chain: str
    to_address: str | None  # None when the memo's address is not a valid address of that chain
    problem: str | None


def parse_swap_memo(memo: str) -> SwapMemo | None:
    """The destination of a swap memo, or None if `memo` is not a swap to a chain we know."""
    parts = memo.split(":")
    if len(parts) < 3 or parts[0].upper() not in SWAP_PREFIXES:
        return None
    chain = CHAINS_BY_ASSET.get(parts[1].upper())
    if chain is None:
        return None
    try:
        return SwapMemo(chain, parse_btc_address(parts[2]).text, None)
    except InvalidAddress as exc:
        return SwapMemo(chain, None, str(exc))


def outbound_reference(memo: str | None) -> str | None:
    """The inbound tx hash an `OUT:<hash>` memo answers, normalised to lowercase 0x-hex."""
    if not memo or not memo.upper().startswith("OUT:"):
        return None
    ref = memo[4:].strip().lower()
    ref = ref[2:] if ref.startswith("0x") else ref
    if len(ref) != 64 or any(c not in "0123456789abcdef" for c in ref):
        return None
    return "0x" + ref
