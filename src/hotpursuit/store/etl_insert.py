"""Merging staged ethereum-etl rows into blocks, transactions and transfers, atomically.

Nothing is deleted: a block or transaction already stored is kept (a block stored with another hash or
another transaction_count, or whose transactions in the import are not as many as it says, is refused);
movements merge by row identity (store.transfer_merge), so per-address exports imported one after
another keep every movement and a re-import changes nothing. Transfer `seq` numbers movements within
a transaction as node ingest does: the native value first, then internal calls in trace order, then
ERC-20 logs in log order.
"""

from __future__ import annotations

from hotpursuit.errors import IngestError
from hotpursuit.store.database import Store
from hotpursuit.store.etl_staging import StagedFile
from hotpursuit.store.transfer_merge import INCOMING_COLUMNS, merge_transfers


def merge_from_staged(store: Store, chain: str, staged: dict[str, StagedFile]) -> dict[str, int]:
    """Merge every staged file in one transaction; returns rows added per table."""
    con = store._con
    counts: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        if "blocks" in staged:
            _refuse_block_disagreements(store, chain, staged)
            s = staged["blocks"]
            counts["blocks"] = _run(store, f"""
                INSERT INTO blocks SELECT $chain, number::BIGINT, hash, parent_hash, timestamp::BIGINT,
                  miner, {_opt(s, 'gas_used', '::BIGINT')}, {_opt(s, 'gas_limit', '::BIGINT')},
                  {_opt(s, 'base_fee_per_gas', '::BIGNUM')}, transaction_count::INTEGER, $source
                FROM (SELECT DISTINCT ON (number::BIGINT) * FROM {s.table} ORDER BY number::BIGINT) b
                WHERE NOT EXISTS (SELECT 1 FROM blocks x WHERE x.chain = $chain AND x.number = b.number::BIGINT)""",
                chain, s.path)
        if "transactions" in staged:
            s = staged["transactions"]
            _refuse_moved_transactions(store, chain, s)
            status = _status_expr(staged)
            receipts_join = _receipts_join(staged)
            counts["transactions"] = _run(store, f"""
                INSERT INTO transactions SELECT $chain, t.block_number::BIGINT, t.block_hash,
                  t.transaction_index::INTEGER, t.hash, t.from_address, t.to_address, t.value::BIGNUM,
                  t.nonce::BIGINT, t.gas::BIGINT, {_opt(s, 'gas_price', '::BIGNUM', 't.')},
                  {_gas_used(staged)}, {_effective_price(staged)}, {status},
                  {_contract_address(staged)},
                  CASE WHEN length(t.input) >= 10 THEN lower(substr(t.input, 1, 10)) END, $source
                FROM (SELECT DISTINCT ON (hash) * FROM {s.table} ORDER BY hash) t {receipts_join}
                WHERE NOT EXISTS (SELECT 1 FROM transactions x WHERE x.chain = $chain AND x.hash = t.hash)""",
                chain, s.path)
            _refuse_overfull_blocks(store, chain, s)
        if "tokens" in staged:
            # a token's first stored metadata stays (the node's reads, an earlier export); decimals that no
            # real token has (a contract may answer anything) are stored as unknown
            s = staged["tokens"]
            counts["tokens"] = _run(store, f"""
                INSERT INTO tokens SELECT $chain, k.address, nullif(k.symbol, ''), nullif(k.name, ''),
                  CASE WHEN TRY_CAST(k.decimals AS INTEGER) BETWEEN 0 AND 255 THEN TRY_CAST(k.decimals AS INTEGER)
                  END, $source
                FROM (SELECT DISTINCT ON (address) * FROM {s.table} ORDER BY address) k
                WHERE NOT EXISTS (SELECT 1 FROM tokens x WHERE x.chain = $chain AND x.address = k.address)""",
                chain, s.path)
        # every movement source is one SELECT; they are merged by row identity in one pass
        moves: list[str] = []
        params: dict[str, str] = {}
        files: dict[int, str] = {}
        if "transactions" in staged:
            s = staged["transactions"]
            params["native_source"] = f"file:{s.path}"
            files[0] = s.path
            contract = _contract_address(staged)
            moves.append(f"""
                SELECT t.block_number::BIGINT AS block_number, t.hash AS tx_hash,
                  t.transaction_index::INTEGER AS tx_index, 'native' AS kind, NULL::INTEGER AS log_index,
                  NULL::VARCHAR AS trace_address, t.from_address, coalesce(t.to_address, {contract}) AS to_address,
                  'ETH' AS asset, t.value AS amount, $native_source AS source, 0 AS file_id, t.rowid AS line
                FROM {s.table} t {_receipts_join(staged)}
                WHERE ltrim(t.value, '0') <> '' AND coalesce({_status_expr(staged)}, 1) = 1
                  AND coalesce(t.to_address, {contract}) IS NOT NULL""")
        if "traces" in staged:
            s = staged["traces"]
            params["internal_source"] = f"file:{s.path}"
            files[1] = s.path
            status = "AND coalesce(status, '1') = '1'" if "status" in s.columns else ""
            moves.append(f"""
                SELECT block_number::BIGINT AS block_number, transaction_hash AS tx_hash,
                  coalesce(transaction_index::INTEGER, -1) AS tx_index, 'internal' AS kind,
                  NULL::INTEGER AS log_index, trace_address, from_address, to_address, 'ETH' AS asset,
                  value AS amount, $internal_source AS source, 1 AS file_id, rowid AS line
                FROM {s.table}
                WHERE transaction_hash IS NOT NULL AND coalesce(trace_address, '') <> ''
                  AND ltrim(value, '0') <> '' AND from_address IS NOT NULL AND to_address IS NOT NULL
                  AND trace_type IN ('call', 'create', 'suicide')
                  AND coalesce(call_type, 'call') = 'call' {status}""")
        if "token_transfers" in staged:
            s = staged["token_transfers"]
            params["erc20_source"] = f"file:{s.path}"
            files[2] = s.path
            moves.append(f"""
                SELECT tt.block_number::BIGINT AS block_number, tt.transaction_hash AS tx_hash,
                  {_tx_index_lookup(store, chain, staged)} AS tx_index, 'erc20' AS kind,
                  tt.log_index::INTEGER AS log_index, NULL::VARCHAR AS trace_address, tt.from_address,
                  tt.to_address, lower(tt.token_address) AS asset, tt.value AS amount, $erc20_source AS source,
                  2 AS file_id, tt.rowid AS line
                FROM {s.table} tt {_tx_join(store, chain, staged)}""")  # zero-value ones too: poisoning shows so
        counts["transfers"] = 0
        if moves:
            con.execute(f"CREATE OR REPLACE TEMP TABLE etl_incoming ({INCOMING_COLUMNS})")
            con.execute(f"""INSERT INTO etl_incoming SELECT block_number, tx_hash, tx_index, kind, log_index,
                              trace_address, lower(from_address), lower(to_address), asset, amount::BIGNUM, source,
                              file_id, line, row_number() OVER ()
                            FROM ({" UNION ALL ".join(moves)})""", params)
            counts["transfers"] = merge_transfers(con, chain, "etl_incoming", files).total_added
            con.execute("DROP TABLE etl_incoming")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def _refuse_block_disagreements(store: Store, chain: str, staged: dict[str, StagedFile]) -> None:
    """A block that another fork or another count holds in the store, or whose transactions in this import
    are not as many as it says, is refused."""
    s = staged["blocks"]
    row = store._con.execute(f"""
        SELECT b.number, b.hash, b.transaction_count, x.hash, x.transaction_count, x.source
        FROM {s.table} b JOIN blocks x ON x.chain = ? AND x.number = b.number::BIGINT
        WHERE x.hash <> b.hash OR x.transaction_count <> b.transaction_count::INTEGER
        ORDER BY b.number::BIGINT LIMIT 1""", [chain]).fetchone()
    if row is not None:
        number, file_hash, file_count, stored_hash, stored_count, source = row
        if file_hash != stored_hash:
            raise IngestError(f"{s.path}: block {number} is {file_hash} here but {stored_hash} in the store "
                              f"({source}): another fork; nothing stored")
        raise IngestError(f"{s.path}: block {number} ({file_hash}) has transaction_count {file_count} here but "
                          f"{stored_count} in the store ({source}); nothing stored")
    if "transactions" not in staged:
        return
    t = staged["transactions"]
    row = store._con.execute(f"""
        SELECT b.number, b.transaction_count, count(t.hash) FROM {s.table} b
        LEFT JOIN {t.table} t ON t.block_number::BIGINT = b.number::BIGINT
        GROUP BY b.number, b.transaction_count HAVING count(t.hash) <> b.transaction_count::BIGINT
        ORDER BY b.number::BIGINT LIMIT 1""").fetchone()
    if row is not None:
        raise IngestError(f"{s.path}: block {row[0]} says transaction_count {row[1]} but {t.path} holds {row[2]} "
                          "of its transactions; an export that covers part of a block must leave the block out "
                          "of its blocks file; nothing stored")


def _refuse_moved_transactions(store: Store, chain: str, s: StagedFile) -> None:
    row = store._con.execute(f"""
        SELECT t.hash, t.block_number, x.block_number, x.source FROM {s.table} t
        JOIN transactions x ON x.chain = ? AND x.hash = t.hash
        WHERE x.block_number <> t.block_number::BIGINT OR x.block_hash IS DISTINCT FROM t.block_hash
        ORDER BY t.hash LIMIT 1""", [chain]).fetchone()
    if row is not None:
        raise IngestError(f"{s.path}: tx {row[0]} is in block {row[1]} here but in block {row[2]} in the store "
                          f"({row[3]}); nothing stored")


def _refuse_overfull_blocks(store: Store, chain: str, s: StagedFile) -> None:
    """After the merge, no block may hold more transactions than its transaction_count."""
    row = store._con.execute("""
        SELECT b.number, b.transaction_count, count(*) FROM blocks b
        JOIN transactions x ON x.chain = b.chain AND x.block_number = b.number AND x.block_hash = b.hash
        WHERE b.chain = ? AND b.number BETWEEN ? AND ?
        GROUP BY b.number, b.transaction_count HAVING count(*) > b.transaction_count
        ORDER BY b.number LIMIT 1""", [chain, s.min_block, s.max_block]).fetchone()
    if row is not None:
        raise IngestError(f"{s.path}: block {row[0]} says transaction_count {row[1]} but the store would hold "
                          f"{row[2]} of its transactions; nothing stored")


def _run(store: Store, sql: str, chain: str, path: str) -> int:
    row = store._con.execute(sql, {"chain": chain, "source": f"file:{path}"}).fetchone()
    return int(row[0]) if row else 0


def _opt(s: StagedFile, column: str, cast: str, prefix: str = "") -> str:
    return f"{prefix}{column}{cast}" if column in s.columns else "NULL"


def _receipts_join(staged: dict[str, StagedFile]) -> str:
    if "receipts" in staged and "receipt_status" not in staged["transactions"].columns:
        return f"LEFT JOIN {staged['receipts'].table} r ON r.transaction_hash = t.hash"
    return ""


def _receipt_field(staged: dict[str, StagedFile], inline: str, external: str, cast: str) -> str:
    if inline in staged["transactions"].columns:
        return f"t.{inline}{cast}"
    if "receipts" in staged and external in staged["receipts"].columns:
        return f"r.{external}{cast}"
    return "NULL"


def _status_expr(staged: dict[str, StagedFile]) -> str:
    return _receipt_field(staged, "receipt_status", "status", "::SMALLINT")


def _gas_used(staged: dict[str, StagedFile]) -> str:
    return _receipt_field(staged, "receipt_gas_used", "gas_used", "::BIGINT")


def _effective_price(staged: dict[str, StagedFile]) -> str:
    return _receipt_field(staged, "receipt_effective_gas_price", "effective_gas_price", "::BIGNUM")


def _contract_address(staged: dict[str, StagedFile]) -> str:
    return _receipt_field(staged, "receipt_contract_address", "contract_address", "")


def _tx_join(store: Store, chain: str, staged: dict[str, StagedFile]) -> str:
    if "transactions" in staged:
        return f"LEFT JOIN {staged['transactions'].table} tx ON tx.hash = tt.transaction_hash"
    return ("LEFT JOIN (SELECT hash, tx_index FROM transactions WHERE chain = "
            f"'{chain.replace(chr(39), '')}') tx ON tx.hash = tt.transaction_hash")


def _tx_index_lookup(store: Store, chain: str, staged: dict[str, StagedFile]) -> str:
    # -1: position unknown (token transfers imported without their transactions); logs still order
    # correctly within a block by log_index
    if "transactions" in staged:
        return "coalesce(tx.transaction_index::INTEGER, -1)"
    return "coalesce(tx.tx_index, -1)"
