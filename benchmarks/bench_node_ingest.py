"""Benchmark: node ingest against anvil vs ethereum-etl on the same node (goal: >= 3x faster).

Loads a fresh anvil with the heist drill (>= 20,000 transfers), then in the same run measures:
  * hotpursuit `ingest evm --no-receipts` over the drill's blocks (blocks, txs, traces for failures and
    internal transfers, ERC-20 logs from eth_getLogs): the like-for-like run, since ethereum-etl's two
    exports fetch no receipts either; and `ingest evm` with receipts (adds gas used) for reference
  * ethereum-etl's `export_blocks_and_transactions` + `export_token_transfers` over the same blocks,
    installed by this script into its own venv (benchmarks/out/ethereum-etl-venv)
and prints transfers/s for both and the ratio. Usage: python benchmarks/bench_node_ingest.py
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.drill.heist import DrillConfig, HeistDrill
from hotpursuit.ingest.evm_node_job import EvmNodeIngest
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.store import Store

OUT = Path(__file__).resolve().parent / "out"


def ethereum_etl() -> Path:
    """ethereum-etl in a venv of its own (its pins clash with ours)."""
    venv = OUT / "ethereum-etl-venv"
    exe = venv / "bin" / "ethereumetl"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "ethereum-etl==2.4.2"], check=True)
        # its eth-abi 2 pins a parsimonious that calls inspect.getargspec, gone in Python 3.11
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--no-deps", "parsimonious==0.10.0", "regex"],
                       check=True)
    return exe


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transfers", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the median is reported")
    args = parser.parse_args()
    etl = ethereum_etl()
    with AnvilNode() as node, tempfile.TemporaryDirectory() as tmp:
        rpc = JsonRpcClient(node.url)
        drill = HeistDrill(rpc, DrillConfig(seed=5, min_transfers=args.transfers, background_ops_per_wave=400))
        t0 = time.perf_counter()
        drill.run()
        first, last = drill.first_block, drill.last_block
        print(f"anvil loaded: {len(drill.ledger):,} transfers in {drill.tx_count:,} txs, blocks {first}-{last} "
              f"({time.perf_counter() - t0:.1f} s)")

        timings: dict[bool, float] = {}
        for receipts in (False, True):
            runs = []
            for i in range(args.repeat):
                with Store.open(Path(tmp) / f"receipts-{receipts}-{i}.duckdb") as store:
                    t0 = time.perf_counter()
                    job = EvmNodeIngest(rpc, store, batch_size=args.batch_size, receipts=receipts)
                    stats = job.ingest_range(first, last)
                    runs.append(time.perf_counter() - t0)
            timings[receipts] = statistics.median(runs)
            what = "receipts and traces" if receipts else "traces + eth_getLogs, no receipts: like for like"
            print(f"hotpursuit ingest evm {'--receipts   ' if receipts else '--no-receipts'}: "
                  f"{stats.transfers / timings[receipts]:>10,.0f} transfers/s (median {timings[receipts]:.2f} s "
                  f"of {_runs(runs)}; {stats.transfers:,} transfers incl. internal; {what})")
        ours = timings[False]

        common = ["--start-block", str(first), "--end-block", str(last), "--provider-uri", node.url]
        runs = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            subprocess.run([str(etl), "export_blocks_and_transactions", *common, "--blocks-output",
                            f"{tmp}/blocks.csv", "--transactions-output", f"{tmp}/transactions.csv"],
                           check=True, capture_output=True)
            subprocess.run([str(etl), "export_token_transfers", *common, "--output", f"{tmp}/token_transfers.csv"],
                           check=True, capture_output=True)
            runs.append(time.perf_counter() - t0)
        theirs = statistics.median(runs)
        print(f"ethereum-etl export                : {stats.transfers / theirs:>10,.0f} transfers/s (median "
              f"{theirs:.2f} s of {_runs(runs)}; blocks + transactions + token transfers, no receipts or traces)")
    print(f"ratio --no-receipts / ethereum-etl: {theirs / ours:.2f}x   goal >= 3x: "
          f"{'met' if theirs / ours >= 3 else 'NOT met'}")
    print(f"ratio --receipts    / ethereum-etl: {theirs / timings[True]:.2f}x   (anvil serves a receipt in ~0.25 ms, "
          "the bulk of this run)")


def _runs(runs: list[float]) -> str:
    return "/".join(f"{r:.2f}" for r in runs)


if __name__ == "__main__":
    main()
