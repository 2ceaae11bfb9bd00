"""`hotpursuit scale trace`: an incident traced with the chain data read by Spark from a Parquet export.

The incident, its sources, the labels and the asset assessment come from the store; the movements,
signers, block times and the Bitcoin leg come from the export through `SparkChainReads`; the exact
engine (haircut, FIFO, poison) replays the extract on the driver, so the report is the embedded
`trace`'s, byte for byte, when the export holds the same chain data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hotpursuit.jobs.trace_job import run_trace
from hotpursuit.scale.trace_reads import SparkChainReads
from hotpursuit.store.database import Store
from hotpursuit.trace.report import TraceReport

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass
class ScaleTraceStats:
    """What a Spark trace did (for the command's summary line)."""

    hops: int  # Spark frontier jobs run
    seconds: float


def run_scale_trace(spark: SparkSession, parquet: str, store: Store, incident: str, *, model: str = "haircut",
                    max_hops: int | None = None, dust: int = 0, dust_by_asset: dict[str, int] | None = None,
                    until_block: int | None = None,
                    include_assets: list[str] | None = None) -> tuple[TraceReport, ScaleTraceStats]:
    """Trace `incident` over the export at `parquet`; the same parameters as `run_trace`."""
    started = time.perf_counter()
    reads = SparkChainReads(spark, parquet, store)
    report = run_trace(store, incident, model=model, max_hops=max_hops, dust=dust, dust_by_asset=dust_by_asset,
                       until_block=until_block, include_assets=include_assets, reads=reads)
    return report, ScaleTraceStats(reads.hops, time.perf_counter() - started)
