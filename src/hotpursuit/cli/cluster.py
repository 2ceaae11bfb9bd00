"""`hotpursuit cluster run`: who controls which addresses."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from hotpursuit.cli.options import (
    DbOption,
    FormatOption,
    TableOrJson,
    console,
    user_errors,
)
from hotpursuit.store import Store

app = typer.Typer(help="Clustering: who controls which addresses.", no_args_is_help=True)


@app.command("run")
def cluster_run(
    chain: Annotated[str, typer.Argument(help="Chain to cluster (bitcoin: multi-input; EVM: deposit addresses).")],
    db: DbOption,
    change: Annotated[bool, typer.Option(help="Bitcoin: also the one-time-change heuristic (confidence 50).")] = False,
    window: Annotated[int, typer.Option(min=1, help="EVM: blocks within which a deposit must be swept.")] = 100,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Merge the links found since the last run into the stored clusters (incremental)."""
    from hotpursuit.jobs.cluster_job import run_clustering

    with user_errors(), Store.open(db, must_exist=True) as store:
        stats = run_clustering(store, chain, change=change, window=window)
    if fmt == "json":
        console.print_json(json.dumps(asdict(stats)))
        return
    console.print(f"{chain}: {stats.transactions:,} transactions read, {stats.coinjoins_skipped:,} CoinJoins "
                  f"skipped, {stats.links:,} new links ({stats.by_reason or 'none'}), {stats.merges:,} merges; "
                  f"{stats.addresses:,} addresses in {stats.clusters:,} clusters; "
                  f"{len(stats.deposit_addresses)} deposit addresses found", highlight=False)
