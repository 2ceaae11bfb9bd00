"""Benchmark: clustering 20M input edges over 10M addresses with hotpursuit's union-find, against
scipy's connected_components on the same edges and networkx on a 2M-edge subset, in one run.

Goals: at least 5M edges/s, within 1.5x of scipy, at least 20x networkx (per-edge rate).
The graph is random with a skew like multi-input spends (a few busy addresses, many one-off ones).
Each contender runs in its own child process so that peak RSS is its own.
Usage: python benchmarks/bench_clustering.py [--edges 20000000] [--nodes 10000000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time

import numpy as np


def edges(n_nodes: int, n_edges: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    u = rng.integers(0, n_nodes, n_edges, dtype=np.int64)
    busy = rng.random(n_edges) < 0.2  # a fifth of the edges touch one of 1% busy addresses
    v = np.where(busy, rng.integers(0, max(1, n_nodes // 100), n_edges, dtype=np.int64),
                 rng.integers(0, n_nodes, n_edges, dtype=np.int64))
    return u, v


def _run(name: str, n_nodes: int, n_edges: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    u, v = edges(n_nodes, n_edges)
    t0 = time.perf_counter()
    if name == "hotpursuit":
        from hotpursuit.cluster.union_find import UnionFind

        uf = UnionFind(n_nodes)
        uf.union(u, v)
        components = uf.component_count()
    elif name == "scipy":
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        graph = coo_matrix((np.ones(n_edges, dtype=np.int8), (u, v)), shape=(n_nodes, n_nodes))
        components, _ = connected_components(graph, directed=False)
    else:
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(range(n_nodes))
        g.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
        components = nx.number_connected_components(g)
    seconds = time.perf_counter() - t0
    out.put((name, n_edges, seconds, int(components), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def measure(name: str, n_nodes: int, n_edges: int) -> tuple[str, int, float, int, float]:
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    proc = mp.Process(target=_run, args=(name, n_nodes, n_edges, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edges", type=int, default=20_000_000)
    parser.add_argument("--nodes", type=int, default=10_000_000)
    parser.add_argument("--networkx-edges", type=int, default=2_000_000)
    args = parser.parse_args()
    ratio = args.networkx_edges / args.edges
    results = {
        "hotpursuit": measure("hotpursuit", args.nodes, args.edges),
        "scipy": measure("scipy", args.nodes, args.edges),
        "networkx": measure("networkx", int(args.nodes * ratio), args.networkx_edges),
    }
    for name, (_, m, secs, comps, rss) in results.items():
        print(f"{name:<11}: {m / secs:>12,.0f} edges/s  ({m:,} edges in {secs:.2f} s, {comps:,} components, "
              f"peak RSS {rss:,.0f} MB)")
    ours = results["hotpursuit"][1] / results["hotpursuit"][2]
    scipy_rate = results["scipy"][1] / results["scipy"][2]
    nx_rate = results["networkx"][1] / results["networkx"][2]
    assert results["hotpursuit"][3] == results["scipy"][3], "component counts differ"
    print(f"hotpursuit vs scipy   : {ours / scipy_rate:.2f}x the rate (goal: within 1.5x, i.e. >= 0.67)")
    print(f"hotpursuit vs networkx: {ours / nx_rate:.1f}x the rate (goal: >= 20x)")
    print(f"goal >= 5M edges/s: {'met' if ours >= 5e6 else 'NOT met'}")


if __name__ == "__main__":
    main()
