"""Reading the real mainnet swaps of ../shared/data/swap-traces into the project's own records (test helper)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hotpursuit.chains.evm_records import EvmTransaction, EvmTransfer
from hotpursuit.ingest.evm_mapper import internal_transfers, map_tx_transfers
from hotpursuit.trace.account_taint import Movement

from ..conftest import SHARED_DATA

MEV_RS = SHARED_DATA / "swap-traces" / "mev-inspect-rs"


def load_mev_rs(name: str) -> list[dict[str, Any]]:
    """The `{"traces", "logs"}` objects of one mev-inspect-rs file (a whole block is a list of them)."""
    data = json.loads((MEV_RS / f"{name}.data.json").read_text())
    return data if isinstance(data, list) else [data]


def top_frame(obj: dict[str, Any]) -> dict[str, Any]:
    """The transaction's outermost call frame."""
    return next(t for t in obj["traces"] if t["traceAddress"] == [])


def transaction_of(obj: dict[str, Any]) -> EvmTransaction:
    """The transaction as the mapper sees it, from its top-level trace frame.

    The data has no transaction objects: hash, position, sender, recipient, value, gas and the
    outcome come from the top frame; nonce and gas price are not in it and take no part in the
    movements (0 / None).
    """
    top = top_frame(obj)
    action = top["action"]
    data = str(action.get("input") or "0x")
    return EvmTransaction(
        block_number=int(top["blockNumber"]), block_hash=str(top["blockHash"]),
        tx_index=int(top["transactionPosition"]), hash=str(top["transactionHash"]),
        from_address=str(action["from"]), to_address=action.get("to"), value=int(action["value"], 16),
        nonce=0, gas=int(action["gas"], 16), gas_price=None, gas_used=None, effective_gas_price=None,
        status=0 if top.get("error") else 1, contract_address=None,
        input_selector=data[:10] if len(data) >= 10 else None)


def transfers_of(obj: dict[str, Any]) -> list[EvmTransfer]:
    """The tx's movements by the project's mapper: its value, internal ETH from traces, logs."""
    tx = transaction_of(obj)
    if tx.status == 0:
        return []  # a reverted transaction moves nothing
    internal = internal_transfers(obj["traces"], "parity", tx.hash).get(tx.tx_index, [])
    transfers, _ = map_tx_transfers(tx, internal, obj["logs"])
    return transfers


def movements_of(transfers: list[EvmTransfer]) -> list[Movement]:
    """Stored transfers as the taint engine's movements, in chain order."""
    return [Movement((t.block_number, t.tx_index, t.seq), t.tx_hash, t.from_address, t.to_address, t.asset,
                     t.amount) for t in transfers]


def data_path(*parts: str) -> Path:
    """A path under ../shared/data/swap-traces."""
    return SHARED_DATA.joinpath("swap-traces", *parts)


MEV_PY = SHARED_DATA / "swap-traces" / "mev-inspect-py"
TRANSFER, TRANSFER_FROM = "0xa9059cbb", "0x23b872dd"
WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
WETH_DEPOSIT, WETH_WITHDRAW = "0xd0e30db0", "0x2e1a7d4d"
ZERO = "0x" + "00" * 20


def movements_from_calls(block: dict[str, Any]) -> dict[str, list[Movement]]:
    """A mev-inspect-py block (traces, no logs) as movements per transaction, the way mev-inspect reads
    them: ETH moved by each succeeding `call` frame, and ERC-20 `transfer`/`transferFrom` calls decoded
    from their input (plain calls only: a proxy's delegatecall repeats its caller's input), WETH
    `deposit`/`withdraw` as a mint/burn of WETH. Frames under a failed frame move nothing."""
    failed: dict[str, list[list[int]]] = {}
    for t in block["traces"]:
        if t.get("error") and t.get("transaction_hash"):
            failed.setdefault(t["transaction_hash"], []).append(list(t["trace_address"]))
    out: dict[str, list[Movement]] = {}
    for n, t in enumerate(block["traces"]):
        tx, action = t.get("transaction_hash"), t["action"]
        if tx is None or t["type"] != "call" or action.get("callType") != "call":
            continue
        address = list(t["trace_address"])
        if any(address[:len(f)] == f for f in failed.get(tx, [])):
            continue
        order = (int(t["block_number"]), int(t["transaction_position"]), n)
        sender, to, data = action["from"].lower(), action["to"].lower(), str(action.get("input") or "0x")
        moves = out.setdefault(tx, [])
        value = int(action["value"], 16)
        if value:
            moves.append(Movement(order, tx, sender, to, "ETH", value))
        selector = data[:10]
        words = [data[10 + 64 * i: 10 + 64 * (i + 1)] for i in range(3)]
        if selector == TRANSFER and len(data) >= 138:
            moves.append(Movement(order, tx, sender, "0x" + words[0][24:], to, int(words[1], 16)))
        elif selector == TRANSFER_FROM and len(data) >= 202:
            moves.append(Movement(order, tx, "0x" + words[0][24:], "0x" + words[1][24:], to, int(words[2], 16)))
        elif to == WETH and selector == WETH_DEPOSIT and value:
            moves.append(Movement(order, tx, ZERO, sender, WETH, value))
        elif to == WETH and selector == WETH_WITHDRAW and len(data) >= 74:
            moves.append(Movement(order, tx, sender, ZERO, WETH, int(words[0], 16)))
    return {tx: [m for m in moves if m.amount] for tx, moves in out.items()}


def load_mev_py(kind: str, block: int) -> Any:
    """One mev-inspect-py test file: `blocks/<n>.json` or `sandwiches/<n>.json`."""
    return json.loads((MEV_PY / kind / f"{block}.json").read_text())
