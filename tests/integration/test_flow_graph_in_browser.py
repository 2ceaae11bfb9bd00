"""The flow graph page in a real browser (Debian chromium through Playwright) on a real drill case: a
trace started from the page, the graph drawn by sigma.js with as many nodes and edges as the trace has
(counted here from the trace report itself), a group opened and closed, an asset filter, the
poisoning and fake-token transfers shown on demand, the GraphML export, the address side panel, and
axe-core finding no accessibility violation. Screenshots go to $HP_SCREENSHOTS (default: the test's
temporary directory) for the closing note."""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, sync_playwright

from hotpursuit.api.app import create_app
from hotpursuit.api.background import serve_in_thread
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.jobs.trace_job import run_trace
from hotpursuit.store import Store
from hotpursuit.store.audit_tables import audit_entries
from hotpursuit.store.graph_context import clusters_of, flagged_transfers
from hotpursuit.store.org_tables import add_org, create_key
from tests.integration.drill_store import build_drill_case

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


def _expected(store: Store, asset: str | None = None) -> tuple[int, int]:
    """Nodes and edges the default view must draw, counted from the trace report: an endpoint under its
    owner, a clustered address under its cluster, every other address on its own; one edge per pair."""
    report = run_trace(store, "drill-heist")
    owner = {(e["chain"], e["address"]): e.get("owner") or e.get("freezer") for e in report.endpoints}
    chains = {f["chain"] for f in report.flows}
    cluster = {(c, a): k for c in chains
               for a, (k, _) in clusters_of(store, c, {x for f in report.flows if f["chain"] == c
                                                       for x in (f["from"], f["to"])}).items()}

    def shown(chain: str, address: str) -> str:
        if owner.get((chain, address)):
            return f"entity {owner[(chain, address)]}"
        if (chain, address) in cluster:
            return f"cluster {chain} {cluster[(chain, address)]}"
        return f"{chain} {address}"

    pairs = {(shown(f["chain"], f["from"]), shown(f["chain"], f["to"])) for f in report.flows
             if asset is None or f["asset"] == asset}
    pairs = {p for p in pairs if p[0] != p[1]}
    return len({n for p in pairs for n in p}), len(pairs)


def _drawn(page: Page) -> tuple[int, int]:
    page.wait_for_selector("#graph[data-state='drawn']", timeout=60_000)
    box = page.locator("#graph")
    return int(box.get_attribute("data-nodes") or -1), int(box.get_attribute("data-edges") or -1)


def _redraw(page: Page, action: object) -> tuple[int, int]:
    page.evaluate("document.getElementById('graph').setAttribute('data-state', 'stale')")
    assert callable(action)
    action()
    return _drawn(page)


def test_flow_graph_page_draws_the_trace(rpc: JsonRpcClient, tmp_path: Path) -> None:
    shots = Path(os.environ.get("HP_SCREENSHOTS", str(tmp_path)))
    shots.mkdir(parents=True, exist_ok=True)
    db = tmp_path / "case.duckdb"
    build_drill_case(rpc, db)
    with Store.open(db) as store:
        nodes, edges = _expected(store)
        btc_tx = next(f["tx"] for f in run_trace(store, "drill-heist").flows if f["chain"] == "bitcoin")
        eth_nodes, eth_edges = _expected(store, "ETH")
        add_org(store, "kr-nis", "National Intelligence Service", "agency", "KR", "task-force")
        key = create_key(store, "kr-nis", ["read", "incident"], 1)[1]
        flagged = flagged_transfers(store, "anvil", {a for a, in store.execute(
            "SELECT DISTINCT to_address FROM transfers WHERE chain = 'anvil'").fetchall()}, 0)
        assert flagged, "the drill sprays look-alike transfers at the laundering addresses"
        with serve_in_thread(create_app(store)) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{base}/ui/login")
            page.fill("#key", key)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/ui/incidents")
            page.goto(f"{base}/ui/incidents/drill-heist/graph")
            assert page.locator("#graph").count() == 0  # no finished trace yet
            page.click("text=Run a trace")
            for _ in range(120):  # the worker traces; the page shows the graph once the job is done
                if page.locator("#graph").count():
                    break
                page.wait_for_timeout(500)
                page.reload()
            assert _drawn(page) == (nodes, edges)
            page.screenshot(path=str(shots / "graph.png"), full_page=True)
            violations = Axe().run(page)
            assert violations.violations_count == 0, violations.generate_report()

            group = page.locator("#groups li", has_text="Nordvik Exchange")
            opened = _redraw(page, lambda: group.locator("button").click())
            assert opened[0] > nodes, "opening the exchange's group shows its deposit addresses"
            closed = _redraw(page, lambda: page.locator("#groups li", has_text="Nordvik Exchange")
                             .locator("button").click())
            assert closed == (nodes, edges)

            page.select_option("#g-asset", "ETH")
            assert _redraw(page, lambda: page.click("#graph-view button[type=submit]")) == (eth_nodes, eth_edges)
            page.select_option("#g-asset", "")
            page.check("input[name=flagged]")
            shown = _redraw(page, lambda: page.click("#graph-view button[type=submit]"))
            assert shown[1] > edges, "poisoning and fake-token transfers appear only when asked for"

            source = f"{base}/ui/incidents/drill-heist/graph.json"
            reads = len([e for e in audit_entries(store) if e.action == "read-trace"])
            for query in ("", "?asset=ETH", "?collapse=0", "?hops=2"):  # clicks redraw from the read once
                assert page.request.get(source + query).status == 200
            assert len([e for e in audit_entries(store) if e.action == "read-trace"]) == reads
            refused = page.request.get(source + "?hops=0")
            assert refused.status == 400 and "hops" in refused.json()["error"]
            exported = page.request.get(page.locator("#g-graphml").get_attribute("href") or "")
            assert exported.status == 200
            (tmp_path / "flow.graphml").write_bytes(exported.body())
            read = nx.read_graphml(tmp_path / "flow.graphml")
            assert read.number_of_nodes() == shown[0]
            page.click("#g-png")  # the drawing as PNG, composed from sigma's canvases in the page
            picture = page.locator("#g-png").get_attribute("href") or ""
            assert picture.startswith("data:image/png;base64,") and len(picture) > 20_000
            svg = page.request.get(page.locator("#g-svg").get_attribute("href") or "")
            assert svg.status == 200 and svg.body().startswith(b"<svg")

            tx = sorted(f[0] for f in flagged)[0]  # the search box: a tx hash opens its page, a label its addresses
            page.goto(f"{base}/ui/search?q={tx.upper().replace('0X', '0x')}")
            assert page.url.endswith(f"/ui/txs/anvil/{tx}") and page.locator("code", has_text=tx).count() == 1
            assert page.locator("table td a").count() >= 2
            violations = Axe().run(page)
            assert violations.violations_count == 0, violations.generate_report()
            page.goto(f"{base}/ui/search?q={btc_tx}")  # a Bitcoin txid, bare: its inputs and outputs
            assert page.url.endswith(f"/ui/txs/bitcoin/{btc_tx}")
            assert page.locator("caption", has_text="Outputs").count() == 1
            assert page.locator("td", has_text=" BTC").count() >= 1
            violations = Axe().run(page)
            assert violations.violations_count == 0, violations.generate_report()
            page.goto(f"{base}/ui/search?q=nordvik")
            assert page.locator("h1").inner_text().startswith("Addresses labelled")
            assert page.locator("td", has_text="Nordvik").count() >= 1
            violations = Axe().run(page)
            assert violations.violations_count == 0, violations.generate_report()
            address = sorted(f[2] for f in flagged)[0]
            panel = page.request.get(f"{base}/ui/addresses/anvil/{address}?panel=1")
            assert panel.status == 200 and "<header>" not in panel.text() and address in panel.text()
            page.close()
            browser.close()
    assert (shots / "graph.png").stat().st_size > 10_000
