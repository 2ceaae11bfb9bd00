"""`hotpursuit scale cluster CHAIN --parquet DIR --master ...`: `cluster run` on Spark over a Parquet export."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from hotpursuit.cli.options import FormatOption, TableOrJson, console, err_console, user_errors
from hotpursuit.cli.scale import ConfOption, MasterOption, ParquetOption, export_folder


def scale_cluster_cmd(
    chain: Annotated[str, typer.Argument(help="Chain to cluster (bitcoin: multi-input; EVM: deposit addresses).")],
    parquet: ParquetOption,
    master: MasterOption = "local[2]",
    conf: ConfOption = None,
    change: Annotated[bool, typer.Option(help="Bitcoin: also the one-time-change heuristic (confidence 50).")] = False,
    window: Annotated[int, typer.Option(min=1, help="EVM: blocks within which a deposit must be swept.")] = 100,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Cluster CHAIN of an export with Spark: the same clusters as `cluster run`, written next to the export
    as address_clusters/ and cluster_links/ (load them with `store import-parquet`). Incremental: a second run
    reads only the block ranges exported since."""
    from hotpursuit.scale.session import ScaleError, parse_settings, spark_session

    with user_errors():
        try:
            from pyspark.sql import SparkSession

            from hotpursuit.scale.cluster_job import check_export, run_scale_cluster
        except ImportError as exc:
            raise ScaleError("pyspark is not installed: pip install 'hotpursuit[scale]'") from exc
        folder = export_folder(parquet, ())
        check_export(folder, chain, change=change, window=window)  # before paying for a JVM
        settings = parse_settings(conf or [])
        with err_console.status("starting Spark") as status:
            ours = SparkSession.getActiveSession() is None  # a session we join stays up
            spark = spark_session(master, settings, app=f"hotpursuit-scale-cluster-{chain}")
            try:
                stats = run_scale_cluster(spark, folder, chain, change=change, window=window,
                                          on_phase=lambda name: status.update(f"scale cluster {chain}: {name}"))
            finally:
                if ours:
                    spark.stop()
    if fmt == "json":
        console.print_json(json.dumps(asdict(stats)))
        return
    seconds = ", ".join(f"{k} {v:.1f}s" for k, v in stats.seconds.items())
    console.print(f"{chain} ({stats.kind}): {stats.block_ranges_read:,} of {stats.block_ranges_total:,} block ranges "
                  f"read, {stats.transactions:,} transactions, {stats.coinjoins_skipped:,} CoinJoins skipped, "
                  f"{stats.deposit_addresses:,} deposit addresses, {stats.links:,} new links; graph "
                  f"{stats.edges_before_reduction:,} -> {stats.edges_after_reduction:,} edges "
                  f"({stats.trivial_addresses:,} trivial addresses); {stats.addresses:,} addresses in "
                  f"{stats.clusters:,} clusters; {seconds or 'nothing new'}", highlight=False)
