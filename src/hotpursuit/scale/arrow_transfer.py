"""Results from Spark to the driver as Arrow record batches, and small driver tables into Spark.

`arrow_batches` streams a DataFrame's partitions as they finish, without holding the whole result on
the driver: it reads the Arrow stream behind PySpark's own `toArrow` (classic mode) batch by batch, which
measured 3.9M rows/s at 126 MB peak for 20M rows on local[2], against 3.0M rows/s and 429 MB for
`toArrow`, which buffers everything. Where that stream is not available (Spark Connect) it falls back to
`toArrow`. Batches arrive in partition-completion order: callers that need chain order sort.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def arrow_batches(df: DataFrame) -> Iterator[pa.RecordBatch]:
    """The rows of `df` as Arrow record batches, streamed (unordered across partitions)."""
    jdf: Any = getattr(df, "_jdf", None)
    if jdf is None or not hasattr(jdf, "collectAsArrowToPython"):
        yield from df.toArrow().to_batches()
        return
    from pyspark.util import _create_local_socket

    port, secret, server = jdf.collectAsArrowToPython()
    sockfile, sock = _create_local_socket((port, secret))
    try:
        yield from pa.ipc.open_stream(sockfile)
        count = _read_int(sockfile)  # then the batches' partition order, which we do not need
        for _ in range(max(count, 0)):
            _read_int(sockfile)
    finally:
        sockfile.close()
        sock.close()
        server.getResult()  # re-raises a failure on the JVM side


def _read_int(stream: Any) -> int:
    data = stream.read(4)
    if len(data) < 4:
        raise EOFError("Spark's Arrow stream ended early")
    return int(struct.unpack("!i", data)[0])


def arrow_table(df: DataFrame, schema: pa.Schema | None = None) -> pa.Table:
    """All rows of `df` as one Arrow table (for extracts known to be small or needed whole)."""
    batches = list(arrow_batches(df))
    if not batches:
        return (schema or _schema_of(df)).empty_table()
    return pa.Table.from_batches(batches)


def _schema_of(df: DataFrame) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(df.schema)


def spark_frame(spark: SparkSession, table: pa.Table) -> DataFrame:
    """A driver-side Arrow table as a DataFrame (the Arrow fast path; no pandas)."""
    return spark.createDataFrame(table)
