"""What a bulk screening joins against, read from the Parquet export: labels, saved haircut taint, address
clusters, and the value the tainted addresses received; and, for the few addresses of a batch that matched,
the screening index the driver builds from their rows (the pure `screening.index`, so scoring and visibility
are the embedded ones, not a copy).

The rows mirror `store.screening_rows.load_screening_index`: each label of the address itself; each label of
another member of its cluster (inherited, `via` that member); per incident and asset, the taint a saved
haircut trace gave it and what it received of that asset (transfers to it, Bitcoin outputs paying it), summed
exactly in Spark as three 27-digit limbs of the decimal text; organisations, incidents, asset names and the
partners' shared exposure from the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from hotpursuit.chains.readable import AssetUnits
from hotpursuit.scale.arrow_transfer import arrow_table, spark_frame
from hotpursuit.scale.exact_sums import limb_sums, recombine
from hotpursuit.screening.index import EntityLink, Exposure, IndexedClaim, ScreeningIndex
from hotpursuit.store.incident_tables import IncidentRow
from hotpursuit.store.screening_context import OrgFacts

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

CLAIM_COLUMNS = ("label", "category", "actor", "confidence", "source", "tlp", "owner_org")
SCHEMAS = {
    "labels": "chain string, address string, label string, category string, actor string, confidence int, "
              "source string, tlp string, owner_org string",
    "taint": "chain string, address string, incident_id string, model string, asset string, tainted_amount string",
    "address_clusters": "chain string, address string, cluster_id long",
    "transfers": "chain string, to_address string, asset string, amount string",
    "utxo_outputs": "chain string, address string, value string",
}


@dataclass(frozen=True)
class ExportTables:
    """The export's tables a screening reads (`clusters` None when neither the export nor the store has any;
    `clusters_from_store`: the chains whose clusters came from the store, the export having none for them)."""

    labels: DataFrame
    taint: DataFrame  # haircut rows only
    clusters: DataFrame | None
    transfers: DataFrame
    outputs: DataFrame
    clusters_from_store: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoreFacts:
    """What comes from the store: organisations, incidents, partners' shared exposure, how assets read, and
    the addresses scam sites handed out (sites are the store's, not the export's)."""

    orgs: dict[str, OrgFacts]
    incidents: dict[str, IncidentRow]
    shared: list[tuple[str, str, Exposure]]
    units: Callable[[str, str], AssetUnits | None]
    sites: list[tuple[str, str, EntityLink]] = field(default_factory=list)


def read_export(spark: SparkSession, parquet: str, store_clusters: pa.Table) -> ExportTables:
    """The tables under `parquet` (an empty one where the export wrote none: a store without taint). Clusters
    are `scale cluster`'s (`address_clusters/`) where the export has them; for other chains, the stored
    clusters that carry labels (`store_clusters`: chain, address, cluster_id), as the embedded index uses."""
    from pyspark.sql import functions as F

    def or_empty(name: str) -> DataFrame:
        return read_export_table(spark, parquet, name) or spark.createDataFrame([], SCHEMAS[name])

    taint = or_empty("taint").filter(F.col("model") == "haircut").drop("model")
    clusters = read_export_table(spark, parquet, "address_clusters")
    if "://" in parquet:
        exported = set() if clusters is None else \
            {str(c) for c in arrow_table(clusters.select("chain").distinct()).column("chain").to_pylist()}
    else:
        exported = {d.name.removeprefix("chain=") for d in (Path(parquet) / "address_clusters").glob("chain=*")}
    chains = [str(c) for c in store_clusters.column("chain").to_pylist()]
    kept = store_clusters.filter(pa.array([c not in exported for c in chains], pa.bool_()))
    if kept.num_rows:
        from_store = spark_frame(spark, kept).select(F.col("chain").cast("string"), F.col("address").cast("string"),
                                                      F.col("cluster_id").cast("long"))
        clusters = from_store if clusters is None else clusters.unionByName(from_store)
    return ExportTables(or_empty("labels"), taint, clusters, or_empty("transfers"), or_empty("utxo_outputs"),
                        tuple(sorted(set(chains) - exported)))


def read_export_table(spark: SparkSession, parquet: str, name: str) -> DataFrame | None:
    """One table of the export with the columns a screening reads, typed; None if the export has none."""
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    if "://" not in parquet and not (Path(parquet) / name).is_dir():
        return None
    try:
        frame = spark.read.parquet(f"{parquet.rstrip('/')}/{name}")
    except AnalysisException:  # an object-store export without this table
        return None
    typed = [F.col(column).cast(kind).alias(column) for column, kind in (x.split() for x in SCHEMAS[name].split(", "))]
    return frame.select(*typed)


def known_addresses(spark: SparkSession, tables: ExportTables, facts: StoreFacts) -> DataFrame:
    """(chain, address) of every address the screening index would hold anything for: labelled, a member of
    a cluster with a labelled member, tainted by a saved trace, reached by a partner's shared trace, or
    handed out by a scam site."""
    keys = ["chain", "address"]
    parts = [tables.labels.select(*keys), tables.taint.select(*keys)]
    if tables.clusters is not None:
        labelled = tables.clusters.join(tables.labels.select(*keys).distinct(), keys).select("chain", "cluster_id")
        parts.append(tables.clusters.join(labelled.distinct(), ["chain", "cluster_id"]).select(*keys))
    extra = [(c, a) for c, a, _ in facts.shared] + [(c, a) for c, a, _ in facts.sites]
    if extra:
        parts.append(spark_frame(spark, pa.table({"chain": [c for c, _ in extra], "address": [a for _, a in extra]})))
    known = parts[0]
    for part in parts[1:]:
        known = known.unionByName(part)
    return known.distinct()


def matched_index(spark: SparkSession, tables: ExportTables, matched: DataFrame, facts: StoreFacts) -> ScreeningIndex:
    """The screening index of the `matched` (chain, address) rows only, as `load_screening_index` would
    hold them."""
    from pyspark.sql import functions as F

    keys = ["chain", "address"]
    index = ScreeningIndex()
    claims = tables.labels.join(matched, keys).select(*keys, F.lit(None).cast("string").alias("via"), *CLAIM_COLUMNS)
    if tables.clusters is not None:
        members = tables.clusters.join(matched, keys).select(*keys, "cluster_id")
        labelled = tables.clusters.join(tables.labels, keys).select(
            "chain", "cluster_id", F.col("address").alias("via"), *CLAIM_COLUMNS)
        inherited = members.join(labelled, ["chain", "cluster_id"]).filter(F.col("via") != F.col("address"))
        claims = claims.unionByName(inherited.select(*keys, "via", *CLAIM_COLUMNS))
    rows = arrow_table(claims).to_pylist()
    for row in sorted(rows, key=_claim_order):  # own claims first, as the embedded index adds them
        index.add(row["chain"], row["address"], _claim(row, row["via"], facts.orgs))
    for chain, address, exposure in _exposure(spark, tables, matched, facts):
        index.add_exposure(chain, address, exposure)
    wanted = {(str(r["chain"]), str(r["address"])) for r in arrow_table(matched.select(*keys)).to_pylist()} \
        if facts.shared or facts.sites else set()
    for chain, address, exposure in facts.shared:
        if (chain, address) in wanted:
            index.add_exposure(chain, address, exposure)
    for chain, address, link in facts.sites:
        if (chain, address) in wanted:
            index.add_entity(chain, address, link)
    return index


def _exposure(spark: SparkSession, tables: ExportTables, matched: DataFrame,
              facts: StoreFacts) -> list[tuple[str, str, Exposure]]:
    """(chain, address, exposure) per incident and asset of the matched addresses' saved taint."""
    from pyspark.sql import functions as F

    tainted: dict[tuple[str, str, str, str], int] = {}
    for r in arrow_table(tables.taint.join(matched, ["chain", "address"])).to_pylist():
        key = (str(r["chain"]), str(r["address"]), str(r["incident_id"]), str(r["asset"]))
        tainted[key] = tainted.get(key, 0) + int(r["tainted_amount"])
    if not tainted:
        return []
    pairs = sorted({(c, a) for c, a, _, _ in tainted})
    holders = F.broadcast(spark_frame(spark, pa.table({"chain": [c for c, _ in pairs],
                                                       "address": [a for _, a in pairs]})))
    received: dict[tuple[str, str, str], int] = {}
    paid = tables.transfers.join(holders.withColumnRenamed("address", "to_address"), ["chain", "to_address"]) \
        .groupBy("chain", F.col("to_address").alias("address"), "asset").agg(*limb_sums(F.col("amount"), "limb"))
    outputs = tables.outputs.join(holders, ["chain", "address"]) \
        .groupBy("chain", "address", F.lit("BTC").alias("asset")).agg(*limb_sums(F.col("value"), "limb"))
    for r in arrow_table(paid.unionByName(outputs)).to_pylist():
        place = (str(r["chain"]), str(r["address"]), str(r["asset"]))
        received[place] = received.get(place, 0) + recombine(r, "limb")
    out = []
    for (chain, address, incident_id, asset), amount in sorted(tainted.items()):
        incident = facts.incidents.get(incident_id)
        if incident is None:  # taint of an incident the store no longer holds: the embedded index skips it too
            continue
        owner = facts.orgs.get(incident.owner_org or "")
        out.append((chain, address, Exposure(
            incident_id, incident.actor, asset, amount, received.get((chain, address, asset), 0), incident.tlp,
            incident.owner_org, owner.sharing_group if owner else None, owner.scores_hidden if owner else False,
            facts.units(chain, asset))))
    return out


def _claim_order(row: dict[str, Any]) -> tuple[bool, tuple[str, ...]]:
    return row["via"] is not None, tuple("" if row.get(k) is None else str(row.get(k))
                                         for k in ("chain", "address", "via", *CLAIM_COLUMNS))


def _claim(row: dict[str, Any], via: str | None, orgs: dict[str, OrgFacts]) -> IndexedClaim:
    """As `screening_rows._claim`: an owner that is no known organisation (the operator's imports) is an
    authority, in no sharing group, and its claims never count hidden."""
    owner = None if row["owner_org"] is None else str(row["owner_org"])
    facts = orgs.get(owner or "")
    return IndexedClaim(str(row["label"]), str(row["category"]), None if row["actor"] is None else str(row["actor"]),
                        int(row["confidence"]), str(row["source"]), str(row["tlp"]), owner,
                        facts.sharing_group if facts else None, via, facts.scores_hidden if facts else False,
                        facts is None or facts.agency)
