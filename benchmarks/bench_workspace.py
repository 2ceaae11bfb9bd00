"""Benchmark of the web UI in headless chromium (Debian's, through Playwright) against `hotpursuit serve`
in its own process:

1. time to first render of a 10,000-node flow graph page (navigation until sigma.js has drawn the graph),
   against the baseline of merely fetching the same graph's JSON over HTTP in the same run;
2. the board's update latency: from a change committed (a freeze answer through the API) to the
   Server-Sent Event applied in the page;
3. the same from a block: anvil mines a block carrying tainted arrivals at an exchange's deposit
   addresses, the server's live watch (in this process) processes it, and the time is taken from the
   block being available at the node to the board's event applied in the page (the watch's own
   processing time per block is printed beside it).

Usage: python benchmarks/bench_workspace.py [--nodes 10000] [--updates 10] [--live-blocks 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import sync_playwright

from bench_interdiction import Chain, Receiver, address, setup_store  # type: ignore[import-not-found]
from hotpursuit.api.app import create_app
from hotpursuit.api.background import serve_in_thread
from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.store import Store
from hotpursuit.store.interdiction_tables import NewRequest, record_requests
from hotpursuit.store.org_tables import add_org, create_key
from hotpursuit.store.trace_job_tables import mark_trace_job, queue_trace_job
from serve_process import start_serve  # type: ignore[import-not-found]

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--no-first-run", "--disable-background-networking", "--disable-sync",
         "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
ETH = 10**18


def synthetic_report(nodes: int, hops: int = 10, seed: int = 5) -> dict[str, Any]:
    """A laundering fan-out of `nodes` addresses over `hops` hops, the last hop's addresses partly
    exchange deposit addresses of five exchanges."""
    rng = random.Random(seed)
    per_hop = nodes // hops
    layers = [[f"0x{h:02x}{i:038x}" for i in range(per_hop)] for h in range(hops)]
    flows = []
    for h in range(1, hops):
        for i, receiver in enumerate(layers[h]):
            for sender in {layers[h - 1][i % per_hop], layers[h - 1][rng.randrange(per_hop)]}:
                flows.append({"chain": "ethereum", "from": sender, "to": receiver, "asset": "ETH", "hop": h,
                              "tainted": str(rng.randrange(1, 500) * ETH // 7), "tx": f"0x{len(flows):064x}"})
    endpoints = [{"chain": "ethereum", "address": a, "asset": "ETH", "tainted": "1", "kind": "exchange",
                  "owner": f"Exchange {i % 5}", "freezer": f"Exchange {i % 5}", "evidence": [], "path": [],
                  "since_block": 1, "exposure": "0", "basis": {"asserted_by": None, "tlp": "CLEAR"}}
                 for i, a in enumerate(layers[-1][:100])]
    return {"incident": "bench", "model": "haircut", "max_hops": None, "dust": 0, "input_hash": "0" * 64,
            "stolen": {"ETH": str(10**6 * ETH)}, "endpoints": endpoints, "held": [], "flows": flows, "totals": {},
            "ignored_assets": [], "swaps": [], "at_venues": [], "frontier": [], "dust_by_asset": {}, "warnings": [],
            "assets": {"ETH": {"symbol": "ETH", "decimals": 18}}, "block_times": {}}


def build_store(db: Path, nodes: int, updates: int) -> tuple[str, str, int]:
    with Store.open(db) as store:
        add_org(store, "kr-nis", "National Intelligence Service", "agency", "KR", "task-force")
        add_org(store, "ex-hanbit", "Hanbit Exchange", "exchange", "KR", "task-force")
        agency = create_key(store, "kr-nis", ["read", "incident"], 1)[1]
        exchange = create_key(store, "ex-hanbit", ["read", "write"], 1)[1]
        store.execute("""INSERT INTO incidents (id, name, chain, tlp, owner_org)
                         VALUES ('bench', 'Benchmark heist', 'ethereum', 'AMBER', 'kr-nis')""")
        report = synthetic_report(nodes)
        job = queue_trace_job(store, "bench", "haircut", None, "kr-nis")
        mark_trace_job(store, job, "done", result_json=json.dumps(report))
        expiry = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1)
        record_requests(store, [NewRequest(f"fr-{i}", "bench", "ex-hanbit", "ethereum", f"0x{i + 1:040x}", "ETH",
                                           (i + 1) * ETH, 1, "0x" + "b0" * 32, "[]", "kr-nis", expiry, b"{}")
                                for i in range(updates)])
        flows = len(report["flows"])
    return agency, exchange, flows


def live_board_run(blocks: int, tmp: Path) -> None:
    """Block available at anvil -> the board's SSE event applied in the page, through the live watch."""
    rng = random.Random(3)
    with AnvilNode() as node:
        chain = Chain(JsonRpcClient(node.url))
        thief = address("7e1f", 0)
        layers = [address("1a7e", i) for i in range(blocks)]
        deposits = [address("de90", i) for i in range(blocks)]
        chain.fund([thief], 10**7 * ETH)
        since = chain.mine() + 1
        with Store.open(tmp / "live.duckdb") as store:
            hook = Receiver()  # the exchange's webhook, answering 200 (the board changes as requests are made)
            hook.secret = setup_store(store, "anvil", deposits, f"http://127.0.0.1:{hook.port}/hook", [thief], since)
            key = create_key(store, "kr-nis", ["read"], 1)[1]
            (incident,) = store.execute("SELECT id FROM incidents").fetchone() or ("",)
            chain.send([(thief, layer, 1_000 * ETH) for layer in layers])
            chain.mine()
            app = create_app(store, watch_rpc=node.url, watch_from=since, webhook_networks=["127.0.0.1/32"])
            with serve_in_thread(app) as base, sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                page = browser.new_page()
                page.goto(f"{base}/ui/login")
                page.fill("#key", key)
                page.click("button[type=submit]")
                page.goto(f"{base}/ui/incidents/{incident}")
                page.wait_for_timeout(2000)  # the watch has caught up; the stream is open
                latencies = []
                for b in range(blocks):
                    before = page.locator("#board").get_attribute("data-updates")
                    chain.send([(layers[b], deposits[b], rng.randint(2, 900) * ETH)])
                    start = time.perf_counter()
                    chain.mine()
                    page.wait_for_selector(f"#board:not([data-updates='{before}'])", timeout=15_000)
                    latencies.append(time.perf_counter() - start)
                    page.wait_for_timeout(300)
                watch_seconds = list(app.state.hotpursuit.watch.stats.block_seconds)
                browser.close()
            hook.server.shutdown()
    print(f"board over SSE, block available at the node -> event applied in the page ({blocks} blocks, each "
          f"with a tainted arrival at an exchange): median {statistics.median(latencies) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms; the watch's processing per block: median "
          f"{statistics.median(watch_seconds) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=10)
    parser.add_argument("--screenshot", type=Path, help="Save the drawn graph page here (PNG).")
    parser.add_argument("--live-blocks", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        agency, exchange, flows = build_store(db, args.nodes, args.updates)
        server, base = start_serve(db, agency)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(f"{base}/ui/login")
                page.fill("#key", agency)
                page.click("button[type=submit]")
                page.wait_for_url(f"{base}/ui/incidents")
                cookies = {c["name"]: c["value"] for c in page.context.cookies()}
                renders = []
                for _ in range(3):
                    start = time.perf_counter()
                    page.goto(f"{base}/ui/incidents/bench/graph")
                    page.wait_for_selector("#graph[data-state='drawn']", timeout=120_000)
                    renders.append(time.perf_counter() - start)
                    if args.screenshot:
                        page.screenshot(path=str(args.screenshot))
                    split = (page.locator("#graph").get_attribute("data-fetch-ms"),
                             page.locator("#graph").get_attribute("data-draw-ms"))
                drawn = (page.locator("#graph").get_attribute("data-nodes"),
                         page.locator("#graph").get_attribute("data-edges"))
                fetches = []
                with httpx.Client(base_url=base, cookies=cookies, timeout=120) as client:
                    for _ in range(3):
                        start = time.perf_counter()
                        body = client.get("/ui/incidents/bench/graph.json")
                        fetches.append(time.perf_counter() - start)
                        assert body.status_code == 200, body.text
                size = len(body.content)
                print(f"flow graph: {drawn[0]} nodes, {drawn[1]} edges drawn ({flows} flows, JSON {size / 1e6:.1f} MB)")
                print(f"  first render in chromium: {renders[0]:.2f} s (then {renders[1]:.2f}, {renders[2]:.2f} s)")
                print(f"  baseline, fetching the graph JSON alone: {min(fetches):.2f} s; "
                      f"render / fetch = {renders[0] / min(fetches):.2f}")
                print(f"  in the page (last run): graph JSON fetched and parsed in {split[0]} ms, "
                      f"imported and drawn by sigma.js in {split[1]} ms")

                page.goto(f"{base}/ui/incidents/bench")
                page.wait_for_timeout(1500)  # the event stream is open
                latencies = []
                for i in range(args.updates):
                    before = page.locator("#board").get_attribute("data-updates")
                    start = time.perf_counter()
                    answered = httpx.post(f"{base}/v1/freeze-requests/fr-{i}/answer",
                                          headers={"X-API-Key": exchange},
                                          json={"status": "accepted", "amount_frozen": str((i + 1) * ETH)})
                    assert answered.status_code == 200, answered.text
                    page.wait_for_selector(f"#board:not([data-updates='{before}'])", timeout=15_000)
                    latencies.append(time.perf_counter() - start)
                print(f"board over SSE, change committed -> event applied in the page ({args.updates} updates): "
                      f"median {statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
        if args.live_blocks:
            live_board_run(args.live_blocks, Path(tmp))


if __name__ == "__main__":
    main()
