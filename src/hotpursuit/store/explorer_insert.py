"""Storing mapped explorer exports: tokens, transactions and movements merged in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from hotpursuit.errors import IngestError
from hotpursuit.ingest.explorer_mapper import ExplorerBatch
from hotpursuit.store.database import Store
from hotpursuit.store.transfer_merge import INCOMING_COLUMNS, MergeCounts, merge_transfers

_MOVE_SCHEMA = pa.schema([("block_number", pa.int64()), ("tx_hash", pa.string()), ("tx_index", pa.int32()),
                          ("kind", pa.string()), ("log_index", pa.int32()), ("trace_address", pa.string()),
                          ("from_address", pa.string()), ("to_address", pa.string()), ("asset", pa.string()),
                          ("amount", pa.string()), ("source", pa.string()), ("file_id", pa.int32()),
                          ("line", pa.int64()), ("rid", pa.int64())])
_TX_SCHEMA = pa.schema([("block_number", pa.int64()), ("block_hash", pa.string()), ("tx_index", pa.int32()),
                        ("hash", pa.string()), ("from_address", pa.string()), ("to_address", pa.string()),
                        ("value", pa.string()), ("nonce", pa.int64()), ("gas", pa.int64()),
                        ("gas_price", pa.string()), ("gas_used", pa.int64()), ("status", pa.int16()),
                        ("contract_address", pa.string()), ("input_selector", pa.string()),
                        ("source", pa.string()), ("file_id", pa.int32())])


@dataclass
class ExplorerMerge:
    """What the store gained."""

    transfers: MergeCounts
    transactions_added: dict[int, int] = field(default_factory=dict)
    tokens_added: int = 0

    @property
    def replaced(self) -> int:
        """Synthetic movements replaced by precise ones."""
        return self.transfers.replaced


def known_token_decimals(store: Store, chain: str, tokens: set[str]) -> dict[str, int]:
    """Decimals the `tokens` table states for these contracts."""
    if not tokens:
        return {}
    rows = store._con.execute("""SELECT address, min(decimals) FROM tokens WHERE chain = ? AND decimals IS NOT NULL
                                AND address IN (SELECT unnest(?::VARCHAR[])) GROUP BY address""",
                             [chain, sorted(tokens)]).fetchall()
    return {str(a): int(d) for a, d in rows}


def store_explorer_batches(store: Store, chain: str, batches: Sequence[ExplorerBatch]) -> ExplorerMerge:
    """Merge every batch (already validated, amounts resolved) in one transaction."""
    moves = [(m.block_number, m.tx_hash, m.tx_index, m.kind, m.log_index, None, m.from_address, m.to_address,
              m.asset, str(m.amount), f"file:{b.path}", file_id, m.line, rid)
             for file_id, b in enumerate(batches) for rid, m in enumerate(b.moves)]
    txs = [(t.block_number, t.block_hash, t.tx_index, t.hash, t.from_address, t.to_address, str(t.value), t.nonce,
            t.gas, None if t.gas_price is None else str(t.gas_price), t.gas_used, t.status, t.contract_address,
            t.input_selector, f"file:{b.path}", file_id)
           for file_id, b in enumerate(batches) for t in b.transactions]
    tokens: dict[str, tuple[str | None, str | None, int | None, str]] = {}
    for b in batches:
        for address, facts in b.tokens.items():
            if address not in tokens or (tokens[address][2] is None and facts.decimals is not None):
                tokens[address] = (facts.symbol, facts.name, facts.decimals, f"file:{b.path}")
    token_table = pa.table({"address": list(tokens), "symbol": [v[0] for v in tokens.values()],
                            "name": [v[1] for v in tokens.values()],
                            "decimals": pa.array([v[2] for v in tokens.values()], pa.int32()),
                            "source": [v[3] for v in tokens.values()]})
    with store.transaction(new_moves=_table(moves, _MOVE_SCHEMA), new_txs=_table(txs, _TX_SCHEMA),
                           new_tokens=token_table) as con:
        params = {"c": chain}
        added_tokens = con.execute("""INSERT INTO tokens SELECT $c, address, symbol, name, decimals, source
                                      FROM new_tokens n WHERE NOT EXISTS (SELECT 1 FROM tokens t
                                      WHERE t.chain = $c AND t.address = n.address)""", params).fetchone()
        _refuse_moved_transactions(con, chain)
        tx_added = dict(con.execute("""
            WITH fresh AS (SELECT DISTINCT ON (hash) * FROM new_txs n
                           WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.chain = $c AND t.hash = n.hash)
                           ORDER BY hash, file_id)
            SELECT file_id, count(*) FROM fresh GROUP BY file_id""", params).fetchall())
        con.execute("""INSERT INTO transactions
            SELECT $c, block_number, block_hash, tx_index, hash, from_address, to_address, value::BIGNUM, nonce, gas,
                   gas_price::BIGNUM, gas_used, NULL, status, contract_address, input_selector, source
            FROM (SELECT DISTINCT ON (hash) * FROM new_txs n
                  WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.chain = $c AND t.hash = n.hash)
                  ORDER BY hash, file_id)""", params)
        con.execute(f"CREATE OR REPLACE TEMP TABLE explorer_incoming ({INCOMING_COLUMNS})")
        con.execute("""INSERT INTO explorer_incoming SELECT block_number, tx_hash, tx_index, kind, log_index,
                       trace_address, from_address, to_address, asset, amount::BIGNUM, source, file_id, line, rid
                       FROM new_moves""")
        counts = merge_transfers(con, chain, "explorer_incoming", {i: b.path for i, b in enumerate(batches)})
        con.execute("DROP TABLE explorer_incoming")
    return ExplorerMerge(counts, {int(k): int(v) for k, v in tx_added.items()},
                         int(added_tokens[0]) if added_tokens else 0)


def _refuse_moved_transactions(con: duckdb.DuckDBPyConnection, chain: str) -> None:
    row = con.execute("""SELECT n.hash, n.block_number, t.block_number, t.source FROM new_txs n
                         JOIN transactions t ON t.chain = ? AND t.hash = n.hash
                         WHERE t.block_number <> n.block_number OR t.from_address <> n.from_address
                         ORDER BY n.hash LIMIT 1""", [chain]).fetchone()
    if row is not None:
        raise IngestError(f"tx {row[0]}: the file puts it in block {row[1]}, the store ({row[3]}) in block "
                          f"{row[2]} (or another sender); nothing stored")


def _table(rows: Sequence[tuple[object, ...]], schema: pa.Schema) -> pa.Table:
    return pa.table({name: [r[i] for r in rows] for i, name in enumerate(schema.names)}, schema=schema)
