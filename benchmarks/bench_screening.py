"""Benchmark: the screening API on loopback, against a store of 1M labelled addresses.

Starts `hotpursuit serve` as its own process, then a Python async client (httpx, a second process)
measures, in the same run: the empty endpoint `/v1/ping` (authenticated, no work) and
`/v1/screen/{chain}/{address}` (requests/s, p50 and p99 latency), then batch screening of 100,000
addresses per request (addresses/s). Goals: screening >= 70% of the empty endpoint's throughput,
p99 under 10 ms; batch >= 1M addresses/s.
Usage: python benchmarks/bench_screening.py [--labels 1000000] [--requests 5000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx

from hotpursuit.store import Store
from hotpursuit.store.org_tables import add_org, create_key
from serve_process import start_serve


def build_store(path: Path, n: int) -> str:
    with Store.open(path) as store:
        store.execute(f"""INSERT INTO labels (chain, address, label, category, actor, confidence, source, tlp,
                                  asserted_by, owner_org, import_key)
                              SELECT 'ethereum', '0x' || lpad(lower(to_hex(i)), 40, '0'), 'bench label',
                                     CASE WHEN i % 3 = 0 THEN 'sanctioned' WHEN i % 3 = 1 THEN 'scam'
                                          ELSE 'exchange' END,
                                     NULL, 60, 'bench', CASE WHEN i % 5 = 0 THEN 'AMBER' ELSE 'CLEAR' END,
                                     'bench-org', 'bench-org', 'bench'
                              FROM range({n}) r(i)""")
        add_org(store, "bench-org", "Bench", "agency", None, "g")
        # a key of its own rate: this measures the server's throughput, not the per-key limit
        return create_key(store, "bench-org", ["screen"], 1, rate_per_second=1e6)[1]


async def hammer(url: str, key: str, paths: list[str], concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue = list(paths)
    async with httpx.AsyncClient(headers={"X-API-Key": key}, timeout=30) as client:
        async def worker() -> None:
            while queue:
                path = queue.pop()
                t = time.perf_counter()
                r = await client.get(url + path)
                latencies.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - t0, latencies


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "s.duckdb"
        t0 = time.perf_counter()
        key = build_store(db, args.labels)
        print(f"store: {args.labels:,} labelled addresses in {time.perf_counter() - t0:.1f} s")
        server, url = start_serve(db, key)
        try:
            print(f"server up (index loaded) after {time.perf_counter() - t0:.1f} s")
            addresses = ["0x" + format(i * 7919 % args.labels, "040x") for i in range(args.requests)]
            empty_s, empty_lat = asyncio.run(hammer(url, key, ["/v1/ping"] * args.requests, args.concurrency))
            screen_s, screen_lat = asyncio.run(hammer(url, key, [f"/v1/screen/ethereum/{a}" for a in addresses],
                                                      args.concurrency))
            empty_rps, screen_rps = args.requests / empty_s, args.requests / screen_s
            print(f"empty endpoint : {empty_rps:8,.0f} req/s  p50 {pct(empty_lat, .5):.2f} ms  "
                  f"p99 {pct(empty_lat, .99):.2f} ms")
            print(f"screen address : {screen_rps:8,.0f} req/s  p50 {pct(screen_lat, .5):.2f} ms  "
                  f"p99 {pct(screen_lat, .99):.2f} ms")
            print(f"screening / empty: {screen_rps / empty_rps:.0%} (goal >= 70%); p99 under 10 ms: "
                  f"{'met' if pct(screen_lat, .99) < 10 else 'NOT met'}")
            batch = ["0x" + format(i * 104729 % (2 * args.labels), "040x") for i in range(100_000)]
            t1 = time.perf_counter()
            rounds = 5
            for _ in range(rounds):
                r = httpx.post(url + "/v1/screen/batch", json={"chain": "ethereum", "addresses": batch},
                               headers={"X-API-Key": key}, timeout=120)
                assert r.status_code == 200, r.text[:300]
            rate = rounds * len(batch) / (time.perf_counter() - t1)
            print(f"batch screening: {rate:,.0f} addresses/s ({len(r.json()['flagged']):,} of 100,000 flagged per "
                  f"batch); goal >= 1M/s: {'met' if rate >= 1e6 else 'NOT met'}")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
