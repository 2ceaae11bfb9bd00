"""`scale cluster` gives the clusters `cluster run` gives: on the drill's Bitcoin and EVM chains, on
generated Bitcoin-like blocks with CoinJoins and reused and one-time addresses, incrementally over new
block ranges, and once imported into a store; bad inputs are one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hotpursuit.chains.utxo_records import UtxoBlock, UtxoBlockBundle, UtxoInput, UtxoOutput
from hotpursuit.cli import app
from hotpursuit.jobs.cluster_job import ClusterStats, run_clustering
from hotpursuit.scale.cluster_job import run_scale_cluster
from hotpursuit.store import Store
from hotpursuit.store.parquet_io import export_parquet, import_parquet
from hotpursuit.store.utxo_tables import replace_utxo_blocks

Partition = frozenset[frozenset[str]]
EMBEDDED_STATS: dict[str, ClusterStats] = {}
QUICK = (Phase.explicit, Phase.reuse, Phase.generate)  # no shrinking: each example costs Spark seconds
CHAIN = "bitcoin"
POOL = [f"bc1q{'a' * 37}{i}" for i in range(4)] + [f"1Reused{i:02d}xxxxxxxxxxxxxxxxxxxxxxx" for i in range(6)] + [
    f"3Shared{i:02d}xxxxxxxxxxxxxxxxxxxxxxx" for i in range(3)] + ["bc1p" + "t" * 58]


def _groups(pairs: list[tuple[str, int]]) -> Partition:
    by: dict[int, set[str]] = {}
    for address, cluster in pairs:
        by.setdefault(cluster, set()).add(address)
    return frozenset(frozenset(g) for g in by.values())


def store_partition(db: Path, chain: str) -> Partition:
    with Store.open(db, must_exist=True) as store:
        rows = store.execute("SELECT address, cluster_id FROM clusters WHERE chain = ?", [chain]).fetchall()
    return _groups([(str(a), int(c)) for a, c in rows])


def scale_partition(parquet: Path, chain: str) -> Partition:
    table = pq.read_table(parquet / "address_clusters" / f"chain={chain}", columns=["address", "cluster_id"])
    return _groups(list(zip(table["address"].to_pylist(), table["cluster_id"].to_pylist(), strict=True)))


def embedded(db: Path, tmp: Path, chain: str, change: bool) -> Partition:
    """The embedded `cluster run` on a private copy of the store (its figures in `EMBEDDED_STATS`)."""
    copy = tmp / f"embedded-{chain}-{change}.duckdb"
    shutil.copyfile(db, copy)
    with Store.open(copy, must_exist=True) as store:
        store.execute("DELETE FROM clusters WHERE chain = ?", [chain])
        store.execute("DELETE FROM address_ids WHERE chain = ?", [chain])
        store.execute("DELETE FROM cluster_links WHERE chain = ?", [chain])
        store.execute("DELETE FROM ingest_checkpoints WHERE job = ?", [f"cluster:{chain}"])
        EMBEDDED_STATS[chain] = run_clustering(store, chain, change=change)
    return store_partition(copy, chain)


# --- generated Bitcoin-like blocks -------------------------------------------------------------------------

def _tx(draw: st.DrawFn, serial: int) -> tuple[list[str | None], list[tuple[str | None, int]]]:
    """(input addresses, outputs) of one transaction of a drawn kind."""
    def addr() -> str:
        if draw(st.booleans()):
            return draw(st.sampled_from(POOL))
        return f"1Once{serial:03d}{draw(st.integers(0, 10**6)):07d}xxxxxxxxxxxxxx"

    kind = draw(st.sampled_from(["plain", "plain", "plain", "whirlpool", "wasabi", "equal", "coinbase", "change"]))
    if kind == "coinbase":
        return [None], [(addr(), 625_000_000)]
    if kind == "whirlpool":
        value = draw(st.sampled_from([100_000, 1_000_000, 5_000_000, 50_000_000, 2_000_000]))
        return [addr() for _ in range(5)], [(addr(), value) for _ in range(5)]
    if kind == "wasabi":
        n = draw(st.integers(10, 12))
        ins = [addr() for _ in range(draw(st.integers(4, 7)))]
        return ins, [(addr(), 10_000_000) for _ in range(n)] + [(addr(), 1234)]
    if kind == "equal":
        n = draw(st.integers(3, 4))
        return [addr() for _ in range(draw(st.integers(2, 5)))], [(addr(), 7_000) for _ in range(n)] + [
            (addr(), 5) for _ in range(draw(st.integers(0, 6)))]
    ins = [addr() for _ in range(draw(st.integers(1, 4)))]
    outs: list[tuple[str | None, int]] = [(addr(), draw(st.integers(1, 10**8))) for _ in range(draw(st.integers(1, 3)))]
    if kind == "change":
        outs = [(addr(), 5000), (f"1Chg{serial:04d}yyyyyyyyyyyyyyyyyyyyyyyy", 4000)]
        if draw(st.booleans()):
            outs.append((None, 0))  # OP_RETURN
    return ins, outs


@st.composite
def bitcoin_blocks(draw: st.DrawFn) -> list[UtxoBlockBundle]:
    bundles = []
    serial = 0
    for height in range(draw(st.integers(2, 8))):
        outputs, inputs = [], []
        for tx_index in range(draw(st.integers(1, 5))):
            serial += 1
            tx = f"{serial:064x}"
            ins, outs = _tx(draw, serial)
            inputs += [UtxoInput(height, tx, tx_index, i, "00" * 32, i, a, 1000) for i, a in enumerate(ins)]
            outputs += [UtxoOutput(height, tx, tx_index, i, a, "p2pkh" if a else "nulldata", "00", v, None)
                        for i, (a, v) in enumerate(outs)]
        block = UtxoBlock(height, f"{height:064x}", f"{height - 1:064x}" if height else None, 1_700_000_000 + height,
                          len({o.tx_hash for o in outputs}))
        bundles.append(UtxoBlockBundle(block, outputs, inputs))
    return bundles


def write_blocks(db: Path, bundles: list[UtxoBlockBundle]) -> None:
    with Store.open(db) as store:
        replace_utxo_blocks(store, CHAIN, bundles, "test")


def export(db: Path, folder: Path, size: int = 2) -> Path:
    with Store.open(db, must_exist=True) as store:
        export_parquet(store, folder, block_range_size=size)
    return folder


@pytest.fixture(scope="module")
def quick_spark(spark: Any) -> Any:
    """The shared session with one shuffle partition (the sets here are tiny; fewer tasks, faster jobs)."""
    session = spark.newSession()
    session.conf.set("spark.sql.shuffle.partitions", "1")
    return session


@pytest.fixture
def drill_export(drill_case: dict[str, Any], tmp_path: Path) -> Path:
    """A private copy of the drill's export (scale cluster writes its result into the export)."""
    return Path(shutil.copytree(drill_case["parquet"], tmp_path / "parquet"))


def _links(parquet: Path, chain: str) -> set[tuple[str, str, str]]:
    table = pq.read_table(parquet / "cluster_links" / f"chain={chain}", columns=["a", "b", "reason"])
    return set(zip(table["a"].to_pylist(), table["b"].to_pylist(), table["reason"].to_pylist(), strict=True))


def test_drill_bitcoin_clusters_equal_the_embedded_run(quick_spark: Any, drill_case: dict[str, Any],
                                                       drill_export: Path, tmp_path: Path) -> None:
    # with the change rule, the widest set of Bitcoin rules (the generated blocks below vary it)
    stats = run_scale_cluster(quick_spark, drill_export, "bitcoin", change=True)
    expected = embedded(drill_case["db"], tmp_path, "bitcoin", True)
    # the drill's Bitcoin leg pays out single-input transactions: the same 23 read, no link, nothing false
    assert stats.transactions == EMBEDDED_STATS["bitcoin"].transactions > 0
    assert stats.coinjoins_skipped == EMBEDDED_STATS["bitcoin"].coinjoins_skipped
    assert scale_partition(drill_export, "bitcoin") == expected
    assert stats.clusters == len(expected) and stats.addresses == sum(len(g) for g in expected)


def test_drill_evm_deposit_addresses_equal_the_embedded_run(quick_spark: Any, drill_case: dict[str, Any],
                                                            drill_export: Path, tmp_path: Path) -> None:
    stats = run_scale_cluster(quick_spark, drill_export, "anvil")
    expected = embedded(drill_case["db"], tmp_path, "anvil", False)
    assert scale_partition(drill_export, "anvil") == expected
    with Store.open(tmp_path / "embedded-anvil-False.duckdb", must_exist=True) as store:
        stored = {(str(a), str(b), str(r)) for a, b, r in store.execute(
            "SELECT a, b, reason FROM cluster_links WHERE chain = 'anvil'").fetchall()}
    # the same deposit addresses, hot wallets, and shares to the percent (the reason text carries them)
    assert _links(drill_export, "anvil") == stored
    assert stats.deposit_addresses == sum(1 for _, _, r in stored if r.startswith("deposit address"))
    assert stats.deposit_addresses > 0


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, phases=QUICK)
@given(blocks=bitcoin_blocks(), change=st.booleans())
def test_generated_bitcoin_clusters_equal_the_embedded_run(quick_spark: Any, tmp_path_factory: pytest.TempPathFactory,
                                                           blocks: list[UtxoBlockBundle], change: bool) -> None:
    tmp = tmp_path_factory.mktemp("generated")
    db = tmp / "store.duckdb"
    write_blocks(db, blocks)
    parquet = export(db, tmp / "parquet")
    run_scale_cluster(quick_spark, parquet, CHAIN, change=change)
    assert scale_partition(parquet, CHAIN) == embedded(db, tmp, CHAIN, change)


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, phases=QUICK)
@given(blocks=bitcoin_blocks(), change=st.booleans(), split=st.integers(1, 7))
def test_incremental_runs_equal_one_run_over_everything(quick_spark: Any, tmp_path_factory: pytest.TempPathFactory,
                                                        blocks: list[UtxoBlockBundle], change: bool,
                                                        split: int) -> None:
    tmp = tmp_path_factory.mktemp("incremental")
    db = tmp / "store.duckdb"
    split = min(split, len(blocks) - 1)
    write_blocks(db, blocks[:split])
    parquet = export(db, tmp / "parquet", size=2)  # an odd split leaves a range half full: it changes later
    run_scale_cluster(quick_spark, parquet, CHAIN, change=change)
    write_blocks(db, blocks[split:])
    export(db, parquet, size=2)
    second = run_scale_cluster(quick_spark, parquet, CHAIN, change=change)
    assert second.block_ranges_read == len(range(split // 2 * 2, len(blocks), 2))  # only new or changed ranges
    assert scale_partition(parquet, CHAIN) == embedded(db, tmp, CHAIN, change)
    again = run_scale_cluster(quick_spark, parquet, CHAIN, change=change)
    assert again.block_ranges_read == 0 and again.clusters == second.clusters


def test_import_parquet_loads_the_clusters_into_the_store(quick_spark: Any, drill_case: dict[str, Any],
                                                          drill_export: Path, drill_copy: Path,
                                                          tmp_path: Path) -> None:
    run_scale_cluster(quick_spark, drill_export, "anvil")
    expected = embedded(drill_case["db"], tmp_path, "anvil", False)
    assert len(expected) > 0
    with Store.open(drill_copy, must_exist=True) as store:  # a store whose clusters differ until the import
        store.execute("DELETE FROM clusters WHERE chain = 'anvil'")
    for _ in range(2):  # a second import replaces, never duplicates
        with Store.open(drill_copy, must_exist=True) as store:
            counts = import_parquet(store, drill_export)
    assert counts["address_clusters"] == sum(len(g) for g in expected)
    assert store_partition(drill_copy, "anvil") == expected
    with Store.open(drill_copy, must_exist=True) as store:
        links = store.execute("SELECT a, b, reason FROM cluster_links WHERE chain = 'anvil'").fetchall()
        assert len(links) == len(set(links)) == len(_links(drill_export, "anvil"))
        # the embedded job carries on from the imported ids and clusters: nothing new, nothing changed
        assert run_clustering(store, "anvil").links == 0
    assert store_partition(drill_copy, "anvil") == expected


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, ["scale", "cluster", *args])


def test_bad_inputs_are_one_line_errors(quick_spark: Any, drill_export: Path, tmp_path: Path) -> None:
    missing = _cli("bitcoin", "--parquet", str(tmp_path / "nowhere"))
    unknown = _cli("dogecoin", "--parquet", str(drill_export))
    for result, words in ((missing, "no such folder"), (unknown, "chain 'dogecoin' is not in this export")):
        assert result.exit_code == 1, result.output
        assert words in result.output and "Traceback" not in result.output
    some_range = next((drill_export / "utxo_outputs" / "chain=bitcoin").glob("block_range=*"))
    for f in some_range.glob("*.parquet"):
        f.write_bytes(b"not parquet at all")
    broken = _cli("bitcoin", "--parquet", str(drill_export), "--format", "json")
    assert broken.exit_code == 1 and "Traceback" not in broken.output
    assert "not a readable Parquet file" in broken.output or "failed" in broken.output
    assert not (drill_export / "address_clusters" / "chain=bitcoin").exists()  # nothing half written


def test_options_must_match_the_saved_state(quick_spark: Any, drill_export: Path) -> None:
    ok = _cli("anvil", "--parquet", str(drill_export), "--format", "json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["clusters"] > 0
    other = _cli("anvil", "--parquet", str(drill_export), "--window", "5")
    assert other.exit_code == 1 and "clustered with" in other.output
