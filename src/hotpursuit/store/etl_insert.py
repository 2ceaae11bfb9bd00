"""Inserting staged ethereum-etl rows into blocks, transactions and transfers, atomically.

Each file replaces, for its chain and block range, the rows it is the source of: blocks, or
transactions with their native transfers, or internal transfers (traces), or ERC-20 transfers.
Transfer `seq` numbers movements within a transaction as node ingest does: the native value first,
then internal calls in trace order, then ERC-20 logs in log order.
"""

from __future__ import annotations

from hotpursuit.store.database import Store
from hotpursuit.store.etl_staging import StagedFile


def replace_from_staged(store: Store, chain: str, staged: dict[str, StagedFile]) -> dict[str, int]:
    """Insert every staged file in one transaction; returns rows inserted per table/kind."""
    con = store.con
    counts: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        _delete_covered(store, chain, staged)
        if "blocks" in staged:
            s = staged["blocks"]
            counts["blocks"] = _run(store, f"""
                INSERT INTO blocks SELECT $chain, number::BIGINT, hash, parent_hash, timestamp::BIGINT,
                  miner, {_opt(s, 'gas_used', '::BIGINT')}, {_opt(s, 'gas_limit', '::BIGINT')},
                  {_opt(s, 'base_fee_per_gas', '::BIGNUM')}, transaction_count::INTEGER, $source
                FROM {s.table}""", chain, s.path)
        if "transactions" in staged:
            s = staged["transactions"]
            status = _status_expr(staged)
            receipts_join = _receipts_join(staged)
            counts["transactions"] = _run(store, f"""
                INSERT INTO transactions SELECT $chain, t.block_number::BIGINT, t.block_hash,
                  t.transaction_index::INTEGER, t.hash, t.from_address, t.to_address, t.value::BIGNUM,
                  t.nonce::BIGINT, t.gas::BIGINT, {_opt(s, 'gas_price', '::BIGNUM', 't.')},
                  {_gas_used(staged)}, {_effective_price(staged)}, {status},
                  {_contract_address(staged)},
                  CASE WHEN length(t.input) >= 10 THEN lower(substr(t.input, 1, 10)) END, $source
                FROM {s.table} t {receipts_join}""", chain, s.path)
        # every movement source is one SELECT; they are numbered and inserted in a single pipelined pass
        moves: list[str] = []
        params: dict[str, str] = {"chain": chain}
        if "transactions" in staged:
            s = staged["transactions"]
            params["native_source"] = f"file:{s.path}"
            contract = _contract_address(staged)
            moves.append(f"""
                SELECT t.block_number::BIGINT AS block_number, t.hash AS tx_hash,
                  t.transaction_index::INTEGER AS tx_index, 0 AS kind_rank, [] :: INTEGER[] AS sub_order,
                  'native' AS kind, NULL::INTEGER AS log_index, NULL::VARCHAR AS trace_address,
                  t.from_address, coalesce(t.to_address, {contract}) AS to_address, 'ETH' AS asset,
                  t.value AS amount, $native_source AS source
                FROM {s.table} t {_receipts_join(staged)}
                WHERE ltrim(t.value, '0') <> '' AND coalesce({_status_expr(staged)}, 1) = 1
                  AND coalesce(t.to_address, {contract}) IS NOT NULL""")
        if "traces" in staged:
            s = staged["traces"]
            params["internal_source"] = f"file:{s.path}"
            status = "AND coalesce(status, '1') = '1'" if "status" in s.columns else ""
            moves.append(f"""
                SELECT block_number::BIGINT AS block_number, transaction_hash AS tx_hash,
                  transaction_index::INTEGER AS tx_index, 1 AS kind_rank,
                  string_split(trace_address, ',')::INTEGER[] AS sub_order, 'internal' AS kind,
                  NULL::INTEGER AS log_index, trace_address, from_address, to_address, 'ETH' AS asset,
                  value AS amount, $internal_source AS source
                FROM {s.table}
                WHERE transaction_hash IS NOT NULL AND coalesce(trace_address, '') <> ''
                  AND ltrim(value, '0') <> '' AND from_address IS NOT NULL AND to_address IS NOT NULL
                  AND trace_type IN ('call', 'create', 'suicide')
                  AND coalesce(call_type, 'call') = 'call' {status}""")
        if "token_transfers" in staged:
            s = staged["token_transfers"]
            params["erc20_source"] = f"file:{s.path}"
            moves.append(f"""
                SELECT tt.block_number::BIGINT AS block_number, tt.transaction_hash AS tx_hash,
                  {_tx_index_lookup(store, chain, staged)} AS tx_index, 2 AS kind_rank,
                  [tt.log_index::INTEGER] AS sub_order, 'erc20' AS kind, tt.log_index::INTEGER AS log_index,
                  NULL::VARCHAR AS trace_address, tt.from_address, tt.to_address,
                  lower(tt.token_address) AS asset, tt.value AS amount, $erc20_source AS source
                FROM {s.table} tt {_tx_join(store, chain, staged)}
                WHERE ltrim(tt.value, '0') <> ''""")
        row = None
        if moves:
            row = con.execute(f"""
                INSERT INTO transfers SELECT $chain, block_number, tx_hash, tx_index,
                  (row_number() OVER (PARTITION BY block_number, tx_hash
                                      ORDER BY kind_rank, sub_order) - 1)::INTEGER,
                  kind, log_index, trace_address, lower(from_address), lower(to_address), asset,
                  amount::BIGNUM, source
                FROM ({" UNION ALL ".join(moves)})""", params).fetchone()
        counts["transfers"] = int(row[0]) if row else 0
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def _run(store: Store, sql: str, chain: str, path: str) -> int:
    row = store.con.execute(sql, {"chain": chain, "source": f"file:{path}"}).fetchone()
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


def _delete_covered(store: Store, chain: str, staged: dict[str, StagedFile]) -> None:
    plan: dict[str, list[tuple[str, str, str | None]]] = {"blocks": [("blocks", "number", None)],
            "transactions": [("transactions", "block_number", None), ("transfers", "block_number", "native")],
            "traces": [("transfers", "block_number", "internal")],
            "token_transfers": [("transfers", "block_number", "erc20")]}
    for kind, targets in plan.items():
        s = staged.get(kind)
        if s is None or s.min_block is None:
            continue
        for table, column, transfer_kind in targets:
            extra = " AND kind = ?" if transfer_kind else ""
            params: list[str | int | None] = [chain, s.min_block, s.max_block]
            if transfer_kind:
                params.append(transfer_kind)
            store.con.execute(f"DELETE FROM {table} WHERE chain = ? AND {column} BETWEEN ? AND ?{extra}",
                              params)
