"""The poison model computed wholly in Spark: who is poisoned from when, and the exposure at endpoints.

Poisoning is monotone (trace/account_taint.py): an address is poisoned from the first movement it
receives that is loot (a seeded movement) or comes from an address poisoned before it; endpoints, known
venues, the zero address and the fee sink never are. So the poisoned set is a time-respecting
reachability: a fixpoint of joins over the movements, each round a semi-naive step (only addresses whose
moment improved are joined again), with the lineage cut every round (`localCheckpoint`; without it the
plan re-computes every earlier round: measured 6 s, 17 s, 84 s per round). A movement is exposed when it
is seeded or its sender was poisoned before it; an endpoint's exposure is the exact sum of the exposed
movements it received, per asset (decimal-text limbs), with the block of the first and their transactions.
The driver sends only the inputs (sources, endpoints, venues) and reads the small answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyarrow as pa

from hotpursuit.scale.arrow_transfer import spark_frame
from hotpursuit.scale.exact_sums import limb_sums, recombine
from hotpursuit.store.incident_tables import IncidentSources
from hotpursuit.trace.account_taint import FEE_SINK
from hotpursuit.trace.net_flows import ZERO_ADDRESS

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession


@dataclass
class PoisonExposure:
    """What the poison model finds: per endpoint and asset, the exposure, the block it began and the
    transactions; how many addresses are poisoned; how many Spark rounds it took."""

    endpoints: dict[tuple[str, str], tuple[int, int, list[str]]] = field(default_factory=dict)
    poisoned: int = 0
    rounds: int = 0


def poison_exposure(spark: SparkSession, moves: DataFrame, sources: IncidentSources, *, endpoints: set[str],
                    venues: set[str], traced_assets: set[str] | None) -> PoisonExposure:
    """Run the poison model over `moves` (block_number, tx_index, seq, tx_hash, from_address, to_address,
    asset, amount as decimal text) from `sources`; see the module docstring."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    def addresses(values: set[str], name: str = "address") -> DataFrame:
        return F.broadcast(spark_frame(spark, pa.table({name: pa.array(sorted(values), pa.string())})))

    at = _moment()
    moves = moves.withColumn("k", at).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        seeded = _seeded(spark, moves, sources, endpoints, traced_assets)
        never = endpoints | venues | {ZERO_ADDRESS, FEE_SINK}
        poisoned = (seeded.join(addresses(never, "to_address"), "to_address", "left_anti")
                    .groupBy(F.col("to_address").alias("address")).agg(F.min("k").alias("p"))).localCheckpoint()
        frontier, result = poisoned, PoisonExposure()
        while True:
            result.rounds += 1
            reached = (moves.join(frontier.withColumnRenamed("address", "from_address"), "from_address")
                       .where(F.col("k") > F.col("p"))
                       .join(addresses(never, "to_address"), "to_address", "left_anti")
                       .groupBy(F.col("to_address").alias("address")).agg(F.min("k").alias("nk")))
            improved = (reached.join(poisoned, "address", "left")
                        .where(F.col("p").isNull() | (F.col("nk") < F.col("p")))
                        .select("address", F.col("nk").alias("p"))).localCheckpoint()
            if improved.isEmpty():
                break
            poisoned = poisoned.join(improved, "address", "left_anti").unionByName(improved).localCheckpoint()
            frontier = improved
        result.poisoned = poisoned.count()
        from_poisoned = (moves.join(poisoned.withColumnRenamed("address", "from_address"), "from_address")
                         .where(F.col("k") > F.col("p")).drop("p"))
        exposed = from_poisoned.unionByName(seeded).distinct()
        totals = (exposed.join(addresses(endpoints, "to_address"), "to_address", "left_semi")
                  .groupBy("to_address", "asset")
                  .agg(F.min("block_number").alias("first_block"), F.sort_array(F.collect_set("tx_hash")).alias("txs"),
                       *limb_sums(F.col("amount"), "v")))
        for row in totals.collect():
            result.endpoints[(str(row["to_address"]), str(row["asset"]))] = (
                recombine(row, "v"), int(row["first_block"]), [str(t) for t in row["txs"]])
        return result
    finally:
        moves.unpersist()


def _seeded(spark: SparkSession, moves: DataFrame, sources: IncidentSources, endpoints: set[str],
            traced_assets: set[str] | None) -> DataFrame:
    """The movements that are loot at their source (the engine's `_seeded`)."""
    from pyspark.sql import functions as F

    def frame(columns: dict[str, list[str]]) -> DataFrame:
        return F.broadcast(spark_frame(spark, pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})))

    theft = moves.join(frame({"tx_hash": sorted(sources.theft_txs)}), "tx_hash", "left_semi")
    outflows = moves.join(frame({"from_address": sorted(sources.addresses - endpoints)}), "from_address", "left_semi")
    receipts = sorted(sources.receipts)
    received = moves.join(frame({"to_address": [a for a, _ in receipts], "tx_hash": [t for _, t in receipts]}),
                          ["to_address", "tx_hash"], "left_semi")
    seeded = theft.unionByName(outflows).unionByName(received).distinct()
    if traced_assets is not None:
        seeded = seeded.join(frame({"asset": sorted(traced_assets)}), "asset", "left_semi")
    return seeded


def _moment() -> Column:
    from pyspark.sql import functions as F

    return F.struct(F.col("block_number"), F.col("tx_index"), F.col("seq"))
