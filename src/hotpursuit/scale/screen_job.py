"""`scale screen`: bulk exposure of millions of addresses (an exchange re-screening its deposit history after a
new incident) as one organisation may see it, on Spark over a Parquet export.

Spark reads and normalises the addresses (`screen_input`), keeps each distinct one once, and joins them
against every address the export holds anything for (`screen_rows.known_addresses`). Only the few that match
go to the driver, whose screening index of just their rows answers for the organisation with the embedded
code (`ScreeningIndex.screen`: TLP visibility, withheld counts, hidden scores); the others get the `none`
verdict inside Spark, without a line of Python per address. The answer is written by Spark to a temporary
file beside `out` and renamed onto it, so a reader never sees half a file.

Output, one row per distinct valid address, ordered by the line it first appears on: `line`, `chain`,
`address`, `risk` (the level: severe, high, medium, low, none), `score`, `categories`, `flagged` (the API's
batch lists it: a score, a withheld claim or a category), `withheld`, `withheld_scored` (the API's batch
fields), `direct` (the visible claims: label, category, actor, confidence, source, tlp, via), `indirect` (per
incident and asset: tainted and received as decimal strings of base units, `share` as a decimal string
rounded down to 6 places, decimals and symbol), and `reasons`. Parquet (`.parquet`) or JSON lines (`.jsonl`).
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from hotpursuit.errors import HotpursuitError
from hotpursuit.scale.arrow_transfer import arrow_table, spark_frame
from hotpursuit.scale.screen_input import read_address_lines
from hotpursuit.scale.screen_rows import StoreFacts, known_addresses, matched_index, read_export, read_export_table
from hotpursuit.screening.index import Screening, ScreeningIndex, has_finding
from hotpursuit.store.asset_units import AssetReader
from hotpursuit.store.database import Store
from hotpursuit.store.incident_tables import list_incidents
from hotpursuit.store.org_tables import org_exists
from hotpursuit.store.screening_context import labelled_cluster_members, org_facts
from hotpursuit.store.screening_rows import entity_link_rows, shared_exposure_rows

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

LEVELS = ("severe", "high", "medium", "low", "none")
FORMATS = {".parquet": "parquet", ".jsonl": "json", ".json": "json"}
CLAIM = pa.struct([("label", pa.string()), ("category", pa.string()), ("actor", pa.string()),
                   ("confidence", pa.int32()), ("source", pa.string()), ("tlp", pa.string()), ("via", pa.string())])
EXPOSURE = pa.struct([("incident", pa.string()), ("actor", pa.string()), ("asset", pa.string()),
                      ("tainted", pa.string()), ("received", pa.string()), ("share", pa.string()),
                      ("decimals", pa.int32()), ("symbol", pa.string())])
SITE = pa.struct([("id", pa.string()), ("domain", pa.string()), ("path", pa.string()), ("kind", pa.string()),
                  ("source", pa.string()), ("first_seen", pa.string()), ("tlp", pa.string())])
OUTPUT = pa.schema([("line", pa.int64()), ("chain", pa.string()), ("address", pa.string()), ("risk", pa.string()),
                    ("score", pa.int32()), ("categories", pa.list_(pa.string())), ("flagged", pa.bool_()),
                    ("withheld", pa.int32()), ("withheld_scored", pa.int32()), ("direct", pa.list_(CLAIM)),
                    ("indirect", pa.list_(EXPOSURE)), ("reasons", pa.list_(pa.string())),
                    ("entities", pa.list_(SITE))])


class ScaleScreenError(HotpursuitError):
    """A bulk screening that cannot run: an unknown organisation, an output path it cannot write."""


@dataclass
class ScaleScreenStats:
    """What a bulk screening read and found."""

    org: str
    lines: int = 0  # data lines read (a CSV header is not one)
    blank: int = 0
    bad: int = 0
    bad_lines: list[tuple[int, str, str]] = field(default_factory=list)  # (line, text, reason), the first ones
    addresses: int = 0  # valid lines
    distinct: int = 0
    matched: int = 0  # distinct addresses the export holds anything for (whatever the caller may see of it)
    by_level: dict[str, int] = field(default_factory=dict)
    flagged: int = 0
    out: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def run_scale_screen(spark: SparkSession, store: Store, parquet: Path | str, addresses: Path | str, *,
                     chain: str | None, for_org: str, out: Path, bad_sample: int = 20) -> ScaleScreenStats:
    """Screen every address of the file `addresses` as `for_org` (an organisation of `store`) may see them,
    against the export at `parquet`; write the answers to `out` (`.parquet` or `.jsonl`)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    started = time.perf_counter()
    fmt = check_request(store, for_org, out)
    facts = _store_facts(store)
    group = facts.orgs[for_org].sharing_group
    stats = ScaleScreenStats(for_org, out=str(out))
    tables = read_export(spark, str(parquet), labelled_cluster_members(store))
    if tables.clusters_from_store:
        stats.notes.append(f"clusters of {', '.join(tables.clusters_from_store)} read from the store: the export "
                           "has none of `scale cluster` for them")
    known_chains = frozenset(_chains(spark, str(parquet), "labels") | _chains(spark, str(parquet), "taint")
                             | {c for c, _, _ in facts.shared})
    lines = read_address_lines(spark, addresses, chain, known_chains).rows.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        counts = {r["status"]: int(r["n"]) for r in arrow_table(lines.groupBy("status").count()
                                                                 .withColumnRenamed("count", "n")).to_pylist()}
        stats.blank, stats.bad, stats.addresses = counts.get("blank", 0), counts.get("bad", 0), counts.get("ok", 0)
        stats.lines = stats.blank + stats.bad + stats.addresses
        stats.bad_lines = [(int(r["line"]), str(r["text"] or ""), str(r["reason"])) for r in arrow_table(
            lines.filter(F.col("status") == "bad").orderBy("line").limit(bad_sample)).to_pylist()]
        distinct = lines.filter(F.col("status") == "ok").groupBy("chain", "address").agg(F.min("line").alias("line"))
        known = known_addresses(spark, tables, facts).withColumn("known", F.lit(True))
        joined = distinct.join(known, ["chain", "address"], "left").persist(StorageLevel.MEMORY_AND_DISK)
        try:
            matched = joined.filter(F.col("known").isNotNull()).select("line", "chain", "address")
            found = arrow_table(matched)
            stats.distinct = int(joined.count())
            stats.matched = found.num_rows
            index = matched_index(spark, tables, matched.select("chain", "address"), facts)
            answers = _answers(index, found, for_org, group)
            levels = Counter(answers.column("risk").to_pylist())
            levels["none"] += stats.distinct - stats.matched
            stats.by_level = {level: levels.get(level, 0) for level in LEVELS}
            stats.flagged = sum(answers.column("flagged").to_pylist())
            unmatched = joined.filter(F.col("known").isNull()).select("line", "chain", "address")
            _write(_none_rows(unmatched).unionByName(spark_frame(spark, answers)), out, fmt)
        finally:
            joined.unpersist()
    finally:
        lines.unpersist()
    stats.seconds = time.perf_counter() - started
    return stats


def check_request(store: Store, for_org: str, out: Path) -> str:
    """The output format, once the organisation and the output path are known to be good (before Spark
    starts); ScaleScreenError naming the option otherwise."""
    fmt = _output_format(out)
    if not org_exists(store, for_org):
        raise ScaleScreenError(f"--for {for_org}: no such organisation in this store (hotpursuit org list)")
    return fmt


def _store_facts(store: Store) -> StoreFacts:
    reader = AssetReader(store)
    return StoreFacts(org_facts(store), {i.id: i for i in list_incidents(store)}, shared_exposure_rows(store),
                      reader.units, entity_link_rows(store))


def _chains(spark: SparkSession, parquet: str, table: str) -> set[str]:
    """The chains an export's table holds (its `chain=` folders; a Spark job for an object-store path)."""
    if "://" not in parquet:
        return {d.name.removeprefix("chain=") for d in (Path(parquet) / table).glob("chain=*")}
    frame = read_export_table(spark, parquet, table)
    return set() if frame is None else \
        {str(c) for c in arrow_table(frame.select("chain").distinct()).column("chain").to_pylist()}


def _output_format(out: Path) -> str:
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ScaleScreenError(f"--out {out}: name a .parquet or .jsonl file")
    if not out.parent.is_dir():
        raise ScaleScreenError(f"--out {out}: no such folder {out.parent}")
    if out.is_dir():
        raise ScaleScreenError(f"--out {out}: is a folder; name a file")
    return fmt


def _answers(index: ScreeningIndex, found: pa.Table, org: str, group: str | None) -> pa.Table:
    """The matched addresses screened by the embedded index as `org` may see them."""
    rows = [_row(int(line), index.screen(chain, address, org, group)) for line, chain, address in
            zip(*(found.column(c).to_pylist() for c in ("line", "chain", "address")), strict=True)]
    return pa.Table.from_pylist(rows, schema=OUTPUT)


def _row(line: int, s: Screening) -> dict[str, object]:
    return {"line": line, "chain": s.chain, "address": s.address, "risk": s.risk, "score": s.score,
            "categories": list(s.categories), "flagged": has_finding(s),
            "withheld": s.withheld, "withheld_scored": s.withheld_scored,
            "direct": [{k: c[k] for k in CLAIM.names} for c in s.direct],
            "indirect": [{**{k: e[k] for k in ("incident", "actor", "asset", "tainted", "received", "decimals",
                                               "symbol")}, "share": share_text(int(str(e["tainted"])),
                                                                               int(str(e["received"])))}
                         for e in s.indirect],
            "reasons": list(s.reasons), "entities": [dict(e) for e in s.entities]}


def share_text(tainted: int, received: int) -> str:
    """tainted / received as a decimal string, rounded down to 6 places, at most 1 (1 when nothing was
    received, as the index counts it)."""
    micro = 1_000_000 if not received else min(1_000_000, tainted * 1_000_000 // received)
    return f"{micro // 1_000_000}.{micro % 1_000_000:06d}"


def _none_rows(unmatched: DataFrame) -> DataFrame:
    """The `none` verdict for addresses nothing is known about, in Spark."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, IntegerType, StringType, StructField, StructType

    def strings(fields: list[str], ints: tuple[str, ...] = ()) -> StructType:
        return StructType([StructField(f, IntegerType() if f in ints else StringType()) for f in fields])

    empty = {"categories": ArrayType(StringType()), "reasons": ArrayType(StringType()),
             "direct": ArrayType(strings(CLAIM.names, ("confidence",))),
             "indirect": ArrayType(strings(EXPOSURE.names, ("decimals",))),
             "entities": ArrayType(strings(SITE.names))}
    return unmatched.select(
        "line", "chain", "address", F.lit("none").alias("risk"), F.lit(0).alias("score"),
        F.array().cast(empty["categories"]).alias("categories"), F.lit(False).alias("flagged"),
        F.lit(0).alias("withheld"), F.lit(0).alias("withheld_scored"),
        F.array().cast(empty["direct"]).alias("direct"), F.array().cast(empty["indirect"]).alias("indirect"),
        F.array().cast(empty["reasons"]).alias("reasons"), F.array().cast(empty["entities"]).alias("entities"))


def _write(frame: DataFrame, out: Path, fmt: str) -> None:
    """One file at `out`, in input order, written beside it first and renamed onto it."""
    partial = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:12]}"
    try:
        writer = frame.repartition(1).sortWithinPartitions("line").write.mode("overwrite")
        if fmt == "parquet":
            writer.parquet(str(partial))
        else:
            writer.option("ignoreNullFields", "false").json(str(partial))
        parts = sorted(p for p in partial.iterdir() if p.name.startswith("part-"))
        if len(parts) != 1:
            raise ScaleScreenError(f"--out {out}: Spark wrote {len(parts)} files, expected one")
        parts[0].replace(out)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
