"""`hotpursuit ingest evm|bitcoin`: chain data from a node (EVM JSON-RPC; Bitcoin Core or Esplora)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

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
    progress,
    show_utxo_stats,
    stop_on_signals,
    user_errors,
)
from hotpursuit.store import Store

app = typer.Typer(help="Ingest chain data from a node.", no_args_is_help=True)


@app.command("evm")
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

    with user_errors(), Store.open(db) as store:
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
            with progress() as bar:
                task = bar.add_task(f"{job.chain} blocks", total=last - first + 1, detail="")
                stats = job.ingest_range(first, last, progress=lambda n, s: bar.update(
                    task, advance=n, detail=f"{s.transfers} transfers"))
        assessed = None if follow else assess_written(store, job.chain)
        _print_stats(job.chain, asdict(stats), fmt, assessed)


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

    with user_errors(), Store.open(db) as store:
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
            with progress() as bar:
                task = bar.add_task(f"{chain} {first}-{last}", total=last - first + 1, detail="")
                stats = job.ingest_range(first, last, progress=lambda n, s: bar.update(
                    task, advance=n, detail=f"{s.outputs:,} outputs"))
        show_utxo_stats(f"ingested {chain}", stats, time.perf_counter() - started, fmt)


app.command("bitcoin")(ingest_bitcoin_cmd)
