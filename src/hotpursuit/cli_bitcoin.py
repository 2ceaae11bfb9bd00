"""The Bitcoin commands of the CLI: `import bitcoin-blocks`, `import bitcoin-etl`, `ingest bitcoin`."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hotpursuit.chains.btc_address import NETWORKS
from hotpursuit.cli_common import (
    DbOption,
    FormatOption,
    TableOrJson,
    _progress,
    _user_errors,
    console,
    err_console,
    stop_on_signals,
)
from hotpursuit.ingest.bitcoin_source import UtxoIngestStats
from hotpursuit.store import Store

NetworkOption = Annotated[str, typer.Option(help="main, test or regtest (address prefixes).")]


def _show(title: str, stats: UtxoIngestStats, seconds: float, fmt: str) -> None:
    if fmt == "json":
        console.print_json(json.dumps({**asdict(stats), "seconds": seconds}))
        return
    table = Table(title=f"{title} in {seconds:.2f} s")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in asdict(stats).items():
        if isinstance(value, dict):
            for k, v in sorted(value.items()):
                table.add_row(f"outputs: {k}", f"{v:,}")
        else:
            table.add_row(key.replace("_", " "), f"{value:,}")
    console.print(table)


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

    with _user_errors(), Store.open(db) as store:
        started = time.perf_counter()
        with err_console.status(f"importing {len(paths)} file(s)"):
            stats = import_bitcoin_blocks(store, paths, chain=chain, first_height=first_height,
                                          network=NETWORKS[network], prevout_files=prevouts or [])
        _show(f"imported {chain} blocks", stats, time.perf_counter() - started, fmt)

def import_bitcoin_etl_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder with bitcoin-etl's blocks.json and transactions.json.")],
    db: DbOption,
    chain: Annotated[str, typer.Option(help="Chain name in the store.")] = "bitcoin",
    network: NetworkOption = "main",
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Import a bitcoin-etl export; output addresses re-derived from scripts and cross-checked."""
    from hotpursuit.ingest.bitcoin_etl_job import import_bitcoin_etl

    with _user_errors(), Store.open(db) as store:
        started = time.perf_counter()
        stats = import_bitcoin_etl(store, folder, chain=chain, network=NETWORKS[network])
        _show(f"imported {folder}", stats, time.perf_counter() - started, fmt)

def ingest_bitcoin_cmd(
    db: DbOption,
    rpc: Annotated[str | None, typer.Option(help="Bitcoin Core JSON-RPC URL.")] = None,
    esplora: Annotated[str | None, typer.Option(help="Esplora REST base URL (instead of --rpc).")] = None,
    rpc_user: Annotated[str | None, typer.Option(envvar="HOTPURSUIT_BTC_RPC_USER")] = None,
    rpc_password: Annotated[str | None, typer.Option(envvar="HOTPURSUIT_BTC_RPC_PASSWORD")] = None,
    rpc_cookie: Annotated[Path | None, typer.Option(help="Core's .cookie file.")] = None,
    from_height: Annotated[int | None, typer.Option("--from", min=0, help="First height.")] = None,
    to_height: Annotated[int | None, typer.Option("--to", min=0, help="Last height (default: the tip).")] = None,
    follow: Annotated[bool, typer.Option("--follow", help="Keep tailing the tip; handles reorgs.")] = False,
    chain: Annotated[str, typer.Option(help="Chain name in the store.")] = "bitcoin",
    batch_size: Annotated[int, typer.Option(min=1, help="Blocks per request batch.")] = 20,
    network: NetworkOption = "main",
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Ingest blocks from Bitcoin Core (getblock verbosity 3, or 2) or an Esplora API."""
    from hotpursuit.errors import IngestError
    from hotpursuit.ingest.bitcoin_node_job import BitcoinIngest, CoreRpcSource, EsploraSource, core_auth

    with _user_errors(), Store.open(db) as store:
        if (rpc is None) == (esplora is None):
            raise IngestError("give exactly one of --rpc URL or --esplora URL")
        net = NETWORKS[network]
        source: CoreRpcSource | EsploraSource = (
            CoreRpcSource(rpc, core_auth(rpc_user, rpc_password, rpc_cookie), net) if rpc is not None
            else EsploraSource(str(esplora), net))
        job = BitcoinIngest(source, store, chain=chain, batch_size=batch_size, network=net)
        started = time.perf_counter()
        if follow:
            should_stop = stop_on_signals()
            stats = job.follow(from_height, should_stop=should_stop, on_chunk=lambda n, s: err_console.print(
                f"{chain}: +{n} blocks, {s.blocks} stored, {s.reorgs} reorgs", highlight=False))
        else:
            first = 0 if from_height is None else from_height
            last = source.tip() if to_height is None else to_height
            if last < first:
                raise IngestError(f"--to {last} is below --from {first}")
            with _progress() as bar:
                task = bar.add_task(f"{chain} {first}-{last}", total=last - first + 1, detail="")
                stats = job.ingest_range(first, last, progress=lambda n, s: bar.update(
                    task, advance=n, detail=f"{s.outputs:,} outputs"))
        _show(f"ingested {chain}", stats, time.perf_counter() - started, fmt)


def register(ingest_app: typer.Typer, import_app: typer.Typer) -> None:
    """Add the Bitcoin commands to the `ingest` and `import` groups."""
    import_app.command("bitcoin-blocks")(import_bitcoin_blocks_cmd)
    import_app.command("bitcoin-etl")(import_bitcoin_etl_cmd)
    ingest_app.command("bitcoin")(ingest_bitcoin_cmd)
