"""`hotpursuit scale trace INCIDENT --model poison --spark-only`: the poison model wholly in Spark.

The incident, its sources, the endpoints (labelled services) and venues come from the store, as for
any trace; the movements from the Parquet export; the answer (per endpoint and asset: the exposure, the
block it began, the transactions) is what the exact engine reports under the poison model
(`trace --model poison`: `exposure`, `since_block`, `evidence`), without bringing the sub-graph to the
driver. No hop limit or dust: they depend on the conserved tainted amounts, which only the engine keeps.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from hotpursuit.jobs.trace_job import incident_to_trace
from hotpursuit.jobs.trace_setup import trace_setup
from hotpursuit.scale.poison_reach import poison_exposure
from hotpursuit.scale.session import ScaleError
from hotpursuit.scale.trace_reads import SparkChainReads
from hotpursuit.store.database import Store

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def run_scale_poison(spark: SparkSession, parquet: str, store: Store, incident: str, *,
                     until_block: int | None = None, include_assets: list[str] | None = None) -> dict[str, Any]:
    """The poison model's exposure at the incident's endpoints, computed in Spark (JSON-ready)."""
    from pyspark.sql import functions as F

    started = time.perf_counter()
    chain, since, sources = incident_to_trace(store, incident)
    setup = trace_setup(store, chain, include_assets=include_assets)
    moves = SparkChainReads(spark, parquet, store).moves_frame(chain, since, set(setup.ignored_assets))
    if moves is None:
        raise ScaleError(f"--parquet {parquet}: no transfers table in this export")
    if until_block is not None:
        moves = moves.where(F.col("block_number") <= until_block)
    result = poison_exposure(spark, moves, sources, endpoints=set(setup.endpoints), venues=set(setup.venues),
                             traced_assets=setup.traced_assets)
    return {
        "incident": incident, "model": "poison", "engine": "spark", "chain": chain, "until_block": until_block,
        "poisoned_addresses": result.poisoned, "rounds": result.rounds,
        "seconds": round(time.perf_counter() - started, 3),
        "endpoints": [{"chain": chain, "address": address, "asset": asset, "kind": setup.endpoints[address].kind,
                       "owner": setup.endpoints[address].owner, "exposure": str(exposure), "since_block": first,
                       "evidence": txs}
                      for (address, asset), (exposure, first, txs) in sorted(result.endpoints.items())]}
