"""Benchmark: a 6-hop haircut trace from 100 sources on a generated account-model graph.

In one run, on the same data: hotpursuit (numpy transfer index finds what the trace can touch, the
exact engine runs on it), a straightforward networkx implementation (every edge of a MultiDiGraph in
time order, the haircut kept in dictionaries: its own code, the same rules), and a DuckDB recursive
query (the reachable set as a recursive CTE, then the same engine on what it found). Timed after
the graph is loaded; all three must give the same endpoints and holders. Also how hotpursuit's
time grows at 1M, 10M and 30M transfers.
Goals (10M): under 1 s, under 2 GB for the loaded graph, >= 20x networkx, >= 5x DuckDB.
Usage: python benchmarks/bench_trace.py [--transfers 10000000] [--sizes 1000000,10000000,30000000]
"""

from __future__ import annotations

import argparse
import gc
import resource
import time

import duckdb
import numpy as np

from hotpursuit.trace.account_taint import Endpoint, Movement, trace_account
from hotpursuit.trace.transfer_index import TransferIndex

HOPS, SOURCES = 6, 100


def generate(n_transfers: int, seed: int = 11) -> tuple[TransferIndex, list[str], np.ndarray, dict[str, Endpoint]]:
    """Addresses = transfers / 2; amounts up to 10^21 wei-like; 1% of addresses are labelled exchanges."""
    rng = np.random.default_rng(seed)
    n_addr = max(1000, n_transfers // 2)
    sender = rng.integers(0, n_addr, n_transfers, dtype=np.int64)
    receiver = rng.integers(0, n_addr, n_transfers, dtype=np.int64)
    amount = rng.integers(1, 10**6, n_transfers, dtype=np.int64) * 10**12
    index = TransferIndex(sender, receiver, np.zeros(n_transfers, dtype=np.int64), amount, n_addr)
    names = [f"a{i}" for i in range(n_addr)]
    sources = rng.choice(n_addr, SOURCES, replace=False).astype(np.int64)
    exchanges = {names[i]: Endpoint("exchange", f"ex{i % 7}") for i in rng.choice(n_addr, n_addr // 100, replace=False)}
    return index, names, sources, exchanges


def run_engine(movements: list[Movement], names: list[str], sources: np.ndarray,
               endpoints: dict[str, Endpoint]) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    result = trace_account(movements, source_addresses={names[int(s)] for s in sources}, endpoints=endpoints,
                           max_hops=HOPS)
    return {k: a.tainted for k, a in result.arrivals.items()}, result.held


def ours(index: TransferIndex, names: list[str], sources: np.ndarray, endpoints: dict[str, Endpoint]) -> tuple:
    reached = index.reachable(sources, HOPS)
    return run_engine(index.movements_of(index.movement_indexes(reached), names, ["ETH"]), names, sources, endpoints)


def with_networkx(names: list[str], sources: np.ndarray, endpoints: dict[str, Endpoint], graph: object) -> tuple:
    """The straightforward way: every edge of the graph in time order, haircut with dictionaries."""
    g = graph
    edges = sorted(g.edges(data=True), key=lambda e: e[2]["t"])  # type: ignore[attr-defined]
    source_set = {int(x) for x in sources}
    ends = {int(n[1:]) for n in endpoints}
    balance: dict[int, int] = {}
    taint: dict[int, int] = {}
    hop: dict[int, int] = dict.fromkeys(source_set, 0)
    arrivals: dict[tuple[str, str], int] = {}
    for u, v, d in edges:
        amount = d["amount"]
        if u in source_set and u not in ends:
            moved = amount
            balance[u] = max(balance.get(u, 0) - amount, 0)
            taint[u] = max(taint.get(u, 0) - amount, 0)
        elif u in ends:
            moved = 0
        else:
            b, t = balance.get(u, 0), taint.get(u, 0)
            if amount > b:
                b = amount
            moved = amount * t // b if t else 0
            balance[u], taint[u] = b - amount, t - moved
        if moved and (v in ends or hop.get(u, 0) + 1 > HOPS):
            arrivals[(names[v], "ETH")] = arrivals.get((names[v], "ETH"), 0) + moved
            continue
        if moved:
            hop[v] = min(hop.get(v, HOPS + 1), hop.get(u, 0) + 1)
        if v in ends:
            continue
        balance[v] = balance.get(v, 0) + amount
        taint[v] = taint.get(v, 0) + moved
    held = {(names[a], "ETH"): t for a, t in taint.items() if t > 0 and a not in ends}
    return arrivals, held


def with_duckdb(con: duckdb.DuckDBPyConnection, index: TransferIndex, names: list[str], sources: np.ndarray,
                endpoints: dict[str, Endpoint]) -> tuple:
    reached = con.execute(f"""
        WITH RECURSIVE reach(addr, t, hop) AS (
            SELECT unnest(?::BIGINT[]), 0::BIGINT, 0
            UNION ALL
            SELECT e.receiver, e.pos, r.hop + 1 FROM reach r JOIN transfers e ON e.sender = r.addr AND e.pos >= r.t
            WHERE r.hop < {HOPS})
        SELECT DISTINCT addr FROM reach""", [sources.tolist()]).fetchnumpy()["addr"]
    positions = con.execute("""SELECT DISTINCT pos FROM transfers WHERE sender IN (SELECT unnest(?::BIGINT[]))
                               OR receiver IN (SELECT unnest(?::BIGINT[])) ORDER BY pos""",
                            [reached.tolist(), reached.tolist()]).fetchnumpy()["pos"]
    return run_engine(index.movements_of(positions.astype(np.int64), names, ["ETH"]), names, sources, endpoints)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transfers", type=int, default=10_000_000)
    parser.add_argument("--sizes", default="1000000,10000000,30000000")
    args = parser.parse_args()
    before = rss_mb()
    index, names, sources, endpoints = generate(args.transfers)
    print(f"graph: {args.transfers:,} transfers, {index.n_addresses:,} addresses; loaded index peak RSS "
          f"{rss_mb():,.0f} MB (process before: {before:,.0f} MB)")
    t0 = time.perf_counter()
    mine = ours(index, names, sources, endpoints)
    t_ours = time.perf_counter() - t0
    print(f"hotpursuit : {t_ours:8.3f} s  ({len(mine[0]):,} endpoints, {len(mine[1]):,} holders)")

    con = duckdb.connect()
    con.register("t_arrow", {"pos": np.arange(args.transfers), "sender": index.sender, "receiver": index.receiver})
    con.execute("CREATE TABLE transfers AS SELECT * FROM t_arrow")
    t0 = time.perf_counter()
    theirs_db = with_duckdb(con, index, names, sources, endpoints)
    t_db = time.perf_counter() - t0
    print(f"duckdb     : {t_db:8.3f} s  (recursive CTE for the reachable set, same engine)")
    assert theirs_db == mine, "duckdb result differs"
    con.close()

    import networkx as nx

    t0 = time.perf_counter()
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(index.n_addresses))
    g.add_edges_from((int(s), int(r), {"t": i, "amount": int(a)}) for i, (s, r, a) in enumerate(
        zip(index.sender.tolist(), index.receiver.tolist(), index.amount.tolist(), strict=True)))
    print(f"networkx graph built in {time.perf_counter() - t0:.1f} s (not timed below)")
    t0 = time.perf_counter()
    theirs_nx = with_networkx(names, sources, endpoints, g)
    t_nx = time.perf_counter() - t0
    print(f"networkx   : {t_nx:8.3f} s  (every edge of a MultiDiGraph in time order, haircut in dicts)")
    assert theirs_nx == mine, "networkx result differs"
    del g
    gc.collect()
    print(f"ratios: {t_nx / t_ours:.1f}x networkx (goal >= 20x), {t_db / t_ours:.1f}x DuckDB (goal >= 5x); "
          f"under 1 s: {'met' if t_ours < 1 else 'NOT met'}")

    del index, names
    gc.collect()
    for size in (int(s) for s in args.sizes.split(",") if s):
        idx, nm, src, ends = generate(size)
        t0 = time.perf_counter()
        ours(idx, nm, src, ends)
        print(f"growth: {size:>11,} transfers -> {time.perf_counter() - t0:.3f} s")
        del idx, nm
        gc.collect()


if __name__ == "__main__":
    main()
