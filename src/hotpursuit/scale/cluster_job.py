"""`hotpursuit scale cluster`: cluster a chain of a Parquet export with Spark deriving the links and the
driver's union-find (`cluster/union_find.py`) merging them, with the same clusters as `cluster run`.

Spark reads the export, derives the links (`scale/cluster_sets.py`), writes them, numbers new addresses
and streams the reduced graph to the driver as Arrow; the driver runs the union-find from the saved
clusters and Spark writes `address -> cluster` back. Output, next to the export:
  `<dir>/cluster_links/chain=<c>/`     a, b, reason, confidence, tx_hash, block_number (one per a, b, reason)
  `<dir>/address_clusters/chain=<c>/`  address, address_id, cluster_id (the smallest id of the cluster),
                                       reason, confidence (the address's strongest link), plus `_state.json`
Incremental: `_state.json` lists the block ranges folded in (with their files' row counts, so a range that
grew counts as changed, and the last block read in it); a run reads only new or changed ranges (Bitcoin; the
first-payment rule of `--change` still looks at all outputs), starts from the saved clusters and gives
what one run over everything gives. The EVM deposit rule needs every inflow, so EVM runs re-read all
transfers and add the links not found before, as `cluster run` does. Results are written to hidden
temporary folders and renamed into place, so a killed run leaves the previous result.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from hotpursuit.cluster.evm_deposit import DEPOSIT_CONFIDENCE
from hotpursuit.cluster.union_find import UnionFind
from hotpursuit.jobs.cluster_job import SAME_EXCHANGE_CONFIDENCE
from hotpursuit.scale.arrow_transfer import arrow_batches, arrow_table, spark_frame
from hotpursuit.scale.cluster_sets import (
    LINK_COLUMNS,
    address_tx_counts,
    bitcoin_tx_facts,
    change_links,
    deposit_facts,
    exchange_hot_wallets,
    fresh_outputs,
    multi_input_links,
    multi_input_members,
    reduced_graph,
)
from hotpursuit.scale.exact_sums import recombine
from hotpursuit.scale.session import ScaleError

STATE_FILE = "_state.json"
LINK_SCHEMA = pa.schema([("a", pa.string()), ("b", pa.string()), ("reason", pa.string()),
                         ("confidence", pa.int32()), ("tx_hash", pa.string()), ("block_number", pa.int64())])
BITCOIN_TABLES = ("utxo_inputs", "utxo_outputs")


@dataclass
class ScaleClusterStats:
    """What a Spark clustering run did, with its figures."""

    chain: str
    kind: str  # "bitcoin" or "evm"
    transactions: int = 0
    coinjoins_skipped: int = 0
    deposit_addresses: int = 0
    links: int = 0  # links not held before this run
    addresses: int = 0
    clusters: int = 0
    edges_before_reduction: int = 0
    edges_after_reduction: int = 0
    trivial_addresses: int = 0
    block_ranges_read: int = 0
    block_ranges_total: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


class _Phases:
    """Times the run's phases and tells the caller (a progress display) which one is running."""

    def __init__(self, stats: ScaleClusterStats, on_phase: Callable[[str], None] | None) -> None:
        self.stats, self.on_phase, self.name, self.start = stats, on_phase, "", time.perf_counter()
        self.cached: list[DataFrame] = []

    def cache(self, df: DataFrame) -> DataFrame:
        """Keep `df` in memory for the rest of the run (released when it ends)."""
        self.cached.append(df.cache())
        return df

    def __call__(self, name: str) -> None:
        self.close()
        self.name, self.start = name, time.perf_counter()
        if self.on_phase is not None:
            self.on_phase(name)

    def close(self) -> None:
        if self.name:
            self.stats.seconds[self.name] = round(time.perf_counter() - self.start, 3)
            self.name = ""


def run_scale_cluster(spark: SparkSession, parquet: Path, chain: str, *, change: bool = False, window: int = 100,
                      min_share: float = 0.5, on_phase: Callable[[str], None] | None = None) -> ScaleClusterStats:
    """Cluster `chain` of the export at `parquet` (Bitcoin heuristics if it has UTXO outputs, else EVM deposit
    addresses) and write `address_clusters` and `cluster_links` next to it; see the module docstring."""
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]
    from pyspark.errors import PySparkException

    kind, state = check_export(parquet, chain, change=change, window=window, min_share=min_share)
    options = {"change": change, "window": window, "min_share": min_share}
    stats = ScaleClusterStats(chain, kind)
    phases = _Phases(stats, on_phase)
    _remove_leftovers(parquet, chain)
    try:
        if kind == "bitcoin":
            _cluster_bitcoin(spark, parquet, chain, change, state, options, stats, phases)
        else:
            _cluster_evm(spark, parquet, chain, window, min_share, state, options, stats, phases)
    except (PySparkException, Py4JError) as exc:
        first = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise ScaleError(f"scale cluster {chain} over {parquet} failed, the previous result is kept: {first}") from exc
    finally:
        phases.close()
        for df in phases.cached:
            df.unpersist()
    return stats


def check_export(parquet: Path, chain: str, *, change: bool = False, window: int = 100,
                 min_share: float = 0.5) -> tuple[str, dict[str, Any] | None]:
    """The chain's kind ("bitcoin" or "evm") and its saved clustering state, or a ScaleError naming what is
    wrong: not a local folder, the chain not in the export, a state made with other options."""
    if "://" in str(parquet):
        raise ScaleError(f"--parquet {parquet}: scale cluster writes its result into the export and needs a local "
                         "or mounted folder")
    kind = _chain_kind(parquet, chain)
    options = {"change": change, "window": window, "min_share": min_share}
    state = _load_state(parquet, chain)
    if state is not None and state.get("options") != options:
        raise ScaleError(f"{_out(parquet, 'address_clusters', chain)} was clustered with {state.get('options')}, "
                         f"not {options}: run with the same options, or delete that folder and cluster_links/"
                         f"chain={chain} to cluster afresh")
    return kind, state


def _out(parquet: Path, table: str, chain: str) -> Path:
    return parquet / table / f"chain={chain}"


def _chain_kind(parquet: Path, chain: str) -> str:
    if not parquet.is_dir():
        raise ScaleError(f"--parquet {parquet}: no such folder (write one with `hotpursuit store export-parquet`)")
    if _out(parquet, "utxo_outputs", chain).is_dir():
        if not _out(parquet, "utxo_inputs", chain).is_dir():
            raise ScaleError(f"--parquet {parquet}: chain {chain!r} has UTXO outputs but no utxo_inputs; re-export it")
        return "bitcoin"
    if _out(parquet, "transfers", chain).is_dir():
        return "evm"
    present = sorted({p.name.removeprefix("chain=") for table in ("transfers", "utxo_outputs")
                      if (parquet / table).is_dir()
                      for p in (parquet / table).iterdir() if p.name.startswith("chain=")})
    raise ScaleError(f"--parquet {parquet}: chain {chain!r} is not in this export (chains there: "
                     f"{', '.join(present) or 'none'})")


def _load_state(parquet: Path, chain: str) -> dict[str, Any] | None:
    path = _out(parquet, "address_clusters", chain) / STATE_FILE
    if not path.exists():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScaleError(f"{path}: unreadable clustering state ({exc}); delete the folder to cluster afresh") from exc
    if not isinstance(state, dict) or not isinstance(state.get("ranges"), dict):
        raise ScaleError(f"{path}: not a clustering state; delete the folder to cluster afresh")
    return state


def _remove_leftovers(parquet: Path, chain: str) -> None:
    """Temporary folders a killed run left behind; a previous result caught between its two renames is
    put back."""
    for table in ("address_clusters", "cluster_links"):
        final = _out(parquet, table, chain)
        for p in sorted(final.parent.glob(f".old-chain={chain}-*")) if final.parent.is_dir() else []:
            if final.exists():
                shutil.rmtree(p, ignore_errors=True)
            else:
                os.replace(p, final)
        for p in final.parent.glob(f".tmp-chain={chain}-*") if final.parent.is_dir() else []:
            shutil.rmtree(p, ignore_errors=True)


def _range_files(parquet: Path, chain: str, tables: tuple[str, ...]) -> dict[str, list[list[Any]]]:
    """block_range -> its files with their row counts (from the footers), so a range that grew is seen
    while a re-export that rewrote the same rows is not."""
    ranges: dict[str, list[list[Any]]] = {}
    for table in tables:
        folder = _out(parquet, table, chain)
        for part in sorted(folder.iterdir()) if folder.is_dir() else []:
            key, _, value = part.name.partition("=")
            if key != "block_range" or not value.lstrip("-").isdigit():
                continue
            files = ranges.setdefault(value, [])
            for f in sorted(part.glob("*.parquet")):
                try:
                    rows = pq.ParquetFile(f).metadata.num_rows
                except (OSError, ValueError, pa.ArrowException) as exc:
                    raise ScaleError(f"{f}: not a readable Parquet file of {table} ({exc})") from exc
                files.append([f"{table}/{f.name}", rows])
    return ranges


def _read(spark: SparkSession, parquet: Path, table: str, chain: str) -> DataFrame:
    base = parquet / table
    return spark.read.option("basePath", str(base)).parquet(str(base / f"chain={chain}"))


def _unread_rows(df: DataFrame, todo: dict[str, int]) -> DataFrame:
    """The rows of the ranges to read, above the last block already read in each."""
    keep = None
    for start, done in todo.items():
        cond = (F.col("block_range") == int(start)) & (F.col("block_number") > done)
        keep = cond if keep is None else keep | cond
    return df.where(keep if keep is not None else F.lit(False))


def _cluster_bitcoin(spark: SparkSession, parquet: Path, chain: str, change: bool, state: dict[str, Any] | None,
                     options: dict[str, Any], stats: ScaleClusterStats, phases: _Phases) -> None:
    phases("read")
    ranges = _range_files(parquet, chain, BITCOIN_TABLES)
    folded: dict[str, Any] = dict(state["ranges"]) if state else {}
    todo = {r: int(folded[r]["max_block"]) if r in folded else -1 for r, files in ranges.items()
            if r not in folded or folded[r]["files"] != files}
    stats.block_ranges_read, stats.block_ranges_total = len(todo), len(ranges)
    if state is not None and not todo:
        _report_saved(state, stats)
        return
    inputs = phases.cache(_unread_rows(_read(spark, parquet, "utxo_inputs", chain), todo))
    outputs = phases.cache(_unread_rows(_read(spark, parquet, "utxo_outputs", chain), todo))
    for r, top in _top_blocks(parquet, chain, list(todo)).items():
        folded[r] = {"files": ranges[r], "max_block": max(top, todo[r])}
    for r in todo:
        folded.setdefault(r, {"files": ranges[r], "max_block": todo[r]})
        folded[r]["files"] = ranges[r]
    phases("derive")
    facts = phases.cache(bitcoin_tx_facts(inputs, outputs))
    multi = (~F.col("coinjoin")) & (F.col("distinct_inputs") >= 2)
    row = facts.agg(F.count(F.lit(1)).alias("txs"),
                    F.count(F.when(F.col("coinjoin") & (F.col("distinct_inputs") > 1), 1)).alias("joins"),
                    F.sum(F.when(multi, F.col("distinct_inputs") - 1)).alias("edges")).collect()[0]
    stats.transactions, stats.coinjoins_skipped = int(row["txs"]), int(row["joins"])
    stats.edges_before_reduction = int(row["edges"] or 0)
    members = phases.cache(multi_input_members(inputs, facts))
    new_links = multi_input_links(members)
    other_links = None
    if change:
        everything = _read(spark, parquet, "utxo_outputs", chain).select(
            "address", "block_number", "tx_index", "output_index")
        other_links = phases.cache(change_links(inputs, outputs, facts, fresh_outputs(outputs, everything)))
        new_links = new_links.unionByName(other_links)
    _fold(spark, parquet, chain, new_links, other_links, members, state, options, folded, stats, phases)


def _top_blocks(parquet: Path, chain: str, ranges: list[str]) -> dict[str, int]:
    """The last block of each range, from the Parquet footers' statistics (no Spark job)."""
    tops: dict[str, int] = {}
    for r in ranges:
        for table in BITCOIN_TABLES:
            for path in sorted((_out(parquet, table, chain) / f"block_range={r}").glob("*.parquet")):
                try:
                    meta = pq.ParquetFile(path).metadata
                    column = meta.schema.names.index("block_number")
                    stats = [meta.row_group(g).column(column).statistics for g in range(meta.num_row_groups)]
                    top = max((int(s.max) for s in stats if s is not None and s.has_min_max), default=None)
                    if top is None and meta.num_rows:
                        top = int(pq.read_table(path, columns=["block_number"])["block_number"].to_numpy().max())
                except (OSError, ValueError, pa.ArrowException) as exc:
                    raise ScaleError(f"{path}: not a readable Parquet file of {table} ({exc})") from exc
                if top is not None:
                    tops[r] = max(top, tops.get(r, top))
    return tops


def _report_saved(state: dict[str, Any], stats: ScaleClusterStats) -> None:
    stats.addresses, stats.clusters = int(state.get("addresses", 0)), int(state.get("clusters", 0))


def _cluster_evm(spark: SparkSession, parquet: Path, chain: str, window: int, min_share: float,
                 state: dict[str, Any] | None, options: dict[str, Any], stats: ScaleClusterStats,
                 phases: _Phases) -> None:
    phases("read")
    ranges = _range_files(parquet, chain, ("transfers",))
    stats.block_ranges_read = stats.block_ranges_total = len(ranges)
    transfers = _read(spark, parquet, "transfers", chain)
    labels_dir = _out(parquet, "labels", chain)
    hot: dict[str, str] = {}
    if labels_dir.is_dir():
        hot_df = phases.cache(exchange_hot_wallets(_read(spark, parquet, "labels", chain)))
        hot = {str(r["address"]): str(r["exchange"]) for r in arrow_table(hot_df).to_pylist()}
    folded = {r: {"files": files, "max_block": None} for r, files in ranges.items()}
    stats.transactions = int(transfers.select("tx_hash").distinct().count())
    phases("derive")
    links: list[dict[str, Any]] = []
    if hot:
        facts = arrow_table(deposit_facts(transfers, hot_df, window)).to_pylist()
        links = _deposit_links(facts, window, min_share)
        stats.deposit_addresses = len(links)
        by_exchange: dict[str, list[str]] = {}
        for address, exchange in sorted(hot.items()):
            by_exchange.setdefault(exchange, []).append(address)
        links += [{"a": wallets[0], "b": w, "reason": f"same exchange label ({exchange})",
                   "confidence": SAME_EXCHANGE_CONFIDENCE, "tx_hash": None, "block_number": None}
                  for exchange, wallets in by_exchange.items() for w in wallets[1:]]
    new_links = spark_frame(spark, pa.Table.from_pylist(links, schema=LINK_SCHEMA))
    _fold(spark, parquet, chain, new_links, new_links, None, state, options, folded, stats, phases)


def _deposit_links(facts: list[dict[str, Any]], window: int, min_share: float) -> list[dict[str, Any]]:
    """The deposit-address links from Spark's per-asset facts, the share summed as `find_deposit_addresses`
    sums it (exact per-asset totals, float ratios added in the order the assets first arrived)."""
    def first(row: dict[str, Any]) -> tuple[int, int, int]:
        return row["first"]["block_number"], row["first"]["tx_index"], row["first"]["seq"]

    links = []
    facts.sort(key=lambda r: (r["address"], first(r)))
    for address, group in groupby(facts, key=lambda r: str(r["address"])):
        rows = list(group)
        totals = [(recombine(r, "total_"), recombine(r, "forwarded_")) for r in rows]
        share = sum(f / t for t, f in totals if t) / len(totals)
        if share >= min_share:
            r = rows[0]
            links.append({"a": address, "b": r["hot_wallet"], "confidence": DEPOSIT_CONFIDENCE,
                          "reason": f"deposit address of {r['exchange']} (forwards {share:.0%} of its inflows to "
                                    f"hot wallet {r['hot_wallet']} within {window} blocks)",
                          "tx_hash": r["example_tx"], "block_number": None})
    return links


def _fold(spark: SparkSession, parquet: Path, chain: str, new_links: DataFrame, other_links: DataFrame | None,
          members: DataFrame | None, state: dict[str, Any] | None, options: dict[str, Any],
          folded: dict[str, Any], stats: ScaleClusterStats, phases: _Phases) -> None:
    """Write the links, number new addresses, run the union-find from the saved clusters, write the clusters."""
    phases("links")
    token = uuid.uuid4().hex[:12]
    links_dir, clusters_dir = _out(parquet, "cluster_links", chain), _out(parquet, "address_clusters", chain)
    links_tmp = links_dir.with_name(f".tmp-chain={chain}-{token}")
    clusters_tmp = clusters_dir.with_name(f".tmp-chain={chain}-{token}")
    old_links = _read(spark, parquet, "cluster_links", chain).select(*LINK_COLUMNS) if links_dir.is_dir() else None
    union = new_links.select(*LINK_COLUMNS)
    if old_links is not None:
        union = old_links.unionByName(union)
    evidence = F.min(F.struct(F.col("block_number"), F.col("tx_hash"), F.col("confidence"))).alias("e")
    (union.groupBy("a", "b", "reason").agg(evidence)
     .select("a", "b", "reason", F.col("e.confidence").alias("confidence"), F.col("e.tx_hash").alias("tx_hash"),
             F.col("e.block_number").alias("block_number"))
     .write.parquet(str(links_tmp)))
    all_links = spark.read.parquet(str(links_tmp))
    written = sum(pq.ParquetFile(f).metadata.num_rows for f in links_tmp.glob("*.parquet"))
    stats.links = written - int(state.get("links", 0) if state else 0)

    phases("ids")
    old_map = None
    parent = np.zeros(0, dtype=np.int64)
    if state is not None:
        old_map = _read(spark, parquet, "address_clusters", chain).select("address", "address_id")
        saved = pq.read_table(clusters_dir, columns=["address_id", "cluster_id"])
        parent = np.arange(int(state["addresses"]), dtype=np.int64)
        parent[saved["address_id"].to_numpy()] = saved["cluster_id"].to_numpy()
    edge_links = other_links
    if state is None and old_links is not None:  # lost state: the links already found are edges again
        edge_links = old_links if edge_links is None else edge_links.unionByName(old_links.select(*LINK_COLUMNS))
    endpoints = _ends(new_links)
    if edge_links is not None:
        endpoints = endpoints.unionByName(_ends(edge_links)).distinct()
    fresh = endpoints if old_map is None else endpoints.join(old_map, "address", "left_anti")
    if members is not None:
        pinned = None if edge_links is None else _ends(edge_links).withColumn("pinned", F.lit(True))
        fresh = fresh.join(address_tx_counts(members), "address", "left")
        trivial = F.col("txc") == 1
        if pinned is not None:
            fresh = fresh.join(pinned, "address", "left")
            trivial = trivial & F.col("pinned").isNull()
        fresh = fresh.select("address", F.coalesce(trivial, F.lit(False)).alias("trivial"))
    else:
        fresh = fresh.select("address", F.lit(False).alias("trivial"))
    new_map, counted, trivial_count = _dense_ids(spark, fresh, parent.size)
    id_map = new_map.select("address", "address_id", "trivial")
    if old_map is not None:
        id_map = old_map.withColumn("trivial", F.lit(False)).unionByName(id_map)
    total = parent.size + counted
    stats.trivial_addresses = trivial_count

    phases("union-find")
    edges = []  # (u, v, trivial): graph edges, and trivial addresses with their representative
    if members is not None:
        graph, trivial_pairs = reduced_graph(members.select("tx_hash", "address").join(id_map, "address"))
        edges += [graph.withColumn("trivial", F.lit(False)),
                  trivial_pairs.select(F.col("address_id").alias("u"), F.col("rep").alias("v"),
                                       F.lit(True).alias("trivial"))]
    if edge_links is not None:
        ids = id_map.select("address", "address_id")
        edges.append(edge_links.join(ids.withColumnRenamed("address", "a").withColumnRenamed("address_id", "u"), "a")
                     .join(ids.withColumnRenamed("address", "b").withColumnRenamed("address_id", "v"), "b")
                     .select("u", "v", F.lit(False).alias("trivial")))
    uf = UnionFind(parent=parent)
    uf.grow(total)
    assigned: list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]] = []
    for batch in arrow_batches(_union_all(edges)) if edges else []:
        u, v = batch.column("u").to_numpy(), batch.column("v").to_numpy()
        trivial_rows = batch.column("trivial").to_numpy(zero_copy_only=False)
        assigned.append((u[trivial_rows], v[trivial_rows]))
        stats.edges_after_reduction += int((~trivial_rows).sum())
        uf.union(u[~trivial_rows], v[~trivial_rows])
    roots = uf.roots().astype(np.int64)
    for t, rep in assigned:  # after every merge: a representative's root is final
        roots[t] = roots[rep]
    stats.addresses = int(roots.size)
    stats.clusters = int(np.unique(roots).size)

    phases("write")
    ends = all_links.select(F.col("a").alias("address"), "confidence", "reason").unionByName(
        all_links.select(F.col("b").alias("address"), "confidence", "reason"))
    best = ends.groupBy("address").agg(F.max(F.struct("confidence", "reason")).alias("best"))
    result = spark_frame(spark, pa.table({"address_id": np.arange(roots.size, dtype=np.int64), "cluster_id": roots}))
    (id_map.select("address", "address_id").join(result, "address_id").join(best, "address", "left")
     .select("address", "address_id", "cluster_id",
             F.coalesce(F.col("best.reason"), F.lit("alone")).alias("reason"),
             F.coalesce(F.col("best.confidence"), F.lit(100)).cast("int").alias("confidence"))
     .write.parquet(str(clusters_tmp)))
    top = [int(v["max_block"]) for v in folded.values() if v.get("max_block") is not None]
    new_state = {"version": 1, "kind": stats.kind, "options": options, "ranges": folded,
                 "top_block": max(top) if top else None, "addresses": stats.addresses, "clusters": stats.clusters,
                 "links": stats.links + int(state.get("links", 0) if state else 0)}
    (clusters_tmp / STATE_FILE).write_text(json.dumps(new_state, indent=1, sort_keys=True), encoding="utf-8")
    # links first: if the run dies between the two, the next run reads the same ranges again and adds
    # the same links (kept once), so the result is the same
    _replace(links_tmp, links_dir, token)
    _replace(clusters_tmp, clusters_dir, token)


def _union_all(frames: list[DataFrame]) -> DataFrame:
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


def _ends(links: DataFrame) -> DataFrame:
    """The distinct addresses at either end of `links`."""
    return (links.select(F.col("a").alias("address"))
            .unionByName(links.select(F.col("b").alias("address"))).distinct())


def _dense_ids(spark: SparkSession, addresses: DataFrame, base: int) -> tuple[DataFrame, int, int]:
    """Number `addresses` (address, trivial) base, base+1, ... with the non-trivial ones first (so every
    cluster's smallest id is in the graph or is a lone transaction's smallest address), without a
    single-partition sort: offsets per partition of a sorted frame. Also how many, and how many trivial."""
    tagged = (addresses.orderBy("trivial", "address")
              .withColumn("part", F.spark_partition_id())
              .withColumn("row", F.monotonically_increasing_id()).localCheckpoint())
    counts: dict[int, int] = {}
    trivial = 0
    for r in tagged.groupBy("part", "trivial").agg(F.count(F.lit(1)).alias("n")).collect():
        counts[int(r["part"])] = counts.get(int(r["part"]), 0) + int(r["n"])
        trivial += int(r["n"]) if r["trivial"] else 0
    offsets, at = [], base
    for part in sorted(counts):
        offsets.append((part, at - (part << 33)))
        at += counts[part]
    table = pa.table({"part": pa.array([p for p, _ in offsets], pa.int32()),
                      "offset": pa.array([o for _, o in offsets], pa.int64())})
    numbered = (tagged.join(F.broadcast(spark_frame(spark, table)), "part")
                .select("address", (F.col("row") + F.col("offset")).alias("address_id"), "trivial"))
    return numbered, at - base, trivial


def _replace(tmp: Path, final: Path, token: str) -> None:
    old = final.with_name(f".old-{final.name}-{token}")
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
