"""Benchmark: one key floods the API while another key screens at a steady pace.

Starts `hotpursuit serve` as its own process with the default per-key limit (100 requests/s, bursts of
200), on a store of 100,000 labelled addresses. In the same run it measures a steady key alone (its
p50/p99 latency: the baseline), then the same steady key while a second key floods with many concurrent
clients as fast as the server answers. Printed: the flood's answers (served, 429), the rate the flood
was served at, and the steady key's p50/p99 under the flood as a ratio to its baseline. Goals: the
flood gets 429 beyond its limit, the steady key gets no 429 and keeps its p99 within 3x of its
baseline. (The issue's finding: with the old limit of 2,000 requests/s per key, 0 of 27,766 flood
requests got 429, because one server answers fewer than that.)
Usage: python benchmarks/bench_flood.py [--steady 600] [--flood-processes 2] [--flood-clients 64] [--seconds 6]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from hotpursuit.store import Store
from hotpursuit.store.org_tables import add_org, create_key
from serve_process import start_serve


def build_store(path: Path, n: int) -> tuple[str, str]:
    with Store.open(path) as store:
        store.execute(f"""INSERT INTO labels (chain, address, label, category, actor, confidence, source, tlp,
                                  asserted_by, owner_org, import_key)
                              SELECT 'ethereum', '0x' || lpad(lower(to_hex(i)), 40, '0'), 'bench label',
                                     'scam', NULL, 60, 'bench', 'CLEAR', 'bench-org', 'bench-org', 'bench'
                              FROM range({n}) r(i)""")
        add_org(store, "bench-org", "Bench", "exchange", None, None)
        add_org(store, "flooder", "Flooder", "exchange", None, None)
        steady = create_key(store, "bench-org", ["screen"], 1)[1]
        flood = create_key(store, "flooder", ["screen"], 1)[1]
    return steady, flood


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


async def steady_pace(url: str, key: str, count: int, per_second: float) -> tuple[list[float], dict[int, int]]:
    """`count` screenings at `per_second`, one at a time; latencies and status counts."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    async with httpx.AsyncClient(headers={"X-API-Key": key}, timeout=30) as client:
        start = time.perf_counter()
        for i in range(count):
            await asyncio.sleep(max(0.0, start + i / per_second - time.perf_counter()))
            t = time.perf_counter()
            reply = await client.get(f"{url}/v1/screen/ethereum/0x{i * 7919 % 100_000:040x}")
            latencies.append(time.perf_counter() - t)
            statuses[reply.status_code] = statuses.get(reply.status_code, 0) + 1
    return latencies, statuses


async def flood(url: str, key: str, clients: int, stop: asyncio.Event) -> dict[int, int]:
    statuses: dict[int, int] = {}
    async with httpx.AsyncClient(headers={"X-API-Key": key}, timeout=30,
                                 limits=httpx.Limits(max_connections=clients)) as client:
        async def one(n: int) -> None:
            i = n
            while not stop.is_set():
                reply = await client.get(f"{url}/v1/screen/ethereum/0x{i % 100_000:040x}")
                statuses[reply.status_code] = statuses.get(reply.status_code, 0) + 1
                i += clients
        await asyncio.gather(*(one(n) for n in range(clients)))
    return statuses


def flood_process(url: str, key: str, clients: int) -> subprocess.Popen[str]:
    """The flood in a process of its own (an async client in the steady key's process would slow the steady
    key by itself); it prints its status counts when stopped with SIGTERM."""
    code = ("import asyncio, json, signal, sys; sys.path.insert(0, sys.argv[4]); import bench_flood as b\n"
            "stop = asyncio.Event()\n"
            "async def run():\n"
            "    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)\n"
            "    return await b.flood(sys.argv[1], sys.argv[2], int(sys.argv[3]), stop)\n"
            "print(json.dumps(asyncio.run(run())), flush=True)\n")
    return subprocess.Popen([sys.executable, "-c", code, url, key, str(clients), str(Path(__file__).parent)],
                            stdout=subprocess.PIPE, text=True)


def under_flood(url: str, steady: str, flooder: str, args: argparse.Namespace
                ) -> tuple[list[float], dict[int, int], dict[int, int], float]:
    import json
    import signal

    t0 = time.perf_counter()
    floods = [flood_process(url, flooder, args.flood_clients) for _ in range(args.flood_processes)]
    time.sleep(2.0)  # the flood's burst is spent
    latencies, statuses = asyncio.run(steady_pace(url, steady, args.steady, args.steady / args.seconds))
    flood_statuses: dict[int, int] = {}
    for flooding in floods:
        flooding.send_signal(signal.SIGTERM)
        out, _ = flooding.communicate(timeout=60)
        for k, v in json.loads(out.strip().splitlines()[-1]).items():
            flood_statuses[int(k)] = flood_statuses.get(int(k), 0) + v
    return latencies, statuses, flood_statuses, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steady", type=int, default=600, help="steady screenings in each phase")
    parser.add_argument("--flood-clients", type=int, default=64, help="concurrent clients per flood process")
    parser.add_argument("--flood-processes", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each phase")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "f.duckdb"
        steady, flooder = build_store(db, 100_000)
        server, url = start_serve(db, steady)
        try:
            alone, alone_statuses = asyncio.run(steady_pace(url, steady, args.steady, args.steady / args.seconds))
            crowded, crowded_statuses, flood_statuses, flood_s = under_flood(url, steady, flooder, args)
        finally:
            server.terminate()
            server.wait()
    served, refused = flood_statuses.get(200, 0), flood_statuses.get(429, 0)
    print(f"steady key alone      : p50 {pct(alone, .5):6.2f} ms  p99 {pct(alone, .99):6.2f} ms  {alone_statuses}")
    print(f"steady key under flood: p50 {pct(crowded, .5):6.2f} ms  p99 {pct(crowded, .99):6.2f} ms  "
          f"{crowded_statuses}")
    clients = f"{args.flood_processes} x {args.flood_clients} clients"
    print(f"flood ({clients}, {flood_s:.1f} s): {served:,} served ({served / flood_s:,.0f}/s), "
          f"{refused:,} answered 429 ({refused / max(1, served + refused):.0%})")
    ratio = pct(crowded, .99) / pct(alone, .99)
    print(f"steady p99 under flood / alone: {ratio:.2f}x (goal <= 3x): {'met' if ratio <= 3 else 'NOT met'}; "
          f"flood limited: {'met' if refused > 0 else 'NOT met'}; steady never limited: "
          f"{'met' if set(crowded_statuses) == {200} else 'NOT met'}")


if __name__ == "__main__":
    main()
