"""Decoding bridge router `Deposit(address indexed to, address indexed asset, uint256 amount, string memo)`
logs (the THORChain router's event) with eth-abi."""

from __future__ import annotations

from typing import Any

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak

from hotpursuit.chains.bridge_memo import BridgeDeposit
from hotpursuit.chains.evm_records import NATIVE_ASSET

DEPOSIT_TOPIC = "0x" + keccak(text="Deposit(address,address,uint256,string)").hex()
_ZERO = "0x" + "00" * 20


def decode_router_deposit(log: dict[str, Any], block_number: int, tx_hash: str) -> BridgeDeposit | None:
    """The deposit a log records, or None if it is not a well-formed router Deposit."""
    topics = log.get("topics") or []
    if len(topics) != 3 or str(topics[0]).lower() != DEPOSIT_TOPIC:
        return None
    try:
        (asset,) = decode(["address"], bytes.fromhex(str(topics[2])[2:]))
        amount, memo = decode(["uint256", "string"], bytes.fromhex(str(log.get("data", "0x"))[2:]))
    except (DecodingError, ValueError, UnicodeDecodeError):
        return None
    index = log["logIndex"]
    token = str(asset).lower()
    return BridgeDeposit(block_number, tx_hash, int(index, 16) if isinstance(index, str) else int(index),
                         str(log["address"]).lower(), NATIVE_ASSET if token == _ZERO else token, int(amount), str(memo))
