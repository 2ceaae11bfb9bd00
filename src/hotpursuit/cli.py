"""The `hotpursuit` command line: ingest, import and store here; the other noun groups in their modules;
the exercise kit's commands (`node`, `drill`, `demo`) come from the `hotpursuit.cli` entry point group,
so the product never imports the kit (an architecture test pins it)."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from hotpursuit import cli_bitcoin, cli_labels, cli_server, cli_trace
from hotpursuit.chains.address_codec import check_evm_chain
from hotpursuit.cli_common import (
    DbOption,
    FormatOption,
    TableOrJson,
    _progress,
    _user_errors,
    console,
    err_console,
    stop_on_signals,
    summary_table,
)
from hotpursuit.store import Store

app = typer.Typer(help="hotpursuit: trace, interdict, screen and share stolen crypto.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
ingest_app = typer.Typer(help="Ingest chain data from a node.", no_args_is_help=True)
import_app = typer.Typer(help="Import chain data from export files.", no_args_is_help=True)
store_app = typer.Typer(help="Inspect the store; export and import Parquet.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
app.add_typer(import_app, name="import")
app.add_typer(store_app, name="store")


# ---- ingest ---------------------------------------------------------------------------------
@ingest_app.command("evm")
def ingest_evm(
    rpc: Annotated[str, typer.Option(help="Node JSON-RPC URL.")],
    db: DbOption,
    from_block: Annotated[int | None, typer.Option("--from", min=0, help="First block.")] = None,
    to_block: Annotated[int | None, typer.Option("--to", min=0, help="Last block (default: the tip).")] = None,
    follow: Annotated[bool, typer.Option("--follow", help="Keep tailing the tip; handles reorgs.")] = False,
    chain: Annotated[str | None, typer.Option(help="Chain name (default from eth_chainId).")] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Blocks per JSON-RPC batch.")] = 50,
    traces: Annotated[str, typer.Option(help="auto, trace_block, debug_traceBlockByNumber or none.")] = "auto",
    receipts: Annotated[bool, typer.Option(
        "--receipts/--no-receipts",
        help="Fetch receipts (gas used, exact fees). Without: failures from traces, ERC-20 from eth_getLogs, "
             "gas used left NULL; much faster on nodes with slow receipts.")] = True,
    poll: Annotated[float, typer.Option(help="Seconds between tip polls in --follow.")] = 0.5,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Ingest blocks, transactions, receipts, internal transfers and ERC-20 transfers from a node.

    Re-running a range changes nothing; a killed run resumes where it stopped. With --follow the
    chain tip is tailed and a reorganisation is rolled back to the common ancestor and replayed.
    """
    from hotpursuit.ingest.evm_node_job import EvmNodeIngest
    from hotpursuit.ingest.rpc_client import JsonRpcClient

    with _user_errors(), Store.open(db) as store:
        client = JsonRpcClient(rpc)
        job = EvmNodeIngest(client, store, chain=None if chain is None else check_evm_chain(chain),
                            batch_size=batch_size, traces=traces,
                            receipts=receipts)
        if follow:
            should_stop = stop_on_signals()

            def _log(n: int, s: Any) -> None:
                err_console.print(f"{job.chain}: +{n} blocks, {s.blocks} blocks / {s.transfers} transfers "
                                  f"stored, {s.reorgs} reorgs", highlight=False)

            stats = job.follow(from_block, poll_seconds=poll, should_stop=should_stop, on_chunk=_log)
        else:
            first = 0 if from_block is None else from_block
            last = int(client.call("eth_blockNumber", []), 16) if to_block is None else to_block
            if last < first:
                raise typer.BadParameter(f"--to {last} is below --from {first}")
            with _progress() as bar:
                task = bar.add_task(f"{job.chain} blocks", total=last - first + 1, detail="")
                stats = job.ingest_range(first, last, progress=lambda n, s: bar.update(
                    task, advance=n, detail=f"{s.transfers} transfers"))
        assessed = None if follow else _assess(store, job.chain)
        _print_stats(job.chain, asdict(stats), fmt, assessed)


def _assess(store: Store, chain: str) -> Any:
    """Asset trust and poisoning of the chain just written (so `address show` and screening warn)."""
    from hotpursuit.jobs.assess_job import assess_and_summarise

    with err_console.status(f"assessing assets and poisoning on {chain}"):
        return assess_and_summarise(store, chain)


def _print_stats(chain: str, stats: dict[str, Any], fmt: str, assessed: Any = None) -> None:
    if fmt == "json":
        extra = {} if assessed is None else {"assessment": asdict(assessed)}
        console.print_json(json.dumps({"chain": chain, **stats, **extra}))
        return
    table = Table(title=f"ingested ({chain})")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in stats.items():
        if isinstance(value, dict):
            for k, v in value.items():
                table.add_row(f"transfers: {k}", f"{v:,}")
        else:
            table.add_row(key.replace("_", " "), f"{value:,}")
    console.print(table)
    if assessed is not None:
        console.print(assessed.line(), highlight=False)


# ---- import ---------------------------------------------------------------------------------
@import_app.command("ethereum-etl")
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

    with _user_errors(), Store.open(db) as store:
        started = time.perf_counter()
        with err_console.status(f"importing {folder}"):
            result = import_ethereum_etl(store, folder, check_evm_chain(chain))
        elapsed = time.perf_counter() - started
        assessed = _assess(store, chain)
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


@import_app.command("explorer")
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

    with _user_errors(), Store.open(db) as store:
        result = import_explorer(store, files, chain=check_evm_chain(chain), owner=owner, tx_hash=tx)
        assessed = _assess(store, chain)
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


# ---- store ----------------------------------------------------------------------------------
@store_app.command("summary")
def store_summary(db: DbOption, fmt: FormatOption = TableOrJson.table) -> None:
    """Transfers per chain, kind and asset, with exact totals in base units."""
    from hotpursuit.store.summary import table_counts, transfer_summary

    with _user_errors(), Store.open(db, must_exist=True) as store:
        rows, counts = transfer_summary(store), table_counts(store)
    if fmt == "json":
        console.print_json(json.dumps({"tables": counts, "transfers": [
            {**asdict(r), "amount": str(r.amount)} for r in rows]}))
        return
    console.print(summary_table(rows, counts))


@store_app.command("export-parquet")
def store_export(folder: Path, db: DbOption,
                 block_range_size: Annotated[int, typer.Option(min=1, help="Blocks per partition.")] = 100_000) -> None:
    """Export blocks, transactions and transfers as Parquet partitioned by chain and block range."""
    from hotpursuit.store.parquet_io import export_parquet

    with _user_errors(), Store.open(db, must_exist=True) as store:
        counts = export_parquet(store, folder, block_range_size)
    console.print(f"exported to {folder}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))


@store_app.command("import-parquet")
def store_import(folder: Path, db: DbOption) -> None:
    """Import a Parquet export, replacing the block ranges it covers."""
    from hotpursuit.store.parquet_io import import_parquet

    with _user_errors(), Store.open(db) as store:
        counts = import_parquet(store, folder)
    console.print(f"imported from {folder}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))


cli_bitcoin.register(ingest_app, import_app)
cli_labels.register(app)
cli_trace.register(app)
cli_server.register(app)


# ---- commands from installed plugins: the exercise kit's node, drill and demo --------------------
def _register_plugins() -> None:
    """Add the commands of every `hotpursuit.cli` entry point (a function taking the app)."""
    for entry in entry_points(group="hotpursuit.cli"):
        entry.load()(app)


_register_plugins()


def main() -> None:  # pragma: no cover - console entry point
    """Entry point."""
    sys.exit(app())


if __name__ == "__main__":  # python -m hotpursuit.cli
    main()
