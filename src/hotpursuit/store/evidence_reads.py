"""The stored rows an evidence bundle ships beside its report: the transactions, value movements (native,
internal and ERC-20 Transfer logs), Bitcoin inputs and outputs, bridge links and blocks of the transactions
a trace cites, exactly as stored (big integers as decimal strings, never floats)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hotpursuit.store.database import Store

# one SELECT per table: every column, big numbers as exact decimal strings; rows in chain order
_SELECTS = {
    "transactions": """SELECT chain, block_number, block_hash, tx_index, hash, from_address, to_address,
                              value::VARCHAR AS value, nonce, gas, gas_price::VARCHAR AS gas_price, gas_used,
                              effective_gas_price::VARCHAR AS effective_gas_price, status, contract_address,
                              input_selector, source
                       FROM transactions WHERE chain = ? AND list_contains(?, hash)
                       ORDER BY block_number, tx_index, hash""",
    "transfers": """SELECT chain, block_number, tx_hash, tx_index, seq, kind, log_index, trace_address,
                           from_address, to_address, asset, amount::VARCHAR AS amount, source
                    FROM transfers WHERE chain = ? AND list_contains(?, tx_hash)
                    ORDER BY block_number, tx_index, seq""",
    "utxo_inputs": """SELECT chain, block_number, tx_hash, tx_index, input_index, spent_tx_hash, spent_output_index,
                             address, value::VARCHAR AS value, source
                      FROM utxo_inputs WHERE chain = ? AND list_contains(?, tx_hash)
                      ORDER BY block_number, tx_index, input_index""",
    "utxo_outputs": """SELECT chain, block_number, tx_hash, tx_index, output_index, address, script_type, script_hex,
                              value::VARCHAR AS value, memo, source
                       FROM utxo_outputs WHERE chain = ? AND list_contains(?, tx_hash)
                       ORDER BY block_number, tx_index, output_index""",
    "bridge_links": """SELECT from_chain, from_tx_hash, memo, to_chain, to_address, to_tx_hash,
                              amount_in::VARCHAR AS amount_in, amount_out::VARCHAR AS amount_out, source
                       FROM bridge_links WHERE (from_chain = ? AND list_contains(?, from_tx_hash))
                                            OR (to_chain = ? AND list_contains(?, to_tx_hash))
                       ORDER BY from_chain, from_tx_hash, to_tx_hash""",
}
_BLOCKS = """SELECT chain, number, hash, parent_hash, timestamp, miner, gas_used, gas_limit,
                    base_fee_per_gas::VARCHAR AS base_fee_per_gas, transaction_count, source
             FROM blocks WHERE chain = ? AND list_contains(?, number) ORDER BY number"""
_TX_BLOCKS = """SELECT DISTINCT block_number FROM (
                    SELECT block_number FROM transactions WHERE chain = ? AND list_contains(?, hash)
                    UNION ALL SELECT block_number FROM transfers WHERE chain = ? AND list_contains(?, tx_hash)
                    UNION ALL SELECT block_number FROM utxo_outputs WHERE chain = ? AND list_contains(?, tx_hash))"""


@dataclass
class SourceRows:
    """Rows per table name (`transactions`, `transfers`, `utxo_inputs`, `utxo_outputs`, `bridge_links`,
    `blocks`), each row a column -> value dict."""

    tables: dict[str, list[dict[str, Any]]]


def source_rows(store: Store, txs: Iterable[tuple[str, str]], blocks: Iterable[tuple[str, int]] = ()) -> SourceRows:
    """The stored rows of the (chain, tx hash) pairs `txs` and of the blocks that hold them, plus the
    (chain, block number) pairs `blocks`."""
    by_chain: dict[str, set[str]] = {}
    for chain, tx in txs:
        by_chain.setdefault(chain, set()).add(tx)
    wanted_blocks: dict[str, set[int]] = {}
    for chain, number in blocks:
        wanted_blocks.setdefault(chain, set()).add(int(number))
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in [*_SELECTS, "blocks"]}
    for chain, hashes in sorted(by_chain.items()):
        wanted = sorted(hashes)
        for name, sql in _SELECTS.items():
            params: list[Any] = [chain, wanted, chain, wanted] if name == "bridge_links" else [chain, wanted]
            tables[name] += _dicts(store, sql, params)
        found = store._con.execute(_TX_BLOCKS, [chain, wanted] * 3).fetchall()
        wanted_blocks.setdefault(chain, set()).update(int(n) for (n,) in found)
    for chain, numbers in sorted(wanted_blocks.items()):
        tables["blocks"] += _dicts(store, _BLOCKS, [chain, sorted(numbers)])
    return SourceRows(tables)


def _dicts(store: Store, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = store._con.execute(sql, params)
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
