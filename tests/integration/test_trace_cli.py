"""End to end: the drill on anvil and its Bitcoin leg, labels for the services, clustering, then
`incident open` and `trace` through the CLI: endpoints equal the ground truth; same inputs, same bytes."""

from __future__ import annotations

import csv
import itertools
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from hotpursuit.cli import app
from hotpursuit.drill.bitcoin_leg import build_bitcoin_leg
from hotpursuit.drill.devnet.bitcoin_server import BitcoinTestServer
from hotpursuit.drill.ground_truth import build_ground_truth
from hotpursuit.drill.heist import DrillConfig, HeistDrill
from hotpursuit.drill.service_labels import drill_service_claims
from hotpursuit.ingest.bitcoin_node_job import BitcoinIngest, CoreRpcSource
from hotpursuit.ingest.evm_node_job import EvmNodeIngest
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.store import Store
from hotpursuit.store.asset_trust_tables import load_poisoning

runner = CliRunner()


def test_incident_and_trace_through_the_cli(rpc: JsonRpcClient, tmp_path: Path) -> None:
    drill = HeistDrill(rpc, DrillConfig(seed=7))
    drill.run()
    truth = build_ground_truth(drill)
    db = tmp_path / "t.duckdb"
    with Store.open(db) as store:
        EvmNodeIngest(rpc, store).ingest_range(truth["first_block"], truth["last_block"])
        leg = build_bitcoin_leg(7, truth["bridge_memos"], start_time=1_740_100_000)
        with BitcoinTestServer(leg.blocks) as server:
            BitcoinIngest(CoreRpcSource(server.rpc_url), store).ingest_range(0, len(leg.blocks) - 1)
    services = tmp_path / "services.csv"  # what a task force holds: hot wallets, venues, bridge, the issuer
    with services.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["chain", "address", "label", "category", "actor", "confidence", "source", "source_date", "tlp"])
        for c in drill_service_claims(truth):
            w.writerow([c.chain, c.address, c.label, c.category, c.actor or "", c.confidence, c.source, "", c.tlp])
    for args in (["labels", "import", "csv", str(services)], ["cluster", "run", "anvil"],
                 ["incident", "open", "Drill heist", "--chain", "anvil", "--source", truth["theft_tx"],
                  "--victim", truth["victim"], "--actor", "lazarusgroup"]):
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output

    traced = runner.invoke(app, ["trace", "drill-heist", "--db", str(db), "--format", "json"])
    assert traced.exit_code == 0, traced.output
    report = json.loads(traced.output)
    got = {(e["address"], e["asset"]): int(e["tainted"]) for e in report["endpoints"] if int(e["tainted"])}
    want = {(e["address"], e["asset"]): int(e["tainted_amount"]) for e in truth["endpoints"]}
    assert got == want
    assert report["totals"]["ETH"]["stolen"] == truth["conservation"]["ETH"]["stolen"]
    husd = report["totals"][truth["issuer"]["token"]]  # taint that entered the stablecoin through the pool
    assert int(husd["swapped_in"]) == int(husd["at_endpoints"]) + int(husd["held"]) > 0
    husd_held = [h for h in report["held"] if h["asset"] == truth["issuer"]["token"]]
    assert husd_held and all(h["freezer"] == truth["issuer"]["name"] for h in husd_held)
    assert report["totals"]["BTC"]["crossed"] == str(int(report["totals"]["BTC"]["held"]) +
                                                     int(report["totals"]["BTC"]["burned"]))
    # the real-mainnet rules on the drill: swaps through Uniswap and the aggregator followed, venues never
    # endpoints or holders, the poisoning campaign's fake tokens ignored with a reason, look-alikes nowhere
    venues = set(truth["venues"])
    assert report["swaps"] and all(set(s["venues"]) & venues for s in report["swaps"])
    assert not {e["address"] for e in report["endpoints"]} & venues
    assert not {h["address"] for h in report["held"]} & venues
    ignored = {i["asset"]: i for i in report["ignored_assets"]}
    fakes = set(truth["poisoning"]["fake_tokens"])
    assert fakes <= set(ignored) and all(ignored[a]["status"] in ("impersonating", "spam") for a in fakes)
    lookalikes = set(truth["poisoning"]["lookalikes"])
    touched = {f["to"] for f in report["flows"]} | {f["from"] for f in report["flows"]}
    assert lookalikes and not lookalikes & touched
    with Store.open(db) as store:  # the heuristic found the campaign: every look-alike, imitating the right one
        found = {p.address: p.lookalike_of for p in load_poisoning(store, "anvil") if p.lookalike_of}
    assert {a: found.get(a) for a in lookalikes} == truth["poisoning"]["lookalikes"]
    exchange_ends = [e for e in report["endpoints"] if e["kind"] == "exchange"]
    assert exchange_ends and all(e["freezer"] in truth["exchanges"] and e["evidence"] for e in exchange_ends)
    for e in exchange_ends:  # the evidence path runs from the theft to the endpoint, hop by hop
        path = e["path"]
        assert (path[0]["from"], path[0]["to"], path[0]["tx"]) == (truth["victim"], truth["thief"], truth["theft_tx"])
        assert path[-1]["to"] == e["address"]
        assert all(a["to"] == b["from"] for a, b in itertools.pairwise(path))

    pages = []
    for i in range(2):
        out = tmp_path / f"r{i}.html"
        result = runner.invoke(app, ["trace", "drill-heist", "--db", str(db), "--format", "html", "--out", str(out)])
        assert result.exit_code == 0, result.output
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]  # same inputs, same bytes
    page = pages[0].decode()
    anchors_out = re.sub(r'<a href="https://[^"]+">', "", page)  # links to explorers: anchors, never loads
    assert "<svg" in page and "http" not in anchors_out.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert report["input_hash"] in page
    table = runner.invoke(app, ["trace", "drill-heist", "--db", str(db), "--format", "csv"])
    assert table.output.splitlines()[0].startswith("status,chain,address")


def test_screening_shows_indirect_exposure_from_a_saved_trace(rpc: JsonRpcClient, tmp_path: Path) -> None:
    import httpx

    from hotpursuit.api.app import create_app
    from hotpursuit.api.background import serve_in_thread
    from hotpursuit.store.label_tables import replace_import
    from hotpursuit.store.org_tables import add_org, create_key

    drill = HeistDrill(rpc, DrillConfig(seed=7))
    drill.run()
    truth = build_ground_truth(drill)
    db = tmp_path / "x.duckdb"
    with Store.open(db) as store:
        EvmNodeIngest(rpc, store).ingest_range(truth["first_block"], truth["last_block"])
        # the venues' labels: without them the drill's staking token, which copies Lido's "stETH" symbol on a
        # chain the mainnet registry does not cover, is rightly taken for an impersonator
        replace_import(store, "services", "task-force", drill_service_claims(truth))
    for args in (["incident", "open", "Drill heist", "--chain", "anvil", "--source", truth["theft_tx"]],
                 ["trace", "drill-heist", "--format", "csv", "--save"]):
        assert runner.invoke(app, [*args, "--db", str(db)]).exit_code == 0
    holder = max(truth["holdings"], key=lambda h: int(h["tainted_amount"]))
    with Store.open(db) as store:
        add_org(store, "ex-hanbit", "Hanbit", "exchange", "KR", None)
        key = create_key(store, "ex-hanbit", ["screen"], 1)[1]
        with serve_in_thread(create_app(store)) as base:
            body = httpx.get(f"{base}/v1/screen/anvil/{holder['address']}", headers={"X-API-Key": key}).json()
    exposure = [e for e in body["indirect"] if e["asset"] == holder["asset"]]
    assert exposure and exposure[0]["incident"] == "drill-heist"
    assert int(exposure[0]["tainted"]) >= int(holder["tainted_amount"]) and 0 < exposure[0]["share"] <= 1
    assert "stolen funds" in body["categories"] and body["risk"] in ("medium", "high", "severe")
    # the reason reads in the asset's units: the symbol, never wei labelled ETH or a contract address
    symbol = exposure[0]["symbol"]
    assert symbol and exposure[0]["decimals"] in (6, 8, 18)
    reason = next(r for r in body["reasons"] if "tainted by incident drill-heist" in r and f" {symbol} " in r)
    assert f"{int(exposure[0]['tainted']):,}" not in reason and "0x" not in reason.split(" tainted")[0]
