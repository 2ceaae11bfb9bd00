"""`hotpursuit store summary|export-parquet|import-parquet`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from hotpursuit.cli.options import (
    DbOption,
    FormatOption,
    TableOrJson,
    console,
    summary_table,
    user_errors,
)
from hotpursuit.errors import HotpursuitError
from hotpursuit.store import Store

app = typer.Typer(help="Inspect the store; export and import Parquet.", no_args_is_help=True)


@app.command("summary")
def store_summary(db: DbOption, fmt: FormatOption = TableOrJson.table) -> None:
    """Transfers per chain, kind and asset, with exact totals in base units."""
    from hotpursuit.store.summary import table_counts, transfer_summary

    with user_errors(), Store.open(db, must_exist=True) as store:
        rows, counts = transfer_summary(store), table_counts(store)
    if fmt == "json":
        console.print_json(json.dumps({"tables": counts, "transfers": [
            {**asdict(r), "amount": str(r.amount)} for r in rows]}))
        return
    console.print(summary_table(rows, counts))


@app.command("export-parquet")
def store_export(folder: Path, db: DbOption,
                 block_range_size: Annotated[int, typer.Option(min=1, help="Blocks per partition.")] = 100_000) -> None:
    """Export the chain tables (blocks, transactions, transfers, Bitcoin outputs and inputs) as Parquet
    partitioned by chain and block range, and labels, taint and poisoning transfers by chain, for `scale`."""
    from hotpursuit.store.parquet_io import CLUSTER_TABLES, EXPORT_TABLES, export_parquet

    with user_errors():
        if folder.exists() and not folder.is_dir():
            raise HotpursuitError(f"{folder}: exists and is not a folder; give a folder to export into")
        if folder.is_dir() and any(p.name not in (*EXPORT_TABLES, *CLUSTER_TABLES) for p in folder.iterdir()):
            raise HotpursuitError(f"{folder}: holds files other than a Parquet export; give a new or export folder")
        with Store.open(db, must_exist=True) as store:
            counts = export_parquet(store, folder, block_range_size)
    console.print(f"exported to {folder}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))


@app.command("import-parquet")
def store_import(folder: Path, db: DbOption) -> None:
    """Import a Parquet export, replacing the block ranges it covers, and the clusters `scale cluster` wrote
    into it (each chain's clusters and cluster links replaced whole)."""
    from hotpursuit.store.parquet_io import import_parquet

    with user_errors(), Store.open(db) as store:
        counts = import_parquet(store, folder)
    console.print(f"imported from {folder}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
