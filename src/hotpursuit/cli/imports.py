"""`hotpursuit import ...`: chain data from export files (ethereum-etl, explorer exports, Bitcoin blocks,
bitcoin-etl)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hotpursuit.chains.address_codec import check_evm_chain
from hotpursuit.chains.btc_address import NETWORKS
from hotpursuit.cli.options import (
    DbOption,
    FormatOption,
    NetworkOption,
    TableOrJson,
    assess_written,
    console,
    err_console,
    show_utxo_stats,
    user_errors,
)
from hotpursuit.store import Store

app = typer.Typer(help="Import chain data from export files.", no_args_is_help=True)


@app.command("ethereum-etl")
def import_ethereum_etl_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder of ethereum-etl exports (.csv or .json lines).")],
    db: DbOption,
    chain: Annotated[str, typer.Option(help="Chain the export is from.")] = "ethereum",
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Import blocks, transactions, receipts, token_transfers and traces exported by ethereum-etl.

    Every file is validated first; a malformed one is named with its line and column and nothing
    is stored. Re-importing the same files changes nothing.
    """
    from hotpursuit.ingest.ethereum_etl_job import import_ethereum_etl

    with user_errors(), Store.open(db) as store:
        started = time.perf_counter()
        with err_console.status(f"importing {folder}"):
            result = import_ethereum_etl(store, folder, check_evm_chain(chain))
        elapsed = time.perf_counter() - started
        assessed = assess_written(store, chain)
    if fmt == "json":
        console.print_json(json.dumps({**asdict(result), "seconds": elapsed, "assessment": asdict(assessed)}))
        return
    table = Table(title=f"imported {folder} ({chain}) in {elapsed:.2f} s")
    table.add_column("table")
    table.add_column("rows stored", justify="right")
    for name, count in result.rows_stored.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(assessed.line(), highlight=False)


@app.command("explorer")
def import_explorer_cmd(
    files: Annotated[list[Path], typer.Argument(help="Explorer exports: Etherscan web CSVs, API JSON replies, "
                                                     "or an investigation outflows CSV.")],
    db: DbOption,
    chain: Annotated[str, typer.Option(help="Chain the exports are from.")] = "ethereum",
    owner: Annotated[str | None, typer.Option(
        "--from", help="The address whose outflows an investigation CSV lists (required for that shape).")] = None,
    tx: Annotated[str | None, typer.Option(
        "--tx", help="The transaction a txlistinternal reply asked by hash (txhash=) is about: its rows do not "
                     "name it (required for that shape).")] = None,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Import block-explorer exports (Etherscan normal, internal and ERC-20 transactions; txlist,
    txlistinternal and tokentx API replies, txlistinternal by transaction with --tx) and merge them with
    what the store holds.

    Every file is validated first (a bad cell is named with file, line and column, and nothing is
    stored). Overlapping exports merge: a movement already stored is not stored again, and nothing a
    file does not mention is deleted. Tokens whose decimals no source states are assumed to have 18
    and listed.
    """
    from hotpursuit.ingest.explorer_job import import_explorer

    with user_errors(), Store.open(db) as store:
        result = import_explorer(store, files, chain=check_evm_chain(chain), owner=owner, tx_hash=tx)
        assessed = assess_written(store, chain)
    if fmt == "json":
        console.print_json(json.dumps({**asdict(result), "added": result.added, "assessment": asdict(assessed)}))
        return
    table = Table(title=f"imported {len(files)} explorer export(s) ({chain})")
    for name in ("file", "shape", "rows", "native", "internal", "erc20", "added", "already stored", "txs added"):
        table.add_column(name, justify="left" if name in ("file", "shape") else "right")
    for f in result.files:
        table.add_row(Path(f.file).name, f.shape, f"{f.rows:,}", *(f"{f.movements.get(k, 0):,}"
                      for k in ("native", "internal", "erc20")), f"{f.added:,}", f"{f.already_stored:,}",
                      f"{f.transactions_added:,}")
    console.print(table)
    skipped = {k: v for f in result.files for k, v in f.skipped.items()}
    for reason in sorted(skipped):
        total = sum(f.skipped.get(reason, 0) for f in result.files)
        console.print(f"rows moving no value: {total:,} {reason}", highlight=False)
    if result.replaced_synthetic:
        console.print(f"{result.replaced_synthetic:,} movements stored without a log index were replaced by the "
                      "precise rows", highlight=False)
    console.print(f"tokens added: {result.tokens_added:,}", highlight=False)
    if result.assumed_decimals:
        shown = ", ".join(result.assumed_decimals[:5]) + (", ..." if len(result.assumed_decimals) > 5 else "")
        console.print(f"decimals assumed 18 for {len(result.assumed_decimals)} token(s) no source states them for "
                      f"(--format json lists all): {shown}", highlight=False)
    console.print(assessed.line(), highlight=False)


def import_bitcoin_blocks_cmd(
    paths: Annotated[list[Path], typer.Argument(help="blk*.dat files and/or files of raw block hex.")],
    db: DbOption,
    chain: Annotated[str, typer.Option(help="Chain name in the store.")] = "bitcoin",
    first_height: Annotated[int | None, typer.Option(
        min=0, help="Height of the first block whose parent is neither stored nor in the files.")] = None,
    prevouts: Annotated[list[Path] | None, typer.Option(
        "--prevout-txs", help="Raw hex of funding transactions not in the store (one per line).")] = None,
    network: NetworkOption = "main",
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Import raw blocks: every block decoded and merkle-checked and every input valued first."""
    from hotpursuit.ingest.bitcoin_blocks_job import import_bitcoin_blocks

    with user_errors(), Store.open(db) as store:
        started = time.perf_counter()
        with err_console.status(f"importing {len(paths)} file(s)"):
            stats = import_bitcoin_blocks(store, paths, chain=chain, first_height=first_height,
                                          network=NETWORKS[network], prevout_files=prevouts or [])
        show_utxo_stats(f"imported {chain} blocks", stats, time.perf_counter() - started, fmt)


def import_bitcoin_etl_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder with bitcoin-etl's blocks.json and transactions.json.")],
    db: DbOption,
    chain: Annotated[str, typer.Option(help="Chain name in the store.")] = "bitcoin",
    network: NetworkOption = "main",
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Import a bitcoin-etl export; output addresses re-derived from scripts and cross-checked."""
    from hotpursuit.ingest.bitcoin_etl_job import import_bitcoin_etl

    with user_errors(), Store.open(db) as store:
        started = time.perf_counter()
        stats = import_bitcoin_etl(store, folder, chain=chain, network=NETWORKS[network])
        show_utxo_stats(f"imported {folder}", stats, time.perf_counter() - started, fmt)


app.command("bitcoin-blocks")(import_bitcoin_blocks_cmd)
app.command("bitcoin-etl")(import_bitcoin_etl_cmd)
