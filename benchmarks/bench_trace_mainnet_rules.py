"""Benchmark: the 6-hop haircut trace with the real-mainnet rules on, against the engine before them.

One generated account-model graph of 10M transfers (addresses = transfers / 2; 100 sources; 1% of
addresses exchanges) made adversarial the way mainnet is: three assets (ETH, a canonical token, an
impersonating token), 10% of transfers paired into two-leg swap transactions (a trader pays one asset
to a venue and gets another back in the same transaction), 2% of transfers moving the fake token and
1% zero-value poisoning transfers. In one run, after the graph is loaded:
  * rules on: fake-asset and poisoning transfers masked out (what the trace job's SQL does), the numpy
    index finds what the trace can touch, the engine applies asset trust (only ETH and the canonical
    token can be stolen) and swaps by net flows per transaction;
  * baseline: the engine as it was before (benchmarks/baseline_account_taint.py: movement by movement,
    no trust, swaps only at labelled pools) on the same reachable movements, nothing masked.
Goals: rules on within 1.5x of the baseline; peak RSS under 2 GB.
Usage: python benchmarks/bench_trace_mainnet_rules.py [--transfers 10000000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baseline_account_taint as baseline
from hotpursuit.trace.account_taint import Endpoint, Movement, trace_account
from hotpursuit.trace.transfer_index import TransferIndex

HOPS, SOURCES = 6, 100
ETH, TOKEN, FAKE = 0, 1, 2
ASSETS = ["ETH", "0x" + "11" * 20, "0x" + "ee" * 20]


def generate(n: int, seed: int = 13) -> dict[str, np.ndarray]:
    """Arrays of the graph: sender, receiver, asset, amount, tx id (equal for a swap's two legs)."""
    rng = np.random.default_rng(seed)
    n_addr = max(1000, n // 2)
    # busy addresses (exchanges' customers, routers) send and receive most: indexes skewed toward 0, so
    # the taint fans out over hundreds of thousands of movements within 6 hops, as a real heist does
    sender = (n_addr * rng.random(n) ** 2).astype(np.int64)
    receiver = rng.integers(0, n_addr, n, dtype=np.int64)
    asset = rng.choice([ETH, TOKEN], n, p=[0.7, 0.3]).astype(np.int64)
    amount = rng.integers(1, 10**6, n, dtype=np.int64) * 10**12
    tx = np.arange(n, dtype=np.int64)
    legs = rng.choice(np.arange(0, n - 1, 2), n // 20, replace=False)  # 10% of transfers: swap legs
    sender[legs + 1], receiver[legs + 1] = receiver[legs], sender[legs]
    asset[legs + 1] = 1 - asset[legs]
    tx[legs + 1] = tx[legs]
    fake = rng.choice(n, n // 50, replace=False)
    asset[fake] = FAKE
    poison = rng.choice(n, n // 100, replace=False)
    amount[poison] = 0
    return {"sender": sender, "receiver": receiver, "asset": asset, "amount": amount, "tx": tx,
            "n_addr": np.array([n_addr]), "sources": rng.choice(n_addr // 100, SOURCES, replace=False).astype(np.int64),
            "exchanges": rng.choice(n_addr, n_addr // 100, replace=False)}


def movements(g: dict[str, np.ndarray], picked: np.ndarray, names: list[str]) -> list[Movement]:
    s, r, a, v, t = (g[k][picked].tolist() for k in ("sender", "receiver", "asset", "amount", "tx"))
    return [Movement((int(t[i]), 0, int(p)), f"t{t[i]}", names[s[i]], names[r[i]], ASSETS[a[i]], v[i])
            for i, p in enumerate(picked.tolist())]


def load(g: dict[str, np.ndarray], mask: np.ndarray) -> tuple[np.ndarray, TransferIndex]:
    """The transfer index over the movements `mask` keeps (built before timing, as a loaded graph)."""
    kept = np.flatnonzero(mask)
    return kept, TransferIndex(g["sender"][kept], g["receiver"][kept], g["asset"][kept], g["amount"][kept],
                               int(g["n_addr"][0]))


def reach(g: dict[str, np.ndarray], loaded: tuple[np.ndarray, TransferIndex]) -> np.ndarray:
    """Positions (in the unmasked graph) of the movements the trace can touch."""
    kept, index = loaded
    return kept[index.movement_indexes(index.reachable(g["sources"], HOPS))]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transfers", type=int, default=10_000_000)
    args = parser.parse_args()
    g = generate(args.transfers)
    names = [f"a{i}" for i in range(int(g["n_addr"][0]))]
    endpoints = {names[int(i)]: Endpoint("exchange", f"ex{int(i) % 7}") for i in g["exchanges"]}
    old_endpoints = {a: baseline.Endpoint(e.kind, e.owner) for a, e in endpoints.items()}
    sources = {names[int(s)] for s in g["sources"]}
    masked = load(g, (g["asset"] != FAKE) & (g["amount"] != 0))  # what the trace job's SQL leaves
    loaded_rss = rss_mb()
    print(f"graph: {args.transfers:,} transfers, {len(names):,} addresses, {len(g['exchanges']):,} exchanges; "
          f"peak RSS with the graph loaded for tracing {loaded_rss:,.0f} MB")

    t0 = time.perf_counter()
    picked = reach(g, masked)
    moves = movements(g, picked, names)
    result = trace_account(moves, source_addresses=sources, endpoints=endpoints, max_hops=HOPS,
                           traced_assets={ASSETS[ETH], ASSETS[TOKEN]})
    t_rules = time.perf_counter() - t0
    print(f"rules on   : {t_rules:8.3f} s  ({len(moves):,} movements, {len(result.swaps):,} tainted swaps, "
          f"{len(result.arrivals):,} endpoints, {len(result.held):,} holders)")

    unmasked = load(g, np.ones(args.transfers, dtype=bool))  # the baseline's own index: nothing masked
    t0 = time.perf_counter()
    picked_all = reach(g, unmasked)
    old_moves = [baseline.Movement(m.order, m.tx_hash, m.sender, m.receiver, m.asset, m.amount)
                 for m in movements(g, picked_all, names)]
    old = baseline.trace_account(old_moves, source_addresses=sources, endpoints=old_endpoints, max_hops=HOPS)
    t_old = time.perf_counter() - t0
    print(f"baseline   : {t_old:8.3f} s  ({len(old_moves):,} movements, {len(old.arrivals):,} endpoints; "
          "fake token and zero-value transfers traced as value)")
    ratio = t_rules / t_old
    print(f"ratio rules/baseline: {ratio:.2f}x (goal within 1.5x: {'met' if ratio <= 1.5 else 'NOT met'}); "
          f"RSS with the graph loaded {loaded_rss:,.0f} MB (goal < 2,048 MB: "
          f"{'met' if loaded_rss < 2048 else 'NOT met'}); peak with the baseline's index too {rss_mb():,.0f} MB")
    stolen = result.stolen
    print("conservation (rules on): " + ", ".join(
        f"{a}: stolen+in {stolen.get(a, 0) + result.swapped_in.get(a, 0):,} = endpoints {result.at_endpoints(a):,} + "
        f"held {sum(v for (_, x), v in result.held.items() if x == a):,} + out {result.swapped_out.get(a, 0):,}"
        for a in ASSETS[:2]))


if __name__ == "__main__":
    main()
