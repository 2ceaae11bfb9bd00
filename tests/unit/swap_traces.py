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
