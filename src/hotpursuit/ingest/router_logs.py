"""Decoding THORChain router events (`Deposit`, `TransferOut`, `TransferOutAndCall`) with eth-abi.

The signatures are the mainnet router's (V4.1 at 0xD37BbE57…, THORNode's `router.json` ABI; the drill's
BridgeRouter emits the same `Deposit`):
  * `Deposit(address indexed to, address indexed asset, uint256 amount, string memo)`: value entering
    THORChain; `to` is the Asgard vault, `asset` 0x0 is ETH, the memo says where to pay out;
  * `TransferOut(address indexed vault, address indexed to, address asset, uint256 amount, string memo)`:
    a payout from a vault, memo `OUT:<inbound hash>` (or `REFUND:<inbound hash>`);
  * `TransferOutAndCall(address indexed vault, address target, uint256 amount, address finalAsset,
    address to, uint256 amountOutMin, string memo)`: a payout in ETH sent through an aggregator `target`
    that swaps it into `finalAsset` for `to`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak

from hotpursuit.chains.bridge_memo import BridgeDeposit, outbound_reference
from hotpursuit.chains.evm_records import NATIVE_ASSET

DEPOSIT_SIGNATURE = "Deposit(address,address,uint256,string)"
TRANSFER_OUT_SIGNATURE = "TransferOut(address,address,address,uint256,string)"
TRANSFER_OUT_AND_CALL_SIGNATURE = "TransferOutAndCall(address,address,uint256,address,address,uint256,string)"
DEPOSIT_TOPIC = "0x" + keccak(text=DEPOSIT_SIGNATURE).hex()
TRANSFER_OUT_TOPIC = "0x" + keccak(text=TRANSFER_OUT_SIGNATURE).hex()
TRANSFER_OUT_AND_CALL_TOPIC = "0x" + keccak(text=TRANSFER_OUT_AND_CALL_SIGNATURE).hex()
ROUTER_TOPICS = (DEPOSIT_TOPIC, TRANSFER_OUT_TOPIC, TRANSFER_OUT_AND_CALL_TOPIC)
_ZERO = "0x" + "00" * 20


@dataclass(frozen=True, slots=True)
class RouterTransferOut:
    """A router payout (`TransferOut` or `TransferOutAndCall`) and the inbound it answers."""

    block_number: int
    tx_hash: str
    log_index: int
    router: str  # the emitting router contract
    vault: str  # the Asgard vault that pays
    to: str  # who is paid (for TransferOutAndCall: the final recipient after the aggregator's swap)
    asset: str  # "ETH" or the token contract, lowercase
    amount: int  # base units of `asset`
    memo: str
    final_asset: str | None = None  # TransferOutAndCall: what the aggregator swaps `asset` into

    @property
    def inbound(self) -> str | None:
        """The inbound tx hash the memo names (`OUT:<hash>`), lowercase 0x-hex; None for other memos."""
        return outbound_reference(self.memo)


def _asset(address: str) -> str:
    token = address.lower()
    return NATIVE_ASSET if token == _ZERO else token


def _topic_address(topic: Any) -> str:
    (value,) = decode(["address"], bytes.fromhex(str(topic)[2:]))
    return str(value).lower()


def _log_index(log: dict[str, Any]) -> int:
    index = log["logIndex"]
    return int(index, 16) if isinstance(index, str) else int(index)


def decode_router_deposit(log: dict[str, Any], block_number: int, tx_hash: str) -> BridgeDeposit | None:
    """The deposit a log records, or None if it is not a well-formed router Deposit."""
    topics = log.get("topics") or []
    if len(topics) != 3 or str(topics[0]).lower() != DEPOSIT_TOPIC:
        return None
    try:
        asset = _topic_address(topics[2])
        amount, memo = decode(["uint256", "string"], bytes.fromhex(str(log.get("data", "0x"))[2:]))
    except (DecodingError, ValueError, UnicodeDecodeError):
        return None
    return BridgeDeposit(block_number, tx_hash, _log_index(log), str(log["address"]).lower(), _asset(asset),
                         int(amount), str(memo))


def decode_router_transfer_out(log: dict[str, Any], block_number: int, tx_hash: str) -> RouterTransferOut | None:
    """The payout a log records, or None if it is not a well-formed router TransferOut/TransferOutAndCall."""
    topics = log.get("topics") or []
    topic0 = str(topics[0]).lower() if topics else ""
    data = str(log.get("data", "0x"))
    router = str(log.get("address", "")).lower()
    try:
        if topic0 == TRANSFER_OUT_TOPIC and len(topics) == 3:
            asset, amount, memo = decode(["address", "uint256", "string"], bytes.fromhex(data[2:]))
            return RouterTransferOut(block_number, tx_hash, _log_index(log), router, _topic_address(topics[1]),
                                     _topic_address(topics[2]), _asset(str(asset)), int(amount), str(memo))
        if topic0 == TRANSFER_OUT_AND_CALL_TOPIC and len(topics) == 2:
            _target, amount, final_asset, to, _min_out, memo = decode(
                ["address", "uint256", "address", "address", "uint256", "string"], bytes.fromhex(data[2:]))
            return RouterTransferOut(block_number, tx_hash, _log_index(log), router, _topic_address(topics[1]),
                                     str(to).lower(), NATIVE_ASSET, int(amount), str(memo),
                                     _asset(str(final_asset)))
    except (DecodingError, ValueError, UnicodeDecodeError):
        return None
    return None
