"""Decoding ERC-20 `Transfer(address,address,uint256)` logs with eth-abi."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak

TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()


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
    fungible value and are left out. A Transfer-topic log whose data is not one uint256 is not
    ERC-20 conforming and is left out too (ethereum-etl does the same).
    """
    topics = log.get("topics") or []
    if len(topics) != 3 or str(topics[0]).lower() != TRANSFER_TOPIC:
        return None
    data = bytes.fromhex(str(log.get("data", "0x"))[2:])
    if len(data) != 32:
        return None
    try:
        (amount,) = decode(["uint256"], data)
        (sender,) = decode(["address"], bytes.fromhex(str(topics[1])[2:]))
        (receiver,) = decode(["address"], bytes.fromhex(str(topics[2])[2:]))
    except (DecodingError, ValueError):
        return None  # dirty padding in an indexed address: not a conforming ERC-20 Transfer
    return DecodedTransfer(
        token=str(log["address"]).lower(),
        from_address=str(sender).lower(),
        to_address=str(receiver).lower(),
        amount=int(amount),
        log_index=int(log["logIndex"], 16) if isinstance(log["logIndex"], str) else int(log["logIndex"]),
    )
