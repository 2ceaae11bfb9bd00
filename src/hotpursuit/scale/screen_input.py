"""The address file of `scale screen`, read by Spark: numbered lines, the optional `chain,address` header, and
each line's address normalised exactly as the API normalises it (`chains.address_codec.parse_address`).

Line numbers come from each split's start offset (`input_file_block_start`) and the row ids Spark gives within
a partition, so no line is numbered by a pass on the driver. A line that is already in the stored form (an EVM
address in lowercase hex, what exchanges mostly hold) is taken as it is inside Spark; every other line (EIP-55
mixed case, Bitcoin, another chain, or malformed) goes through `parse_address` in a Python UDF on the
executors, which gives the API's own reason for a bad one. Blank lines are skipped, not counted as bad.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from hotpursuit.chains.address_codec import EVM_CHAINS, check_chain, parse_address
from hotpursuit.errors import HotpursuitError
from hotpursuit.scale.arrow_transfer import arrow_table, spark_frame

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

HEADER = "chain,address"
STORED_EVM = r"^0x[0-9a-f]{40}\z"  # \z: Java's $ would also match before a final line break
NO_COMMA = "want chain,address (the file's first line is the header chain,address)"


@dataclass(frozen=True)
class AddressLines:
    """The file's lines as rows (line, chain, address, reason, status, text): status `ok` (address
    normalised), `bad` (reason given, and the line's first 100 characters as `text`) or `blank`; `csv` when
    the file had the `chain,address` header."""

    rows: DataFrame
    csv: bool


def read_address_lines(spark: SparkSession, path: Path | str, chain: str | None,
                       known_chains: frozenset[str]) -> AddressLines:
    """Number and parse the lines of `path`: one address a line of `chain`, or a CSV whose header is
    `chain,address` (then `chain` must be None). `known_chains`: chains the data knows besides the codecs'."""
    from pyspark.sql import functions as F

    lines, first = _numbered(spark, str(path))
    csv = first is not None and first.lstrip("\ufeff").strip().lower().replace(" ", "").replace("\"", "") == HEADER
    if csv and chain is not None:
        raise HotpursuitError(f"--chain {chain}: {path} names each line's chain (its header is {HEADER}); "
                              "leave --chain out")
    if not csv and chain is None:
        raise HotpursuitError(f"--addresses {path}: one address a line needs --chain (or give a CSV file whose "
                              f"first line is {HEADER})")
    if not csv and chain is not None:
        check_chain(chain, known_chains)
    value = F.col("value")
    if csv:
        lines = lines.filter(F.col("line") > 1)
        shaped = r'^\s*"?([^,"]*?)"?\s*,(.*)\z'
        chain_col = F.regexp_extract(value, shaped, 1)
        text = F.regexp_replace(F.regexp_extract(value, shaped, 2), r'^\s*"(.*)"\s*\z', "$1")
        well_formed = value.rlike(shaped)
    else:
        chain_col, text, well_formed = F.lit(chain), value, F.lit(True)
    rows = lines.select("line", "value", value.rlike(r"^\s*\z").alias("blank"), well_formed.alias("shaped"),
                        chain_col.alias("chain"), text.alias("text"))
    evm = F.col("chain").isin(sorted(EVM_CHAINS)) | F.col("chain").startswith("evm-")
    kind = F.when(F.col("blank"), F.lit("blank")).when(~F.col("shaped"), F.lit("misshaped")) \
        .when(evm & F.col("text").rlike(STORED_EVM), F.lit("stored")).otherwise(F.lit("check"))
    rows = rows.withColumn("kind", kind)
    out = ["line", "chain", "address", "reason", "status", "text"]
    is_ = {k: F.col("kind") == k for k in ("blank", "misshaped", "stored")}
    settled = rows.filter(F.col("kind") != "check").select(
        "line", "chain", F.when(is_["stored"], F.col("text")).alias("address"),
        F.when(is_["misshaped"], F.lit(NO_COMMA)).alias("reason"),
        F.when(is_["stored"], F.lit("ok")).when(is_["blank"], F.lit("blank")).otherwise(F.lit("bad")).alias("status"),
        F.when(is_["misshaped"], F.substring("value", 1, 100)).alias("text"))
    # filtered before the UDF, so the Python workers see only the lines that need them
    parsed = rows.filter(F.col("kind") == "check").select(
        "line", "chain", "value", _normalise_udf(known_chains)(F.col("chain"), F.col("text")).alias("p"))
    bad = F.col("p.reason").isNotNull()
    checked = parsed.select("line", "chain", F.col("p.address").alias("address"), F.col("p.reason").alias("reason"),
                            F.when(bad, F.lit("bad")).otherwise(F.lit("ok")).alias("status"),
                            F.when(bad, F.substring("value", 1, 100)).alias("text"))
    return AddressLines(settled.select(*out).unionByName(checked.select(*out)), csv)


def _numbered(spark: SparkSession, path: str) -> tuple[DataFrame, str | None]:
    """(line, value) rows of the text file, numbered from 1, and its first line (None if empty)."""
    from pyspark.sql import functions as F

    raw = spark.read.text(path).select("value", F.input_file_block_start().alias("block"),
                                       F.monotonically_increasing_id().alias("row_id"))
    blocks = arrow_table(raw.groupBy("block").agg(F.count(F.lit(1)).alias("n"), F.min("row_id").alias("first_id"),
                                                  F.min_by("value", "row_id").alias("first"))).to_pylist()
    blocks.sort(key=lambda b: int(b["block"]))
    bases, seen = [], 0
    for b in blocks:  # row ids are consecutive within a split: line = row id + (lines before it) - first id + 1
        bases.append(seen - int(b["first_id"]) + 1)
        seen += int(b["n"])
    base_frame = spark_frame(spark, pa.table({"block": pa.array([b["block"] for b in blocks], pa.int64()),
                                              "base": pa.array(bases, pa.int64())}))
    lines = raw.join(F.broadcast(base_frame), "block").select((F.col("row_id") + F.col("base")).alias("line"),
                                                               "value")
    return lines, (str(blocks[0]["first"]) if blocks else None)


def _normalise_udf(known_chains: frozenset[str]) -> Callable[[Column, Column], Column]:
    """A UDF (chain, text) -> struct(address, reason): `parse_address`'s answer, or the API's reason."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    known = frozenset(known_chains)

    def normalise(chain: str | None, text: str | None) -> tuple[str | None, str | None]:
        try:
            return parse_address(check_chain(chain or "", known), text or ""), None
        except HotpursuitError as exc:
            return None, str(exc)[:300]

    schema = StructType([StructField("address", StringType()), StructField("reason", StringType())])
    return F.udf(normalise, schema, useArrow=False)
