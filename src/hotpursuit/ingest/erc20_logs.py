"""Decoding ERC-20 `Transfer(address,address,uint256)` logs and WETH9 `Deposit`/`Withdrawal` logs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak

TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
WETH_DEPOSIT_TOPIC = "0x" + keccak(text="Deposit(address,uint256)").hex()
WETH_WITHDRAWAL_TOPIC = "0x" + keccak(text="Withdrawal(address,uint256)").hex()
_FIELDS = ("address", "address", "uint256")
_ZERO_PAD = "0" * 24
_HEX_WORD = re.compile(r"[0-9a-fA-F]{64}\Z")


@dataclass(frozen=True, slots=True)
class DecodedTransfer:
    """The fields of one ERC-20 Transfer log."""

    token: str
    from_address: str
    to_address: str
    amount: int
    log_index: int


def decode_erc20_transfer(log: dict[str, Any]) -> DecodedTransfer | None:
    """Decode a log if it is an ERC-20 Transfer; None for other events.

    ERC-721 transfers share the topic but index the token id (4 topics, no data): they are not
    fungible value and are left out. A Transfer-topic log whose data is not one uint256, or whose
    indexed addresses carry dirty padding, is not ERC-20 conforming and is left out too
    (ethereum-etl does the same). This is the hot path of ingest, so the three 32-byte words are
    checked and sliced directly; `decode_erc20_transfer_with_eth_abi` is the reference it is
    tested against.
    """
    topics = log.get("topics") or []
    if len(topics) != 3 or str(topics[0]).lower() != TRANSFER_TOPIC:
        return None
    words = (str(topics[1]), str(topics[2]), str(log.get("data", "0x")))
    if any(len(w) != 66 or w[:2] != "0x" or not _HEX_WORD.match(w, 2) for w in words):
        return None
    if words[0][2:26] != _ZERO_PAD or words[1][2:26] != _ZERO_PAD:
        return None
    return DecodedTransfer(
        token=str(log["address"]).lower(),
        from_address="0x" + words[0][26:].lower(),
        to_address="0x" + words[1][26:].lower(),
        amount=int(words[2], 16),
        log_index=_log_index(log),
    )


@dataclass(frozen=True, slots=True)
class DecodedWethEvent:
    """A WETH9-style `Deposit(address indexed dst, uint wad)` or `Withdrawal(address indexed src, uint wad)`."""

    token: str  # the emitting contract
    kind: str  # "deposit" (wrap: ETH in, token minted to `account`) or "withdrawal" (unwrap: token burned)
    account: str  # dst of a deposit, src of a withdrawal
    amount: int
    log_index: int


def decode_weth_event(log: dict[str, Any]) -> DecodedWethEvent | None:
    """Decode a log if it has the shape of WETH9's Deposit or Withdrawal; None otherwise.

    The shape alone proves nothing (any contract may emit a same-signature `Deposit`): the mapper
    turns it into a movement only when the transaction also moved exactly `wad` ETH between the
    account and the emitter.
    """
    topics = log.get("topics") or []
    if len(topics) != 2:
        return None
    topic0 = str(topics[0]).lower()
    if topic0 == WETH_DEPOSIT_TOPIC:
        kind = "deposit"
    elif topic0 == WETH_WITHDRAWAL_TOPIC:
        kind = "withdrawal"
    else:
        return None
    account, data = str(topics[1]), str(log.get("data", "0x"))
    if any(len(w) != 66 or w[:2] != "0x" or not _HEX_WORD.match(w, 2) for w in (account, data)):
        return None
    if account[2:26] != _ZERO_PAD:
        return None
    return DecodedWethEvent(str(log["address"]).lower(), kind, "0x" + account[26:].lower(), int(data, 16),
                            _log_index(log))


def decode_erc20_transfer_with_eth_abi(log: dict[str, Any]) -> DecodedTransfer | None:
    """The same decoding done by eth-abi (slower; the reference for tests)."""
    topics = log.get("topics") or []
    if len(topics) != 3 or str(topics[0]).lower() != TRANSFER_TOPIC:
        return None
    words = (str(topics[1]), str(topics[2]), str(log.get("data", "0x")))
    if any(len(w) != 66 or not w.startswith("0x") for w in words):
        return None
    try:
        # topics and data laid end to end are the ABI encoding of (address, address, uint256)
        sender, receiver, amount = decode(_FIELDS, bytes.fromhex("".join(w[2:] for w in words)))
    except (DecodingError, ValueError, TypeError):
        return None  # dirty padding in an indexed address: not a conforming ERC-20 Transfer
    return DecodedTransfer(
        token=str(log["address"]).lower(),
        from_address=str(sender).lower(),
        to_address=str(receiver).lower(),
        amount=int(amount),
        log_index=_log_index(log),
    )


def _log_index(log: dict[str, Any]) -> int:
    value = log["logIndex"]
    return int(value, 16) if isinstance(value, str) else int(value)
