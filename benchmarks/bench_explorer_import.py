"""Benchmark: `import explorer` of an Etherscan web ERC-20 CSV (issue 13: report rows/s on 1M rows).

Generates a CSV of N rows in Etherscan's web "Download CSV" ERC-20 layout (every field quoted, token units
with thousands separators, 50 tokens of which none is in the registry, so decimals are assumed) in a temp
dir, then measures in the same run:
  * hotpursuit's import (every cell validated, exact base units, merge by row identity, one transaction)
  * a baseline: DuckDB's read_csv of the same file into an untyped table, no validation
and prints rows/s and the ratio. Usage: python benchmarks/bench_explorer_import.py [--rows N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from hotpursuit.ingest.explorer_job import import_explorer
from hotpursuit.store import Store

HEADER = ('"Txhash","Blockno","UnixTimestamp","DateTime (UTC)","From","To","TokenValue","USDValueDayOfTx",'
          '"ContractAddress","TokenName","TokenSymbol"')


def generate(path: Path, rows: int) -> None:
    """Transfers over 50 tokens, 3 per transaction, 200 per block, amounts up to ~1e12 token units."""
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT
        '0x' || md5((i // 3)::VARCHAR) || md5((i // 3 + 7)::VARCHAR) AS "Txhash",
        (17000000 + i // 200)::VARCHAR AS "Blockno", (1700000000 + i // 200 * 12)::VARCHAR AS "UnixTimestamp",
        '2023-11-14 22:13:20' AS "DateTime (UTC)",
        '0x' || md5(i::VARCHAR) || lower(lpad(to_hex(i % 65536), 8, '0')) AS "From",
        '0x' || md5((i + 1)::VARCHAR) || lower(lpad(to_hex(i % 4096), 8, '0')) AS "To",
        format('{{:,}}', (hash(i) % 1000000000000)::BIGINT) || '.' || lpad(((hash(i + 1) % 1000000))::VARCHAR, 6, '0')
            AS "TokenValue",
        'N/A' AS "USDValueDayOfTx", '0x' || lower(lpad(to_hex(4096 + i % 50), 40, '0')) AS "ContractAddress",
        'Bench Token ' || (i % 50)::VARCHAR AS "TokenName", 'BT' || (i % 50)::VARCHAR AS "TokenSymbol"
      FROM range({rows}) r(i)) TO '{path}' (HEADER, FORCE_QUOTE *)""")
    con.close()
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == HEADER, first


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "export-tokenholders-erc20.csv"
        t0 = time.perf_counter()
        generate(csv_path, args.rows)
        print(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:,.0f} MB) in "
              f"{time.perf_counter() - t0:.1f} s")

        with duckdb.connect(str(Path(tmp) / "baseline.duckdb")) as con:
            t0 = time.perf_counter()
            con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{csv_path}', header=true, all_varchar=true)")
            con.execute("CHECKPOINT")
            baseline = time.perf_counter() - t0

        with Store.open(Path(tmp) / "store.duckdb") as store:
            t0 = time.perf_counter()
            result = import_explorer(store, [csv_path])
            store.execute("CHECKPOINT")
            ours = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = import_explorer(store, [csv_path])
            merge = time.perf_counter() - t0

    print(f"baseline (DuckDB read_csv, no validation): {args.rows / baseline:>10,.0f} rows/s ({baseline:.2f} s)")
    print(f"hotpursuit import explorer (fresh store)  : {args.rows / ours:>10,.0f} rows/s ({ours:.2f} s, "
          f"{result.added:,} stored, {len(result.assumed_decimals)} tokens with decimals assumed)")
    print(f"hotpursuit import explorer (same file again, all merged): {args.rows / merge:>10,.0f} rows/s "
          f"({merge:.2f} s, {again.added:,} added)")
    print(f"ratio hotpursuit / raw read_csv: {baseline / ours:.2f}")


if __name__ == "__main__":
    main()
