"""Benchmark: `scale cluster` (Spark extraction on local[2] + the driver's union-find) over a generated
Bitcoin-like Parquet export of 10M, 50M and 100M input rows, against hotpursuit's union-find and scipy's
connected_components on the same multi-input edges, and the embedded `cluster run` (DuckDB store) at the
sizes up to --embedded-max, all in one run.

The export has the layout and types `store export-parquet` writes (`utxo_inputs/`, `utxo_outputs/` under
`chain=bitcoin/block_range=<s>/`, amounts as decimal text, 64-hex tx hashes, 42-character bc1q
addresses). Transactions have 1-40 inputs (mean ~2.7), 70% of inputs spend a one-time address, the rest
reuse addresses with a skew (a few busy wallets), 0.3% are equal-output CoinJoins (skipped by every
contender). Each contender runs in its own child process, so its peak RSS is its own; the Spark child
reports the Python driver's and the JVM's peaks (local mode: the JVM is the driver and the executors) and
the shuffle bytes Spark wrote. Figures are reported, never asserted as time limits; a size whose
predicted Spark time (linear in the rows, from the size before) exceeds --budget seconds is skipped and
said so. Cluster counts must agree across contenders (a parity check, not a timing).

Usage: python benchmarks/bench_scale_cluster.py [--sizes 10M,50M,100M] [--embedded-max 10M]
       [--workdir benchmarks/out/scale-cluster] [--driver-memory 8g] [--budget 600] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scale_bench_kit import count, dir_bytes, hex_text, in_child, mix, peak_rss_mb, start_spark, strings

INPUTS_PER_BLOCK = 2_500
BLOCKS_PER_RANGE = 1_000  # 2.5M input rows per block range
CHUNK_INPUTS = INPUTS_PER_BLOCK * BLOCKS_PER_RANGE
OUTPUT_ONLY_BASE = 1 << 40  # ids of addresses that are only paid (never spent) in the generated chain
BECH32 = np.frombuffer(b"qpzry9x8gf2tvdw0s3jn54khce6mua7l", dtype=np.uint8)
FANIN = np.array([1, 2, 3, 4, 6, 8, 12, 20, 40])
FANIN_P = np.array([0.55, 0.18, 0.09, 0.06, 0.05, 0.03, 0.025, 0.01, 0.005])


def _hex(ids: np.ndarray, salt: int, digits: int = 64) -> pa.Array:
    """`digits` hex characters derived from each id (tx hashes, script hex)."""
    return hex_text(ids, salt, digits)


def _address(ids: np.ndarray) -> pa.Array:
    """A 42-character bc1q (p2wpkh-shaped) address per id."""
    words = [mix(ids, 100 + w) for w in range(4)]  # 12 characters of 5 bits per word
    chars = np.empty((ids.size, 42), dtype=np.uint8)
    chars[:, :4] = np.frombuffer(b"bc1q", dtype=np.uint8)
    for i in range(38):
        chars[:, 4 + i] = BECH32[((words[i // 12] >> np.uint64(5 * (i % 12))) & np.uint64(31)).astype(np.intp)]
    return strings(chars)


def _constant(text: str, n: int) -> pa.Array:
    return strings(np.tile(np.frombuffer(text.encode(), dtype=np.uint8), (n, 1)))


def _text(values: np.ndarray) -> pa.Array:
    return pa.array(values).cast(pa.string())


def generate(folder: Path, n_inputs: int, seed: int = 18) -> dict[str, Any]:
    """Write the export under `folder` and the multi-input edges (address ids) as edges.npz; returns the
    generation's figures. Reused when a previous run left a complete one."""
    marker = folder / "generated.json"
    if marker.exists():
        return json.loads(marker.read_text())  # type: ignore[no-any-return]
    shutil.rmtree(folder, ignore_errors=True)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    reused_pool = max(1, int(n_inputs * 0.3 / 4))  # reused addresses are spent ~4 times on average
    next_fresh, next_paid, next_tx = reused_pool, OUTPUT_ONLY_BASE, 0
    us, vs, written, outputs_written, coinjoins, block = [], [], 0, 0, 0, 0
    while written < n_inputs:
        target = min(CHUNK_INPUTS, n_inputs - written)
        fanin = rng.choice(FANIN, size=target // 2 + 16, p=FANIN_P)
        n_tx = int(np.searchsorted(np.cumsum(fanin), target)) + 1
        fanin = fanin[:n_tx]
        fanin[-1] -= int(fanin.sum()) - target  # exactly `target` input rows
        join = (fanin >= 5) & (rng.random(n_tx) < 0.003 / 0.1)
        coinjoins += int(join.sum())
        tx_ids = np.arange(next_tx, next_tx + n_tx, dtype=np.int64)
        next_tx += n_tx
        tx_of_input = np.repeat(np.arange(n_tx), fanin)
        starts = np.concatenate([[0], np.cumsum(fanin)[:-1]])
        input_index = np.arange(target) - starts[tx_of_input]
        fresh = (rng.random(target) < 0.7) | join[tx_of_input]  # a CoinJoin's inputs are all distinct
        addr = np.empty(target, dtype=np.int64)
        n_fresh = int(fresh.sum())
        addr[fresh] = np.arange(next_fresh, next_fresh + n_fresh)
        next_fresh += n_fresh
        addr[~fresh] = (reused_pool * rng.random(target - n_fresh) ** 3).astype(np.int64)  # skewed reuse
        block_of_tx = block + (starts // INPUTS_PER_BLOCK)
        tx_index = np.arange(n_tx) - np.searchsorted(block_of_tx, block_of_tx)
        block_range = (block // BLOCKS_PER_RANGE) * BLOCKS_PER_RANGE
        # edges: the first input's address to each other input's address, for the non-CoinJoin multi-input txs
        firsts = addr[starts][tx_of_input]
        keep = (~join[tx_of_input]) & (addr != firsts)
        us.append(firsts[keep])
        vs.append(addr[keep])
        spent = rng.integers(0, max(1, next_tx - n_tx), target)
        inputs = pa.table({
            "block_number": pa.array(block_of_tx[tx_of_input], pa.int64()),
            "tx_hash": _hex(tx_ids[tx_of_input], 1),
            "tx_index": pa.array(tx_index[tx_of_input], pa.int32()),
            "input_index": pa.array(input_index, pa.int32()),
            "spent_tx_hash": _hex(spent, 1),
            "spent_output_index": pa.array(rng.integers(0, 2, target), pa.int32()),
            "address": _address(addr),
            "value": _text(rng.integers(546, 100_000_000, target)),
            "source": _constant("bench", target),
        })
        # outputs: a payment and change, or one equal output per input for a CoinJoin
        fanout = np.where(join, fanin, 2)
        n_out = int(fanout.sum())
        tx_of_output = np.repeat(np.arange(n_tx), fanout)
        out_starts = np.concatenate([[0], np.cumsum(fanout)[:-1]])
        paid = np.arange(next_paid, next_paid + n_out)
        next_paid += n_out
        reuse = rng.random(n_out) < 0.3
        paid[reuse] = (reused_pool * rng.random(int(reuse.sum())) ** 3).astype(np.int64)
        value = rng.integers(546, 100_000_000, n_out)
        value[join[tx_of_output]] = 5_000_000
        outputs = pa.table({
            "block_number": pa.array(block_of_tx[tx_of_output], pa.int64()),
            "tx_hash": _hex(tx_ids[tx_of_output], 1),
            "tx_index": pa.array(tx_index[tx_of_output], pa.int32()),
            "output_index": pa.array(np.arange(n_out) - out_starts[tx_of_output], pa.int32()),
            "address": _address(paid),
            "script_type": _constant("witness_v0_keyhash", n_out),
            "script_hex": pc.binary_join_element_wise("0014", _hex(paid, 2, 40), ""),
            "value": _text(value),
            "memo": pa.nulls(n_out, pa.string()),
            "source": _constant("bench", n_out),
        })
        for table, rows in (("utxo_inputs", inputs), ("utxo_outputs", outputs)):
            part = folder / "export" / table / "chain=bitcoin" / f"block_range={block_range}"
            part.mkdir(parents=True, exist_ok=True)
            pq.write_table(rows, part / "data_0.parquet", row_group_size=1_000_000)
        written += target
        outputs_written += n_out
        block += BLOCKS_PER_RANGE
    u, v = np.concatenate(us), np.concatenate(vs)
    np.savez(folder / "edges.npz", u=u, v=v)
    info = {"inputs": written, "outputs": outputs_written, "transactions": next_tx, "coinjoins": coinjoins,
            "edges": int(u.size), "address_ids": int(next_fresh), "seconds": round(time.perf_counter() - t0, 1),
            "parquet_bytes": sum(f.stat().st_size for f in (folder / "export").rglob("*.parquet"))}
    marker.write_text(json.dumps(info))
    return info


def _spark(folder: Path, driver_memory: str) -> dict[str, Any]:
    from hotpursuit.scale.cluster_job import run_scale_cluster
    export = folder / "export"
    for table in ("address_clusters", "cluster_links"):
        shutil.rmtree(export / table, ignore_errors=True)
    spark, local, started, jvm_pid = start_spark(folder, driver_memory)
    peak_local = [0]
    done = threading.Event()

    def watch() -> None:  # the shuffle and spill files' peak size on disk
        while not done.wait(1.0):
            peak_local[0] = max(peak_local[0], dir_bytes(local))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    t1 = time.perf_counter()
    stats = run_scale_cluster(spark, export, "bitcoin")
    seconds = time.perf_counter() - t1
    done.set()
    watcher.join()
    shuffle_write = shuffle_read = 0
    try:  # the status store's executor totals (the REST API's figures, without the UI); local mode: one
        executors = spark.sparkContext._jsc.sc().statusStore().executorList(False)
        for i in range(executors.size()):
            shuffle_write += int(executors.apply(i).totalShuffleWrite())
            shuffle_read += int(executors.apply(i).totalShuffleRead())
    except Exception as exc:  # a private API: report it, keep the other figures
        print(f"  (Spark status store not readable: {exc!r:.120}; shuffle bytes from the local dir only)")
    jvm_peak = peak_rss_mb(jvm_pid)
    spark.stop()
    return {"seconds": seconds, "session_seconds": started, "phases": stats.seconds,
            "addresses": stats.addresses, "clusters": stats.clusters, "links": stats.links,
            "edges_before": stats.edges_before_reduction, "edges_after": stats.edges_after_reduction,
            "trivial": stats.trivial_addresses, "coinjoins": stats.coinjoins_skipped,
            "shuffle_write": shuffle_write, "shuffle_read": shuffle_read, "local_dir_peak": peak_local[0],
            "rss": peak_rss_mb(), "jvm_rss": jvm_peak}


def _graph(folder: Path, name: str) -> dict[str, Any]:
    edges = np.load(folder / "edges.npz")
    u, v = edges["u"], edges["v"]
    nodes = np.unique(np.concatenate([u, v]))
    n = int(nodes[-1]) + 1 if nodes.size else 0
    t0 = time.perf_counter()
    if name == "union-find":
        from hotpursuit.cluster.union_find import UnionFind

        uf = UnionFind(n)
        uf.union(u, v)
        labels = uf.roots()
    else:
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        graph = coo_matrix((np.ones(u.size, dtype=np.int8), (u, v)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "addresses": int(nodes.size), "clusters": int(np.unique(labels[nodes]).size),
            "rss": peak_rss_mb()}


def _embedded(folder: Path) -> dict[str, Any]:
    from hotpursuit.jobs.cluster_job import run_clustering
    from hotpursuit.store import Store

    db = folder / "embedded.duckdb"
    for leftover in folder.glob("embedded.duckdb*"):
        leftover.unlink()
    export = folder / "export"
    t0 = time.perf_counter()
    with Store.open(db) as store:
        con = store._con
        con.execute(f"""INSERT INTO utxo_inputs SELECT 'bitcoin', block_number, tx_hash, tx_index, input_index,
                        spent_tx_hash, spent_output_index, address, value::BIGNUM, source
                        FROM read_parquet('{export}/utxo_inputs/*/*/*.parquet')""")
        con.execute(f"""INSERT INTO utxo_outputs SELECT 'bitcoin', block_number, tx_hash, tx_index, output_index,
                        address, script_type, script_hex, value::BIGNUM, memo, source
                        FROM read_parquet('{export}/utxo_outputs/*/*/*.parquet')""")
        load = time.perf_counter() - t0
        t1 = time.perf_counter()
        stats = run_clustering(store, "bitcoin")
        seconds = time.perf_counter() - t1
    size = sum(p.stat().st_size for p in folder.glob("embedded.duckdb*"))
    for leftover in folder.glob("embedded.duckdb*"):
        leftover.unlink()
    return {"seconds": seconds, "load_seconds": load, "addresses": stats.addresses, "clusters": stats.clusters,
            "links": stats.links, "coinjoins": stats.coinjoins_skipped, "store_bytes": size, "rss": peak_rss_mb()}


def _contender(name: str, folder: str, driver_memory: str) -> dict[str, Any]:
    path = Path(folder)
    if name == "spark":
        return _spark(path, driver_memory)
    if name == "embedded":
        return _embedded(path)
    return _graph(path, name)


def measure(name: str, folder: Path, driver_memory: str) -> dict[str, Any]:
    return in_child(_contender, name, str(folder), driver_memory)


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def report(n: int, gen: dict[str, Any], results: dict[str, dict[str, Any]]) -> None:
    print(f"\n== {n:,} input rows: {gen['transactions']:,} txs, {gen['outputs']:,} outputs, "
          f"{gen['coinjoins']:,} CoinJoins, {gen['edges']:,} multi-input edges, Parquet {_mb(gen['parquet_bytes'])} "
          f"(generated in {gen['seconds']} s)")
    for name, r in results.items():
        if "error" in r:
            print(f"  {name:<11}: FAILED {r['error']}")
            continue
        rate = n / r["seconds"] if name in ("spark", "embedded") else gen["edges"] / r["seconds"]
        unit = "input rows/s" if name in ("spark", "embedded") else "edges/s"
        line = (f"  {name:<11}: {r['seconds']:8.1f} s  {rate:>12,.0f} {unit}  {r['addresses']:,} addresses in "
                f"{r['clusters']:,} clusters  peak RSS {r['rss']:,.0f} MB")
        if name == "spark":
            line += (f" (Python driver) + JVM {r['jvm_rss']:,.0f} MB\n"
                     f"               session start {r['session_seconds']:.1f} s; phases "
                     + ", ".join(f"{k} {v:.1f} s" for k, v in r["phases"].items())
                     + f"\n               edges to the driver {r['edges_after']:,} of {r['edges_before']:,} "
                     f"({r['trivial']:,} trivial addresses attached), {r['links']:,} links written"
                     f"\n               shuffle written {_mb(r['shuffle_write'])}, read {_mb(r['shuffle_read'])}, "
                     f"local dir peak {_mb(r['local_dir_peak'])}")
        if name == "embedded":
            line += (f"\n               (DuckDB load {r['load_seconds']:.1f} s not counted; "
                     f"store {_mb(r['store_bytes'])})")
        print(line)
    ok = {k: r for k, r in results.items() if "error" not in r}
    counts = {(r["addresses"], r["clusters"]) for r in ok.values()}
    print(f"  parity: {'same addresses and clusters in every contender' if len(counts) == 1 else f'DIFFER: {counts}'}")
    if "spark" in ok:
        s = ok["spark"]["seconds"]
        for name in ("union-find", "scipy", "embedded"):
            if name in ok:
                print(f"  spark vs {name:<10}: {ok[name]['seconds'] / s:6.2f}x the speed "
                      f"({s:.1f} s vs {ok[name]['seconds']:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10M,50M,100M", help="input rows per run, comma-separated")
    parser.add_argument("--embedded-max", default="10M", help="run the embedded `cluster run` up to this size")
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/out/scale-cluster"))
    parser.add_argument("--driver-memory", default="8g", help="spark.driver.memory (local mode: the whole JVM)")
    parser.add_argument("--budget", type=float, default=600.0, help="skip a size predicted to take longer (s)")
    parser.add_argument("--keep", action="store_true", help="keep the generated exports for another run")
    args = parser.parse_args()
    sizes = [count(s) for s in args.sizes.split(",")]
    load = os.getloadavg()[0]
    print(f"scale cluster benchmark on local[2], {os.cpu_count()} cores; load average at start {load:.1f}"
          f"{' (the machine is shared: figures are pessimistic)' if load > 1.5 else ''}")
    skipped: list[str] = []
    last: tuple[int, float] | None = None
    for n in sizes:
        if last is not None and last[1] * n / last[0] > args.budget:
            skipped.append(f"{n:,} input rows: predicted {last[1] * n / last[0]:,.0f} s for Spark alone "
                           f"(linear from {last[0]:,} rows in {last[1]:,.0f} s) exceeds --budget {args.budget:.0f} s")
            continue
        free = shutil.disk_usage(args.workdir.parent if args.workdir.parent.exists() else Path(".")).free
        if free < n * 600:  # Parquet ~300 bytes per input row with its outputs, and Spark's shuffle as much again
            skipped.append(f"{n:,} input rows: {free / 1e9:.0f} GB free on disk, ~{n * 600 / 1e9:.0f} GB needed")
            continue
        folder = args.workdir / f"inputs-{n}"
        gen = generate(folder, n)
        results = {"spark": measure("spark", folder, args.driver_memory)}
        results["union-find"] = measure("union-find", folder, args.driver_memory)
        results["scipy"] = measure("scipy", folder, args.driver_memory)
        if n <= count(args.embedded_max):
            results["embedded"] = measure("embedded", folder, args.driver_memory)
        report(n, gen, results)
        if "error" not in results["spark"]:
            last = (n, results["spark"]["seconds"])
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    end_load = os.getloadavg()[0]
    print(f"\nload average at the end {end_load:.1f}")
    for line in skipped:
        print(f"skipped {line}")


if __name__ == "__main__":
    main()
