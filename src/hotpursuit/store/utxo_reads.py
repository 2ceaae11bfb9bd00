"""Reading stored Bitcoin data back as the UTXO taint engine's inputs: transactions and completed
bridge crossings (a deposit on an EVM chain and its payout output on Bitcoin)."""

from __future__ import annotations

from typing import Any

from hotpursuit.store.database import Store
from hotpursuit.trace.bridge_crossing import BridgeCrossing
from hotpursuit.trace.utxo_taint import UtxoTx


def load_utxo_txs(store: Store, chain: str = "bitcoin", first: int = 0, last: int | None = None) -> list[UtxoTx]:
    """The stored transactions of heights `first..last` (all above `first` when `last` is None)."""
    upto = 2**62 if last is None else last
    grouped: dict[str, list[Any]] = {}
    for h, block, index, address, value in store._con.execute(
            """SELECT tx_hash, block_number, tx_index, address, value::VARCHAR FROM utxo_outputs
               WHERE chain = ? AND block_number BETWEEN ? AND ? ORDER BY block_number, tx_index, output_index""",
            [chain, first, upto]).fetchall():
        grouped.setdefault(str(h), [(int(block), int(index)), []])[1].append((address, int(value)))
    inputs: dict[str, list[Any]] = {}
    for h, s, n, v in store._con.execute(
            """SELECT tx_hash, spent_tx_hash, spent_output_index, value::VARCHAR FROM utxo_inputs
               WHERE chain = ? AND block_number BETWEEN ? AND ? ORDER BY tx_hash, input_index""",
            [chain, first, upto]).fetchall():
        inputs.setdefault(str(h), []).append(((str(s), int(n)), int(v)))
    return [UtxoTx(order, h, tuple(inputs.get(h, [])), tuple(outs)) for h, (order, outs) in grouped.items()]


def completed_crossings(store: Store, chain: str = "bitcoin", first: int = 0,
                        last: int | None = None) -> list[BridgeCrossing]:
    """Bridge deposits whose payout output on `chain` is stored, paid in heights `first..last`."""
    upto = 2**62 if last is None else last
    return [BridgeCrossing(str(f), int(a), (str(t), int(n)), int(v)) for f, a, t, n, v in store._con.execute(
        """SELECT l.from_tx_hash, l.amount_in::VARCHAR, o.tx_hash, o.output_index, o.value::VARCHAR
           FROM bridge_links l JOIN utxo_outputs o ON o.chain = l.to_chain
             AND o.tx_hash = l.to_tx_hash AND o.address = l.to_address
           WHERE l.to_chain = ? AND o.block_number BETWEEN ? AND ?
           ORDER BY 1, 3, 4""", [chain, first, upto]).fetchall()]
