"""Parquet export and import of the chain tables, partitioned by chain and block range, for Spark.

Amounts (BIGNUM) are written as decimal text, the only Parquet type that holds any uint256 exactly
(Spark's decimals stop at 38 digits); import casts them back. Chain tables land in
`<dir>/<table>/chain=<c>/block_range=<start>/*.parquet` (`block_range` = first block of the range).
The investigation's own tables a scale-out job joins against (labels with their TLP and owner, saved
taint, the poisoning transfers an assessment found) are written whole under `<dir>/<table>/chain=<c>/`:
the export is an operator's copy of the store, as private as the store file itself. Import also loads what
`scale cluster` wrote into the export (`address_clusters/`, `cluster_links/`; see `cluster_parquet.py`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hotpursuit.errors import StoreError
from hotpursuit.store.cluster_parquet import import_clusters
from hotpursuit.store.database import Store

CHAIN_TABLES = {"blocks": "number", "transactions": "block_number", "transfers": "block_number",
                "utxo_outputs": "block_number", "utxo_inputs": "block_number"}
SIDE_TABLES = ("labels", "taint", "poisoning_transfers")
EXPORT_TABLES = (*CHAIN_TABLES, *SIDE_TABLES)
CLUSTER_TABLES = ("address_clusters", "cluster_links")  # written by `scale cluster` into the export


def _columns(store: Store, table: str) -> list[tuple[str, str]]:
    return [(str(r[0]), str(r[1])) for r in store._con.execute(f"DESCRIBE {table}").fetchall()]


def export_parquet(store: Store, folder: Path, block_range_size: int = 100_000) -> dict[str, int]:
    """Write each chain table under `folder`, partitioned; returns rows written per table."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table, block_col in CHAIN_TABLES.items():
        cols = _text_amounts(store, table)
        target = str(folder / table).replace("'", "''")
        row = store._con.execute(f"SELECT count(*) FROM {table}").fetchone()
        counts[table] = int(row[0]) if row else 0
        if counts[table] == 0:
            continue
        store._con.execute(
            f"COPY (SELECT {cols}, ({block_col} // {block_range_size}) * {block_range_size} AS block_range "
            f"FROM {table} ORDER BY chain, {block_col}) TO '{target}' "
            "(FORMAT parquet, PARTITION_BY (chain, block_range), OVERWRITE_OR_IGNORE true)")
    for table in SIDE_TABLES:
        target_dir = folder / table
        if target_dir.exists():  # rows can be withdrawn: a side table is replaced whole
            shutil.rmtree(target_dir)
        row = store._con.execute(f"SELECT count(*) FROM {table}").fetchone()
        counts[table] = int(row[0]) if row else 0
        if counts[table] == 0:
            continue
        store._con.execute(
            f"COPY (SELECT {_text_amounts(store, table)} FROM {table} ORDER BY ALL) "
            f"TO '{str(target_dir).replace(chr(39), chr(39) * 2)}' (FORMAT parquet, PARTITION_BY (chain))")
    return counts


def _text_amounts(store: Store, table: str) -> str:
    return ", ".join(f"{name}::VARCHAR AS {name}" if typ == "BIGNUM" else name for name, typ in _columns(store, table))


def import_parquet(store: Store, folder: Path) -> dict[str, int]:
    """Load an export made by `export_parquet`, replacing the covered block ranges atomically."""
    con = store._con
    counts = {}
    con.execute("BEGIN TRANSACTION")
    try:
        for table, block_col in CHAIN_TABLES.items():
            files = sorted((folder / table).glob("**/*.parquet"))
            if not files:
                counts[table] = 0
                continue
            pattern = str(folder / table / "**" / "*.parquet").replace("'", "''")
            src = f"read_parquet('{pattern}', hive_partitioning=true, hive_types_autocast=false)"
            ranges = con.execute(f"SELECT chain, min({block_col}), max({block_col}) FROM {src} "
                                 "GROUP BY chain").fetchall()
            for chain, lo, hi in ranges:
                con.execute(f"DELETE FROM {table} WHERE chain = ? AND {block_col} BETWEEN ? AND ?",
                            [chain, lo, hi])
            cols = ", ".join(f"{name}::{typ}" for name, typ in _columns(store, table))
            row = con.execute(f"INSERT INTO {table} SELECT {cols} FROM {src}").fetchone()
            counts[table] = int(row[0]) if row else 0
        counts |= import_clusters(store, con, folder)
        con.execute("COMMIT")
    except Exception as exc:
        con.execute("ROLLBACK")
        raise StoreError(f"parquet import from {folder} failed, nothing was changed: {exc}") from exc
    return counts
