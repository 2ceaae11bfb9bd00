"""Benchmark: the trace's extraction (`movements`: every movement taint can reach, hop by hop forward in
time) by Spark on local[2] over a generated EVM-like Parquet export of 10M and 100M transfers
(`scale/trace_reads.SparkChainReads`), against the embedded extraction (`jobs/chain_reads.StoreChainReads`
over a DuckDB store holding the same transfers), in one run; both must return the same movements.

The chain: background transfers between address pools (ETH and 20 tokens, amounts as decimal text up to
1e21, 1% zero-value), 500 per block; at the middle block a theft pays the thief, who splits the money in
a binary tree for 8 hops and then peels each of the 256 branches for 22 hops into exchange deposit
addresses (which do not move it on): 31 hops, ~12k movements, plus clean deposits from the background into
the laundering addresses. Spark scans every transfer after the theft at each hop; the extract stays small.
Each side runs in its own child process (peak RSS its own: the Python process, and the JVM for Spark).
Figures are reported, never asserted as time limits; a size predicted (linear in rows from the size
before) to take over --budget seconds for Spark is skipped and said so.

Usage: python benchmarks/bench_scale_trace.py [--sizes 10M,100M] [--workdir benchmarks/out/scale-trace]
       [--driver-memory 8g] [--budget 600] [--keep]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scale_bench_kit import count, hex_text, in_child, peak_rss_mb, start_spark

PER_BLOCK = 500
BLOCKS_PER_RANGE = 10_000  # 5M transfers per block range
TREE_HOPS, PEEL_HOPS, HOP_BLOCKS = 8, 22, 20
LAUNDER_BASE, SINK_BASE, THIEF = 1 << 40, 1 << 41, 1 << 42


def address(ids: np.ndarray) -> pa.Array:
    return hex_text(ids, 1, 40, b"0x")


def _amounts(rng: np.random.Generator, n: int) -> pa.Array:
    text = pa.array(rng.integers(1, 10**18, n)).cast(pa.string())
    big = pa.array(rng.random(n) < 0.1)
    text = pc.if_else(big, pc.binary_join_element_wise(text, "000", ""), text)  # past int64: exact as text
    return pc.if_else(pa.array(rng.random(n) < 0.01), "0", text)


def _laundering(theft_block: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The theft and its laundering (ids, blocks): a binary tree, then peel chains into sinks."""
    src, dst, block = [np.array([0])], [np.array([THIEF])], [np.array([theft_block])]
    level = np.array([THIEF])
    next_id = LAUNDER_BASE
    for hop in range(1, TREE_HOPS + PEEL_HOPS + 1):
        at = theft_block + hop * HOP_BLOCKS + rng.integers(0, HOP_BLOCKS, level.size)
        if hop <= TREE_HOPS:  # split in two
            children = np.arange(next_id, next_id + 2 * level.size)
            src += [np.repeat(level, 2)]
            dst += [children]
            block += [np.repeat(at, 2)]
        else:  # peel: most on to the next address, a part to a deposit address
            children = np.arange(next_id, next_id + level.size)
            sinks = SINK_BASE + np.arange(next_id, next_id + level.size)
            src += [level, level]
            dst += [children, sinks]
            block += [at, at]
        next_id += children.size
        level = children
    src += [level]
    dst += [SINK_BASE + level]
    block += [theft_block + (TREE_HOPS + PEEL_HOPS + 1) * HOP_BLOCKS + rng.integers(0, HOP_BLOCKS, level.size)]
    launderers = np.arange(LAUNDER_BASE, next_id)
    n_clean = 2_000  # clean deposits into the laundering addresses, before and after the theft
    src += [rng.integers(1, 1_000_000, n_clean)]
    dst += [rng.choice(launderers, n_clean)]
    block += [rng.integers(0, 2 * theft_block, n_clean)]
    return {"src": np.concatenate(src), "dst": np.concatenate(dst), "block": np.concatenate(block)}


def _table(src: np.ndarray, dst: np.ndarray, block: np.ndarray, tx_index: np.ndarray, tx_ids: np.ndarray,
           rng: np.random.Generator) -> pa.Table:
    n = src.size
    token = rng.random(n) < 0.3
    assets = address(rng.integers(0, 20, n) + (1 << 43))
    return pa.table({
        "block_number": pa.array(block, pa.int64()),
        "tx_hash": hex_text(tx_ids, 2, 64, b"0x"),
        "tx_index": pa.array(tx_index, pa.int32()),
        "seq": pa.array(np.zeros(n, dtype=np.int32)),
        "kind": pc.if_else(pa.array(token), "erc20", "native"),
        "log_index": pc.if_else(pa.array(token), pa.array(np.zeros(n, dtype=np.int32)), pa.scalar(None, pa.int32())),
        "trace_address": pa.nulls(n, pa.string()),
        "from_address": address(src),
        "to_address": address(dst),
        "asset": pc.if_else(pa.array(token), assets, "ETH"),
        "amount": _amounts(rng, n),
        "source": pc.fill_null(pa.nulls(n, pa.string()), "bench"),
    })


def generate(folder: Path, n: int, seed: int = 18) -> dict[str, Any]:
    """Write the export under `folder`; returns its figures (reused when a run left a complete one)."""
    marker = folder / "generated.json"
    if marker.exists():
        return json.loads(marker.read_text())  # type: ignore[no-any-return]
    shutil.rmtree(folder, ignore_errors=True)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    blocks = max(1, n // PER_BLOCK)
    theft_block = blocks // 2
    pool = max(1_000_000, n // 20)
    launder = _laundering(theft_block, rng)
    launder_tx = np.arange(launder["src"].size) + (1 << 44)
    launder_index = PER_BLOCK + np.arange(launder["src"].size)  # after the block's background txs
    written = 0
    for start in range(0, blocks, BLOCKS_PER_RANGE):
        stop = min(blocks, start + BLOCKS_PER_RANGE)
        m = (stop - start) * PER_BLOCK
        ids = np.arange(written, written + m)
        src = (pool * rng.random(m) ** 2).astype(np.int64)  # busy senders and receivers
        dst = (pool * rng.random(m) ** 2).astype(np.int64)
        block = start + (ids - written) // PER_BLOCK
        here = (launder["block"] >= start) & (launder["block"] < stop)
        table = pa.concat_tables([
            _table(src, dst, block, (ids - written) % PER_BLOCK, ids, rng),
            _table(launder["src"][here], launder["dst"][here], launder["block"][here], launder_index[here],
                   launder_tx[here], rng)])
        part = folder / "export" / "transfers" / "chain=ethereum" / f"block_range={start}"
        part.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, part / "data_0.parquet", row_group_size=1_000_000)
        written += m
    info = {"transfers": written + int(launder["src"].size), "laundering": int(launder["src"].size),
            "theft_block": theft_block, "blocks": blocks, "thief": address(np.array([THIEF]))[0].as_py(),
            "seconds": round(time.perf_counter() - t0, 1),
            "parquet_bytes": sum(f.stat().st_size for f in (folder / "export").rglob("*.parquet"))}
    marker.write_text(json.dumps(info))
    return info


def load_store(folder: Path, transfers: bool = True) -> float:
    """The DuckDB store the embedded side reads (and the Spark side asks for poisoning transfers); without
    `transfers`, an empty one (the Spark side alone)."""
    from hotpursuit.store import Store

    db = folder / "store.duckdb"
    if not transfers:
        Store.open(db).close()
        return 0.0
    if (folder / "store.loaded").exists():
        return 0.0
    for leftover in folder.glob("store.duckdb*"):
        leftover.unlink()
    t0 = time.perf_counter()
    with Store.open(db) as store:
        store._con.execute(f"""INSERT INTO transfers SELECT 'ethereum', block_number, tx_hash, tx_index, seq, kind,
                               log_index, trace_address, from_address, to_address, asset, amount::BIGNUM, source
                               FROM read_parquet('{folder}/export/transfers/*/*/*.parquet')""")
    (folder / "store.loaded").write_text("1")
    return time.perf_counter() - t0


def _digest(movements: list[Any]) -> str:
    h = hashlib.sha256()
    for m in movements:
        h.update(repr(m).encode())
    return h.hexdigest()[:16]


def _run(side: str, folder: Path, thief: str, since: int, driver_memory: str) -> dict[str, Any]:
    from hotpursuit.store import Store
    from hotpursuit.store.incident_tables import IncidentSources

    sources = IncidentSources(theft_txs=frozenset(), addresses=frozenset({thief}), receipts=frozenset())
    with Store.open(folder / "store.duckdb", must_exist=True) as store:
        if side == "embedded":
            from hotpursuit.jobs.chain_reads import StoreChainReads

            t0 = time.perf_counter()
            moves = StoreChainReads(store).movements("ethereum", since, sources, set(), None)
            seconds = time.perf_counter() - t0
            return {"seconds": seconds, "movements": len(moves), "digest": _digest(moves),
                    "addresses": len({m.sender for m in moves} | {m.receiver for m in moves}),
                    "rss": peak_rss_mb()}
        from hotpursuit.scale.trace_reads import SparkChainReads

        class TimedReads(SparkChainReads):
            """Times the hop-by-hop part (the rest is the persist, the starts and the final extract)."""

            reach_seconds = 0.0

            def _reach(self, moves: Any, starts: set[str], max_hops: int) -> dict[str, tuple[int, int, int]]:
                t = time.perf_counter()
                try:
                    return super()._reach(moves, starts, max_hops)
                finally:
                    self.reach_seconds = time.perf_counter() - t

        spark, _, started, jvm_pid = start_spark(folder, driver_memory)
        reads = TimedReads(spark, str(folder / "export"), store)
        t1 = time.perf_counter()
        moves = reads.movements("ethereum", since, sources, set(), None)
        seconds = time.perf_counter() - t1
        shuffle = 0
        try:  # the status store's executor totals (local mode: one executor, the driver)
            executors = spark.sparkContext._jsc.sc().statusStore().executorList(False)
            shuffle = sum(int(executors.apply(i).totalShuffleWrite()) for i in range(executors.size()))
        except Exception as exc:  # a private API: report it, keep the other figures
            print(f"  (Spark status store not readable: {exc!r:.120})")
        jvm = peak_rss_mb(jvm_pid)
        spark.stop()
        return {"seconds": seconds, "session_seconds": started, "hops": reads.hops,
                "reach_seconds": reads.reach_seconds, "movements": len(moves), "digest": _digest(moves),
                "addresses": len({m.sender for m in moves} | {m.receiver for m in moves}),
                "shuffle": shuffle, "rss": peak_rss_mb(), "jvm_rss": jvm}


def measure(side: str, folder: Path, thief: str, since: int, driver_memory: str) -> dict[str, Any]:
    return in_child(_run, side, folder, thief, since, driver_memory)


def report(gen: dict[str, Any], load: float, results: dict[str, dict[str, Any]]) -> None:
    n, after = gen["transfers"], gen["transfers"] - gen["theft_block"] * PER_BLOCK
    print(f"\n== {n:,} transfers ({after:,} from the theft's block on), {gen['laundering']:,} of them the theft's "
          f"laundering; Parquet {gen['parquet_bytes'] / 1e6:,.0f} MB (generated in {gen['seconds']} s); "
          + (f"DuckDB load {load:.1f} s{' (reused)' if load == 0 else ''}" if "embedded" in results
             else "no DuckDB load (Spark side only)"))
    for side, r in results.items():
        if "error" in r:
            print(f"  {side:<8}: FAILED {r['error']}")
            continue
        line = (f"  {side:<8}: {r['seconds']:8.1f} s  {after / r['seconds']:>12,.0f} rows/s scanned  extract "
                f"{r['movements']:,} movements of {r['addresses']:,} addresses  peak RSS {r['rss']:,.0f} MB")
        if side == "spark":
            line += (f" (Python driver) + JVM {r['jvm_rss']:,.0f} MB\n"
                     f"            {r['hops']} hops in {r['reach_seconds']:.1f} s = "
                     f"{r['reach_seconds'] / max(1, r['hops']):.2f} s per hop; the rest (persist, starts, final "
                     f"extract) {r['seconds'] - r['reach_seconds']:.1f} s; session start {r['session_seconds']:.1f} s; "
                     f"shuffle written {r['shuffle'] / 1e6:,.0f} MB")
        print(line)
    ok = [r for r in results.values() if "error" not in r]
    if len(ok) == 2:
        same = ok[0]["digest"] == ok[1]["digest"] and ok[0]["movements"] == ok[1]["movements"]
        print(f"  parity: {'the same movements, in the same order' if same else 'MOVEMENTS DIFFER'}")
        s, e = results["spark"]["seconds"], results["embedded"]["seconds"]
        print(f"  spark vs embedded: {e / s:.2f}x the speed ({s:.1f} s vs {e:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10M,100M", help="transfers per run, comma-separated")
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/out/scale-trace"))
    parser.add_argument("--driver-memory", default="8g", help="spark.driver.memory (local mode: the whole JVM)")
    parser.add_argument("--budget", type=float, default=600.0, help="skip a size predicted to take longer (s)")
    parser.add_argument("--keep", action="store_true", help="keep the generated data for another run")
    parser.add_argument("--embedded-max", default="10M",
                        help="run the embedded side up to this size (it holds ~800 bytes per movement after the "
                             "start block: 100M transfers need ~40 GB)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"scale trace benchmark on local[2], {os.cpu_count()} cores; load average at start {load:.1f}"
          f"{' (the machine is shared: figures are pessimistic)' if load > 1.5 else ''}")
    skipped: list[str] = []
    last: tuple[int, float] | None = None
    for n in (count(s) for s in args.sizes.split(",")):
        if last is not None and last[1] * n / last[0] > args.budget:
            skipped.append(f"{n:,} transfers: predicted {last[1] * n / last[0]:,.0f} s for Spark alone (linear from "
                           f"{last[0]:,} in {last[1]:,.0f} s) exceeds --budget {args.budget:.0f} s")
            continue
        folder = args.workdir / f"transfers-{n}"
        gen = generate(folder, n)
        embedded = n <= count(args.embedded_max)
        seconds = load_store(folder, transfers=embedded)
        results = {"spark": measure("spark", folder, gen["thief"], gen["theft_block"], args.driver_memory)}
        if embedded:
            results["embedded"] = measure("embedded", folder, gen["thief"], gen["theft_block"], args.driver_memory)
        else:
            skipped.append(f"the embedded side at {n:,} transfers (over --embedded-max {args.embedded_max})")
        report(gen, seconds, results)
        if "error" not in results["spark"]:
            last = (n, results["spark"]["seconds"])
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    for line in skipped:
        print(f"skipped {line}")


if __name__ == "__main__":
    main()
