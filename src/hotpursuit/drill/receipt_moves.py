"""The drill's own reading of a receipt: token movements from its logs, in log order. Pure.

Independent of hotpursuit's ingest on purpose (the ground truth must not share its decoder):
an ERC-20 `Transfer(address indexed, address indexed, uint256)` with a non-zero value is a movement;
a WETH9 `Deposit(address indexed dst, uint256 wad)` is a WETH mint 0x0 -> dst and `Withdrawal(address
indexed src, uint256 wad)` a burn src -> 0x0, in log order among the Transfers (the way the ingest
records wraps). The ETH side of a wrap is the caller's business: it knows who sent the ETH.
"""

from __future__ import annotations

from typing import Any

from eth_abi import decode
from eth_utils import keccak

from hotpursuit.drill.ledger import Move

ZERO = "0x" + "00" * 20
TRANSFER = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
DEPOSIT = "0x" + keccak(text="Deposit(address,uint256)").hex()
WITHDRAWAL = "0x" + keccak(text="Withdrawal(address,uint256)").hex()


def _topic_address(topic: str) -> str:
    return "0x" + topic[-40:].lower()


def _amount(data: str) -> int:
    return int(decode(["uint256"], bytes.fromhex(data[2:]))[0])


def token_moves(receipt: dict[str, Any], weth: str, first_seq: int = 0) -> list[Move]:
    """Every non-zero token movement the receipt's logs record, numbered from `first_seq`."""
    out: list[Move] = []
    for log in receipt["logs"]:
        topics = [str(t).lower() for t in log["topics"]]
        token = str(log["address"]).lower()
        if len(topics) == 3 and topics[0] == TRANSFER:
            src, dst, amount = _topic_address(topics[1]), _topic_address(topics[2]), _amount(log["data"])
        elif token == weth and len(topics) == 2 and topics[0] == DEPOSIT:
            src, dst, amount = ZERO, _topic_address(topics[1]), _amount(log["data"])
        elif token == weth and len(topics) == 2 and topics[0] == WITHDRAWAL:
            src, dst, amount = _topic_address(topics[1]), ZERO, _amount(log["data"])
        else:
            continue
        if amount:
            out.append(Move(first_seq + len(out), "erc20", src, dst, token, amount))
    return out


def weth_calls(receipt: dict[str, Any], weth: str, tx_sender: str, tx_to: str | None) -> list[Move]:
    """The ETH legs of the wraps and unwraps contracts made inside the tx (internal calls), in order.

    WETH9 semantics: `deposit()` is paid by its caller (`Deposit.dst`); `withdraw(wad)` sends `wad`
    ETH to its caller (`Withdrawal.src`). A deposit the tx's sender made by calling WETH directly is
    the tx's own value, not an internal call, and is left to the caller.
    """
    out: list[Move] = []
    for log in receipt["logs"]:
        topics = [str(t).lower() for t in log["topics"]]
        if str(log["address"]).lower() != weth or len(topics) != 2:
            continue
        who, amount = _topic_address(topics[1]), _amount(log["data"])
        if topics[0] == DEPOSIT and not (tx_to == weth and who == tx_sender) and amount:
            out.append(Move(0, "internal", who, weth, "ETH", amount))
        elif topics[0] == WITHDRAWAL and amount:
            out.append(Move(0, "internal", weth, who, "ETH", amount))
    return out
