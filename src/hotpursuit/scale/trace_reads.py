"""The trace's chain reads (`jobs.chain_reads.ChainReads`) answered by Spark over a Parquet export.

The movements a trace can touch are extracted hop by hop, forward in time, exactly as the embedded
transfer index walks them (`trace/transfer_index.py`): the reached addresses and the moment each was first
reached stay on the driver; each hop is one Spark job that joins the frontier to the movements, keeps a
movement when it comes at or after the moment its sender was first reached, and returns per receiver the
earliest such movement; a receiver whose moment improved is the next frontier. Then every movement of
the reached addresses (their clean receipts set the haircut denominators) and of the sources' own
transactions comes to the driver as Arrow, in chain order, for the exact engine. A moment is the chain
position (block, tx index, movement index), compared as a struct. The number of hops is the longest
earliest-arrival chain (Bitcoin peel chains make it long): each hop costs one job (~0.5 s on local[2]).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from hotpursuit.scale.arrow_transfer import arrow_batches, arrow_table, spark_frame
from hotpursuit.scale.exact_sums import limb_sums, recombine
from hotpursuit.store.database import Store
from hotpursuit.store.incident_tables import IncidentSources
from hotpursuit.store.scale_inputs import bridge_payout_links, poisoning_keys
from hotpursuit.trace.bridge_crossing import BridgeCrossing
from hotpursuit.trace.movement import Movement
from hotpursuit.trace.utxo_taint import UtxoTx

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

Moment = tuple[int, int, int]
BEFORE_ALL: Moment = (-1, -1, -1)  # a source's moment: all its movements count
ORDER = ("block_number", "tx_index", "seq")
MOVEMENT_COLUMNS = (*ORDER, "tx_hash", "from_address", "to_address", "asset", "amount")


class SparkChainReads:
    """Chain reads over the export at `parquet` (a folder or object-store URL); the poisoning transfers
    and bridge links come from `store` as they are now."""

    def __init__(self, spark: SparkSession, parquet: str, store: Store) -> None:
        self.spark, self.root, self.store = spark, parquet.rstrip("/"), store
        self.hops = 0  # the number of Spark hop jobs the last extraction ran (a figure for the caller)
        self._read: dict[str, DataFrame | None] = {}  # each table's files are listed once

    def _table(self, table: str, chain: str) -> DataFrame | None:
        """One exported table, restricted to `chain` (partition pruning); None when it was not exported."""
        from pyspark.errors import AnalysisException
        from pyspark.sql import functions as F

        if table not in self._read:
            try:
                self._read[table] = self.spark.read.parquet(f"{self.root}/{table}")
            except AnalysisException as exc:
                if "PATH_NOT_FOUND" not in str(exc) and "UNABLE_TO_INFER_SCHEMA" not in str(exc):
                    raise
                self._read[table] = None
        frame = self._read[table]
        return None if frame is None else frame.where(F.col("chain") == chain)

    def _values(self, column: str, values: Iterable[str]) -> DataFrame:
        return spark_frame(self.spark, pa.table({column: pa.array(sorted(set(values)), pa.string())}))

    def moves_frame(self, chain: str, since: int, ignored: set[str]) -> DataFrame | None:
        """The movements a trace reads: value-carrying, not of `ignored` assets, no poisoning transfers."""
        from pyspark.sql import functions as F

        transfers = self._table("transfers", chain)
        if transfers is None:
            return None
        moves = transfers.where((F.col("block_number") >= since) & (F.col("amount") != "0"))
        if ignored:
            moves = moves.join(F.broadcast(self._values("asset", ignored)), "asset", "left_anti")
        poisoning = poisoning_keys(self.store, chain)
        if poisoning.num_rows:
            moves = moves.join(F.broadcast(spark_frame(self.spark, poisoning)),
                               ["tx_hash", "asset", "from_address", "to_address"], "left_anti")
        return moves.select(*MOVEMENT_COLUMNS)

    def movements(self, chain: str, since: int, sources: IncidentSources, ignored: set[str],
                  max_hops: int | None) -> list[Movement]:
        """The movements a trace can touch, found hop by hop in Spark (see the module docstring)."""
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        moves = self.moves_frame(chain, since, ignored)
        self.hops = 0
        if moves is None:
            return []
        # the hops scan only who paid whom when: a narrow copy is kept (the text of hashes and amounts is
        # most of a row), the two other passes read the export again with the same filters
        edges = moves.select("from_address", "to_address", *ORDER).persist(StorageLevel.MEMORY_AND_DISK)
        try:
            source_txs = sources.theft_txs | {tx for _, tx in sources.receipts}
            in_source_txs = moves.join(F.broadcast(self._values("tx_hash", source_txs)), "tx_hash", "left_semi")
            named = sources.addresses | {a for a, _ in sources.receipts}
            starts = set(arrow_table(in_source_txs.select("to_address").distinct()).column(0).to_pylist())
            movers = edges.select(F.col("from_address").alias("a")).unionByName(edges.select(F.col("to_address")
                                                                                             .alias("a")))
            starts |= set(arrow_table(movers.join(F.broadcast(self._values("a", named)), "a", "left_semi")
                                      .distinct()).column(0).to_pylist())
            first = self._reach(edges, starts, max_hops if max_hops is not None else 1 << 30)
            reached = self._values("address", first)
            touching = (moves.join(reached.withColumnRenamed("address", "from_address"), "from_address", "left_semi")
                        .unionByName(moves.join(reached.withColumnRenamed("address", "to_address"), "to_address",
                                                "left_semi"))
                        .unionByName(in_source_txs.select(*MOVEMENT_COLUMNS)).distinct())
            return _in_chain_order(touching)
        finally:
            edges.unpersist()

    def _reach(self, moves: DataFrame, starts: set[str], max_hops: int) -> dict[str, Moment]:
        """Address -> the moment taint first reached it (the embedded `TransferIndex.reachable`)."""
        from pyspark.sql import functions as F

        first: dict[str, Moment] = dict.fromkeys(starts, BEFORE_ALL)
        frontier = sorted(starts)
        for _ in range(max_hops):
            if not frontier:
                break
            self.hops += 1
            table = pa.table({"from_address": pa.array(frontier, pa.string()),
                              **{f"f_{c}": pa.array([first[a][i] for a in frontier], pa.int64())
                                 for i, c in enumerate(ORDER)}})
            at = _moment(*ORDER)
            since_first = _moment(*(f"f_{c}" for c in ORDER))
            earliest = (moves.join(spark_frame(self.spark, table), "from_address")
                        .where(at >= since_first)
                        .groupBy("to_address").agg(F.min(at).alias("m")))
            improved = []
            for batch in arrow_batches(earliest):
                for address, moment in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
                    key = (int(moment["block_number"]), int(moment["tx_index"]), int(moment["seq"]))
                    if key < first.get(address, (1 << 62, 0, 0)):
                        first[address] = key
                        improved.append(address)
            frontier = sorted(improved)
        return first

    def signers(self, chain: str, txs: Iterable[str]) -> dict[str, str]:
        from pyspark.sql import functions as F

        wanted = set(txs)
        table = self._table("transactions", chain)
        if not wanted or table is None:
            return {}
        rows = arrow_table(table.join(F.broadcast(self._values("hash", wanted)), "hash", "left_semi")
                           .where(F.col("from_address").isNotNull()).select("hash", "from_address"))
        return dict(zip(rows.column(0).to_pylist(), rows.column(1).to_pylist(), strict=True))

    def asset_traffic(self, chain: str, since: int, assets: Iterable[str],
                      addresses: Iterable[str]) -> dict[str, tuple[int, int]]:
        from pyspark.sql import functions as F

        wanted, touched = set(assets), set(addresses)
        transfers = self._table("transfers", chain)
        if not wanted or not touched or transfers is None:
            return {}
        near = self._values("address", touched)
        rows = (transfers.where(F.col("block_number") >= since)
                .join(F.broadcast(self._values("asset", wanted)), "asset", "left_semi")
                .join(F.broadcast(near), (F.col("from_address") == near["address"])
                      | (F.col("to_address") == near["address"]), "left_semi")
                .groupBy("asset").agg(F.count(F.lit(1)).alias("n"), *limb_sums(F.col("amount"), "v"))
                .collect())
        return {str(r["asset"]): (int(r["n"]), recombine(r, "v")) for r in rows}

    def txs_with_movements(self, chain: str, txs: Iterable[str]) -> set[str]:
        from pyspark.sql import functions as F

        wanted = set(txs)
        transfers = self._table("transfers", chain)
        if not wanted or transfers is None:
            return set()
        found = transfers.join(F.broadcast(self._values("tx_hash", wanted)), "tx_hash", "left_semi")
        return set(arrow_table(found.select("tx_hash").distinct()).column(0).to_pylist())

    def block_times(self, chain: str, numbers: list[int]) -> dict[int, int]:
        from pyspark.sql import functions as F

        blocks = self._table("blocks", chain)
        if not numbers or blocks is None:
            return {}
        rows = arrow_table(blocks.where(F.col("number").isin(sorted(set(numbers)))).select("number", "timestamp"))
        return dict(zip(rows.column(0).to_pylist(), rows.column(1).to_pylist(), strict=True))

    def crossings(self) -> list[BridgeCrossing]:
        from pyspark.sql import functions as F

        links = bridge_payout_links(self.store, "bitcoin")
        outputs = self._table("utxo_outputs", "bitcoin")
        if not links or outputs is None:
            return []
        payouts = spark_frame(self.spark, pa.table({
            "from_tx_hash": [x[0] for x in links], "amount_in": [str(x[1]) for x in links],
            "tx_hash": [x[2] for x in links], "address": [x[3] for x in links]}))
        rows = arrow_table(outputs.join(F.broadcast(payouts), ["tx_hash", "address"])
                           .select("from_tx_hash", "amount_in", "tx_hash", "output_index", "value")).to_pylist()
        rows.sort(key=lambda r: (r["from_tx_hash"], r["tx_hash"], r["output_index"]))
        return [BridgeCrossing(r["from_tx_hash"], int(r["amount_in"]), (r["tx_hash"], int(r["output_index"])),
                               int(r["value"])) for r in rows]

    def utxo_txs(self) -> list[UtxoTx]:
        """Every Bitcoin transaction of the export (the leg after a bridge is replayed whole)."""
        outputs = self._table("utxo_outputs", "bitcoin")
        if outputs is None:
            return []
        outs = arrow_table(outputs.select("tx_hash", "block_number", "tx_index", "output_index", "address",
                                          "value")).to_pylist()
        outs.sort(key=lambda r: (r["block_number"], r["tx_index"], r["output_index"]))
        grouped: dict[str, list[Any]] = {}
        for r in outs:
            grouped.setdefault(r["tx_hash"], [(int(r["block_number"]), int(r["tx_index"])), []])[1].append(
                (r["address"], int(r["value"])))
        inputs_table = self._table("utxo_inputs", "bitcoin")
        ins = [] if inputs_table is None else arrow_table(inputs_table.select(
            "tx_hash", "input_index", "spent_tx_hash", "spent_output_index", "value")).to_pylist()
        ins.sort(key=lambda r: (r["tx_hash"], r["input_index"]))
        inputs: dict[str, list[Any]] = {}
        for r in ins:
            inputs.setdefault(r["tx_hash"], []).append(((str(r["spent_tx_hash"]), int(r["spent_output_index"])),
                                                        int(r["value"])))
        return [UtxoTx(order, h, tuple(inputs.get(h, [])), tuple(o)) for h, (order, o) in grouped.items()]


def _moment(block: str, index: str, seq: str) -> Column:
    from pyspark.sql import functions as F

    return F.struct(F.col(block).alias("block_number"), F.col(index).alias("tx_index"), F.col(seq).alias("seq"))


def _in_chain_order(frame: DataFrame) -> list[Movement]:
    rows: list[Movement] = []
    for batch in arrow_batches(frame):
        columns = [batch.column(name).to_pylist() for name in MOVEMENT_COLUMNS]
        rows.extend(Movement((int(b), int(i), int(q)), str(h), str(f), str(t), str(a), int(x))
                    for b, i, q, h, f, t, a, x in zip(*columns, strict=True))
    rows.sort(key=lambda m: m.order)
    return rows
