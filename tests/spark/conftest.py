"""One SparkSession for every Spark test (a JVM start costs ~10 s; only one SparkContext per process),
on `local[2]` or, when `HOTPURSUIT_SPARK_MASTER` is set, on that cluster (scripts/spark_standalone.sh
runs these tests against a standalone master and worker). The drill store, its Parquet export and the
embedded results the parity tests compare against are built once per run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.scale.session import spark_session
from hotpursuit.store import Store
from hotpursuit.store.parquet_io import export_parquet
from tests.integration.drill_store import build_drill_case

MASTER = os.environ.get("HOTPURSUIT_SPARK_MASTER", "local[2]")


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The shared session (local[2] unless HOTPURSUIT_SPARK_MASTER names a cluster)."""
    settings = {"spark.local.dir": str(tmp_path_factory.mktemp("spark-local"))}
    if MASTER.startswith("spark://"):
        settings |= {"spark.executor.memory": "1g", "spark.cores.max": "2"}
    session = spark_session(MASTER, settings)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def drill_case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The heist drill's traced-ready store and its Parquet export (block ranges of 10 blocks, so the
    jobs read many partitions): {"db", "parquet", "truth", "counts" (rows exported per table)}."""
    folder = tmp_path_factory.mktemp("spark-drill")
    db = folder / "drill.duckdb"
    with AnvilNode() as node:
        rpc = JsonRpcClient(node.url)
        try:
            truth = build_drill_case(rpc, db)
        finally:
            rpc.close()
    with Store.open(db, must_exist=True) as store:
        counts = export_parquet(store, folder / "parquet", block_range_size=10)
    return {"db": db, "parquet": folder / "parquet", "truth": truth, "counts": counts}


@pytest.fixture
def drill_copy(drill_case: dict[str, Any], tmp_path: Path) -> Path:
    """A private copy of the drill store for a test that writes to it."""
    target = tmp_path / "drill.duckdb"
    target.write_bytes(Path(drill_case["db"]).read_bytes())
    return target
