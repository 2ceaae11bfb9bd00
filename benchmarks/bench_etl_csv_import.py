"""Benchmark: ethereum-etl token_transfers CSV import into DuckDB (goal: >= 1M transfers/s on 2 cores).

Generates a CSV of N rows in ethereum-etl's token_transfers layout, then measures in the same run:
  * hotpursuit's import (every cell validated, exact BIGNUM amounts, seq numbering, one transaction)
  * a baseline: DuckDB loading the same file into an untyped table with no validation at all
and prints transfers/s and the ratio. Usage: python benchmarks/bench_etl_csv_import.py [--rows N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from hotpursuit.ingest.ethereum_etl_job import import_ethereum_etl
from hotpursuit.store import Store


def generate(path: Path, rows: int) -> None:
    """Token transfers over 2,000 tokens and many addresses, amounts up to ~1e30, blocks ascending."""
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT
        '0x' || lpad(to_hex(i % 2000), 40, '0') AS token_address,
        '0x' || md5(i::VARCHAR) || lpad(to_hex(i % 65536), 8, '0') AS from_address,
        '0x' || md5((i + 1)::VARCHAR) || lpad(to_hex(i % 4096), 8, '0') AS to_address,
        ((hash(i) % 1000000000000000)::HUGEINT * 1000000000000000 + i)::VARCHAR AS value,
        '0x' || md5((i // 3)::VARCHAR) || md5((i // 3 + 7)::VARCHAR) AS transaction_hash,
        i % 300 AS log_index,
        17000000 + i // 300 AS block_number
      FROM range({rows}) r(i)) TO '{path}' (HEADER)""")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "export"
        folder.mkdir()
        csv_path = folder / "token_transfers.csv"
        t0 = time.perf_counter()
        generate(csv_path, args.rows)
        size_mb = csv_path.stat().st_size / 1e6
        print(f"generated {args.rows:,} rows ({size_mb:,.0f} MB) in {time.perf_counter() - t0:.1f} s")

        with duckdb.connect(str(Path(tmp) / "baseline.duckdb")) as con:
            t0 = time.perf_counter()
            con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{csv_path}', header=true, all_varchar=true)")
            con.execute("CHECKPOINT")
            baseline = time.perf_counter() - t0

        with Store.open(Path(tmp) / "store.duckdb") as store:
            t0 = time.perf_counter()
            result = import_ethereum_etl(store, folder)
            store.execute("CHECKPOINT")
            ours = time.perf_counter() - t0
            stored = result.rows_stored["transfers"]

    print(f"baseline (raw DuckDB load, no validation): {args.rows / baseline:>12,.0f} rows/s  ({baseline:.2f} s)")
    print(f"hotpursuit import ethereum-etl           : {stored / ours:>12,.0f} transfers/s ({ours:.2f} s, "
          f"{stored:,} stored)")
    print(f"ratio hotpursuit / raw load: {baseline / ours:.2f}   goal >= 1,000,000 transfers/s: "
          f"{'met' if stored / ours >= 1e6 else 'NOT met'}")


if __name__ == "__main__":
    main()
