"""Spark reads the store's Parquet export directly (hive partitions by chain and block range), amounts
stay exact as decimal text, and extracts reach the driver as Arrow batches with nothing lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import functions as F

from hotpursuit.scale.arrow_transfer import arrow_batches, arrow_table, spark_frame


def test_the_export_is_read_by_spark_with_every_table_and_exact_amounts(spark: Any, drill_case: dict[str, Any]) -> None:
    folder = Path(drill_case["parquet"])
    transfers = spark.read.parquet(str(folder / "transfers"))
    assert {"chain", "block_range", "amount"} <= set(transfers.columns)
    got = arrow_table(transfers.select("chain", "tx_hash", "seq", "amount"))
    counts = drill_case["counts"]
    assert got.num_rows == counts["transfers"]
    assert sum(int(x) for x in got.column("amount").to_pylist()) > 0
    assert spark.read.parquet(str(folder / "utxo_outputs")).count() == counts["utxo_outputs"]
    assert spark.read.parquet(str(folder / "utxo_inputs")).count() == counts["utxo_inputs"]
    ranges = {r.block_range for r in transfers.select("block_range").distinct().collect()}
    assert len(ranges) > 1 and all(r % 10 == 0 for r in ranges)


def test_batches_stream_every_row_once(spark: Any) -> None:
    df = spark.range(0, 250_000, numPartitions=5).withColumn("big", F.lit("115792089237316195423570985008687907853"
                                                                         "269984665640564039457584007913129639935"))
    batches = list(arrow_batches(df))
    assert len(batches) >= 5
    table = pa.Table.from_batches(batches)
    assert table.num_rows == 250_000
    assert pc.sum(table.column("id")).as_py() == sum(range(250_000))
    assert int(table.column("big")[0].as_py()) == 2**256 - 1
    back = spark_frame(spark, pa.table({"a": pa.array([1, 2, 3], pa.int64())}))
    assert back.agg(F.sum("a")).collect()[0][0] == 6
    assert arrow_table(df.where(F.col("id") < 0)).num_rows == 0
