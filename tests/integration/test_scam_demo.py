"""`make demo`'s scam-ring act (drill/scam_demo.py) on a real anvil after a small heist, as the demo runs it:
the heist ingested, labelled, clustered and its incident open in the store; then the scam ring continues the
chain, and the act must rank the drill's collector first, find the ring (recall and precision >= 0.95), get
both cash-out exchanges to freeze something through the live watch and the API, leave the decoy's exchange
alone and the heist's incident unasked, and answer `scam` with the site when a ring deposit address is
screened."""

from __future__ import annotations

import time
from pathlib import Path

from hotpursuit.chains.readable import display_units
from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.drill.runner import run_drill
from hotpursuit.drill.scam_demo import demo_scam_ring
from hotpursuit.drill.service_labels import SERVICE_LABELS_SOURCE, drill_service_claims
from hotpursuit.ingest.evm_node_job import EvmNodeIngest
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.jobs.cluster_job import run_clustering
from hotpursuit.store import Store
from hotpursuit.store.incident_tables import open_incident
from hotpursuit.store.interdiction_tables import freeze_requests
from hotpursuit.store.label_tables import replace_import


def test_the_demo_act_finds_the_ring_and_the_cash_out_exchanges_freeze(tmp_path: Path) -> None:
    db = tmp_path / "hotpursuit.duckdb"
    lines: list[str] = []
    with AnvilNode() as node:
        heist = run_drill(node.url, 7, False, tmp_path / "drill-ground-truth.json", min_transfers=200)
        with Store.open(db) as store:
            EvmNodeIngest(JsonRpcClient(node.url), store, chain="anvil").ingest_range(heist["first_block"],
                                                                                      heist["last_block"])
            replace_import(store, SERVICE_LABELS_SOURCE, "task-force", drill_service_claims(heist))
            run_clustering(store, "anvil")
            heist_incident, _ = open_incident(store, "Drill heist", "anvil", [heist["theft_tx"]],
                                              victim=heist["victim"], actor="lazarusgroup", replace=True)
        began = time.monotonic()
        shown = demo_scam_ring(node.url, db, 7, tmp_path, lines.append)
        took = time.monotonic() - began
    print("\n" + "\n".join(lines) + f"\n(the act took {took:.1f} s)")
    truth_file = tmp_path / "scam-ring-ground-truth.json"
    assert truth_file.is_file() and (tmp_path / "scam-ring-reports.json").is_file()
    assert shown.first_block == heist["last_block"] + 1
    case = shown.case
    assert shown.reports_taken == 30 and case.found == 30 and case.not_found == 0
    first = case.collectors[0]
    assert first.address == case.collector_truth and first.rank == 1 and len(first.reports) == 30
    assert case.recall >= 0.95 and case.precision >= 0.95
    assert set(case.further_payers) == set(case.unreported_victims)
    assert case.site["domain"] == "hanbit-pro.exchange" and len(case.site["spellings"]) > 1
    assert {x["kind"] for x in shown.lists} >= {"scamsniffer"} and all(x["licence"] for x in shown.lists)
    by_name = {e.name: e for e in shown.exchanges}
    for name in ("Hanbit Exchange", "Nordvik Exchange"):  # the ring's cash-out exchanges
        e = by_name[name]
        assert e.requests > 0 and e.frozen.get("ETH", 0) > 0, e
        assert all(0 < e.frozen[a] <= e.requested[a] for a in e.requested), e
    assert by_name["Lumen Exchange"].requests == 0  # the decoy scam's exchange: not the ring's
    assert shown.totals["ETH"]["frozen"] == sum(e.frozen.get("ETH", 0) for e in shown.exchanges) > 0
    assert "scam" in shown.screened["categories"]
    assert [s["domain"] for s in shown.screened["entities"]] == ["hanbit-pro.exchange"]
    assert shown.url == f"/ui/cases/{case.incident}"
    # the printed figures are the returned ones, in human units made exactly from the base units
    text = "\n".join(lines)
    assert f"#1 {case.collector_truth}" in text
    assert f"recall {case.recall:.2f}, precision {case.precision:.2f}" in text
    hanbit = by_name["Hanbit Exchange"]
    assert (f"Hanbit Exchange (the ring cashed out here): {hanbit.requests} requests; requested "
            f"{display_units(hanbit.requested['ETH'], 18)} ETH + ") in text
    assert f"frozen {display_units(shown.totals['ETH']['frozen'], 18)} ETH + " in text
    assert "Lumen Exchange (the decoy scam cashed out here): asked nothing" in text
    with Store.open(db) as store:
        case_requests = freeze_requests(store, incident=case.incident)
        everything = freeze_requests(store)
    assert len(case_requests) == sum(e.requests for e in shown.exchanges)
    # the watch follows every open incident: the heist's loot at the same exchanges was asked too, and every
    # request of either was delivered by webhook and answered, so the demo store keeps nothing undelivered
    assert {r["incident"] for r in everything} == {case.incident, heist_incident}
    assert all(r["status"] in ("accepted", "partial") and r["delivery"]["status"] == "delivered"
               for r in everything)
