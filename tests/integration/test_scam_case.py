"""The scam-ring drill traced from its victims' reports alone (real anvil, the real store): 30 reports,
typos and wrong amounts included, become one case whose first-ranked collector is the ring's, whose ring
addresses match the ground truth (recall and precision >= 0.95, measured here and printed), which names
the victims who have not reported, and whose cash-out exchanges the live watch asks to freeze. Bad reports
get their reason and never change the case."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hotpursuit.cli import app
from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.drill.runner import run_scam_ring
from hotpursuit.drill.service_labels import scam_ring_service_claims
from hotpursuit.ingest.evm_node_job import EvmNodeIngest
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.interdict.live_watch import LiveWatch
from hotpursuit.jobs.cluster_job import run_clustering
from hotpursuit.jobs.scam_case_job import build_scam_case
from hotpursuit.store import Store
from hotpursuit.store.incident_tables import close_incident, get_incident
from hotpursuit.store.interdiction_tables import add_control, freeze_requests, set_webhook
from hotpursuit.store.label_tables import replace_import
from hotpursuit.store.org_tables import add_org
from hotpursuit.store.scam_case_tables import load_case
from hotpursuit.store.victim_report_tables import save_reports
from hotpursuit.victim_reports.model import check_report

runner = CliRunner()
POLICE = "kr-police"
EXCHANGE_ORGS = {"Hanbit Exchange": "ex-hanbit", "Nordvik Exchange": "ex-nordvik", "Lumen Exchange": "ex-lumen"}


@dataclass
class Ring:
    node: AnvilNode
    db: Path
    truth: dict[str, Any]
    reports: Path


@pytest.fixture(scope="module")
def ring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ring]:
    """The scam-ring drill on anvil, ingested; the services labelled and clustered; the police and the three
    exchanges (each controlling its hot wallet) as organisations. No report taken yet."""
    base = tmp_path_factory.mktemp("scam-ring")
    with AnvilNode() as node:
        truth = run_scam_ring(node.url, 7, base / "truth.json", base / "reports.json")
        with Store.open(base / "ring.duckdb") as store:
            EvmNodeIngest(JsonRpcClient(node.url), store, chain="anvil").ingest_range(truth["first_block"],
                                                                                      truth["last_block"])
            replace_import(store, "demo:scam-ring-services", "task-force", scam_ring_service_claims(truth))
            run_clustering(store, "anvil")
            add_org(store, POLICE, "Korean National Police Agency", "agency", "KR", "task-force")
            for name, org in EXCHANGE_ORGS.items():
                add_org(store, org, name, "exchange", "KR", "task-force")
                set_webhook(store, org, "http://127.0.0.1:9/hook")
                add_control(store, org, "anvil", truth["exchanges"][name]["hot_wallet"], "hot_wallet")
        yield Ring(node, base / "ring.duckdb", truth, base / "reports.json")


def _copy(ring: Ring, tmp_path: Path) -> Path:
    db = tmp_path / "case.duckdb"
    shutil.copy(ring.db, db)
    return db


def test_from_30_reports_the_collector_is_first_and_the_ring_is_found(ring: Ring, tmp_path: Path) -> None:
    db = _copy(ring, tmp_path)
    taken = runner.invoke(app, ["report", "intake", str(ring.reports), "--org", POLICE, "--db", str(db)])
    assert taken.exit_code == 0 and "30 report(s) taken for kr-police: 30 new" in taken.output, taken.output
    built = runner.invoke(app, ["report", "case", "Hanbit Pro fake exchange", "--org", POLICE, "--chain", "anvil",
                                "--db", str(db), "--format", "json"])
    assert built.exit_code == 0, built.output
    case = json.loads(built.output)
    truth = ring.truth
    assert case["summary"]["payments_found"] == 30 and case["summary"]["collector"] == truth["collector"]
    ranked = [a for a in case["addresses"] if a["rank"] is not None]
    assert ranked[0]["address"] == truth["collector"] and ranked[0]["victims"] == 30
    assert {a["address"] for a in ranked[:5]} >= {truth["collector"], *truth["consolidators"]}
    found = {a["address"] for a in case["addresses"]}
    ring_truth = set(truth["ring_addresses"])
    recall, precision = len(found & ring_truth) / len(ring_truth), len(found & ring_truth) / len(found)
    print(f"\nscam ring from 30 reports: recall {recall:.3f}, precision {precision:.3f} "
          f"({len(found)} found, {len(ring_truth)} in the ground truth)")
    assert recall >= 0.95 and precision >= 0.95
    # the victims who have not reported are named by the deposit addresses they paid
    unreported = {v["address"] for v in truth["victims"] if v["reported_as"] is None}
    assert set(case["summary"]["further_payers"]) == unreported
    # each victim's money counted once: what the case's incident calls stolen is what the 30 paid
    paid: dict[str, int] = {}
    for r in case["reports"]:
        for p in r["payments"]:
            paid[p["asset"]] = paid.get(p["asset"], 0) + int(p["amount"])
        assert r["traced"]["endpoints"] or r["traced"]["held"], r  # per victim: how much is where
    assert {a: int(v) for a, v in case["summary"]["stolen"].items()} == paid
    # the cash-out exchanges' deposit addresses got the ring's money, and nobody else's exchange did
    cashed = {a for x in case["addresses"] for a in x["evidence"]["paid_services"]}
    owner = truth["deposit_address_owner"]
    assert {owner[a] for a in cashed if a in owner} == set(truth["cash_out"])
    # the counterfeit exchange, mistyped as it is, is one site handing out the ring's deposit addresses
    (site,) = case["summary"]["sites"]
    fake = truth["counterfeit_exchange"]
    assert site["domain"] == fake["domain"] and len(site["spellings"]) > 1
    assert set(site["addresses"]) == set(fake["deposit_addresses"])
    # the reports are RED, so the case and its site are too: the police see the site, a partner does not
    assert _screened_as_the_site(db, POLICE, fake["deposit_addresses"][0]) == [fake["domain"]]
    assert _screened_as_the_site(db, "ex-hanbit", fake["deposit_addresses"][0]) == []
    shared = runner.invoke(app, ["report", "case", "Hanbit Pro fake exchange", "--org", POLICE, "--chain", "anvil",
                                 "--db", str(db), "--tlp", "amber"])  # shared with the task force on purpose
    assert shared.exit_code == 0, shared.output
    assert _screened_as_the_site(db, "ex-hanbit", fake["deposit_addresses"][0]) == [fake["domain"]]


def _screened_as_the_site(db: Path, org: str, address: str) -> list[str]:
    """The scam sites that handed `address` out, as `org` screening it hears them (with category `scam`)."""
    import httpx

    from hotpursuit.api.app import create_app
    from hotpursuit.api.background import serve_in_thread
    from hotpursuit.store.org_tables import create_key

    with Store.open(db) as store:
        key = create_key(store, org, ["screen"], 1)[1]
        with serve_in_thread(create_app(store)) as base:
            answer = httpx.get(f"{base}/v1/screen/anvil/{address}", headers={"X-API-Key": key}).json()
    sites = [str(e["domain"]) for e in answer["entities"]]
    assert ("scam" in answer["categories"]) == bool(sites), answer
    return sites


def test_the_cash_out_exchanges_get_freeze_requests_from_the_live_watch(ring: Ring, tmp_path: Path) -> None:
    db = _copy(ring, tmp_path)
    raw = json.loads(ring.reports.read_text(encoding="utf-8"))
    with Store.open(db) as store:
        save_reports(store, POLICE, [check_report(r) for r in raw], at=dt.datetime.now(dt.UTC))
        case = build_scam_case(store, org=POLICE, name="Hanbit Pro fake exchange", chain="anvil")
        watch = LiveWatch(JsonRpcClient(ring.node.url), store)
        try:
            watch.seek(ring.truth["last_block"] + 1)
            watch.step()  # the incident is new: whatever already reached a controlled address is asked at once
        finally:
            watch.stop()
        asked = freeze_requests(store, incident=case.incident)
    by_org: dict[str, int] = {}
    for r in asked:
        by_org[r["org"]] = by_org.get(r["org"], 0) + 1
    cash_out = {EXCHANGE_ORGS[name] for name in ring.truth["cash_out"]}
    assert set(by_org) == cash_out and len(cash_out) == 2, by_org  # never the decoy's exchange (Lumen)


def test_bad_reports_get_their_reason_and_never_change_the_case(ring: Ring, tmp_path: Path) -> None:
    """Beside the 30: a transaction nobody has, a real mainnet transaction reported on the wrong chain, an
    address that never received anything, and a real victim's payment claimed ten times over."""
    from tests.conftest import ETL_EXPORT

    db = _copy(ring, tmp_path)
    imported = runner.invoke(app, ["import", "ethereum-etl", str(ETL_EXPORT), "--chain", "ethereum", "--db", str(db)])
    assert imported.exit_code == 0, imported.output
    mainnet_tx = json.loads((ETL_EXPORT / "transactions.json").read_text().splitlines()[0])["hash"]
    victim = next(v for v in ring.truth["victims"] if v["reported_as"] is None and v["payments"][0]["symbol"] == "ETH")
    payment = victim["payments"][0]
    ten_times = str(int(payment["amount"]) * 10 // 10**18)
    bad = [
        {"reference": "BAD-1", "chain": "anvil", "tx_hashes": ["0x" + "ee" * 32], "amount": "1", "asset": "ETH"},
        {"reference": "BAD-2", "chain": "anvil", "tx_hashes": [mainnet_tx]},
        {"reference": "BAD-3", "chain": "anvil", "paid_to": "0x" + "0d" * 20, "paid_at": payment["paid_at"][:10],
         "amount": "2", "asset": "ETH"},
        {"reference": "BAD-4", "chain": "anvil", "from_addresses": [victim["address"]],
         "paid_at": payment["paid_at"][:10], "amount": ten_times, "asset": "ETH"},
    ]
    raw = json.loads(ring.reports.read_text(encoding="utf-8"))
    with Store.open(db) as store:
        save_reports(store, POLICE, [check_report(r) for r in [*raw, *bad]], at=dt.datetime.now(dt.UTC))
        case = build_scam_case(store, org=POLICE, name="Hanbit Pro fake exchange", chain="anvil")
        stored = load_case(store, case.incident)
    assert stored is not None
    reasons = {r["report_id"]: r["reason"] for r in stored.reports if r["status"] == "not_found"}
    by_ref = {s.report.reference: reasons.get(s.id) for s in case.reports}
    assert sum(1 for r in stored.reports if r["status"] == "found") == 30
    assert by_ref["BAD-1"] is not None and "is not in the store" in by_ref["BAD-1"]
    assert by_ref["BAD-2"] is not None and f"transaction {mainnet_tx} is on ethereum, not anvil" in by_ref["BAD-2"]
    assert by_ref["BAD-3"] is not None and "never received anything on anvil" in by_ref["BAD-3"]
    assert by_ref["BAD-4"] is not None and "(about 10x off): check the amount" in by_ref["BAD-4"]
    assert stored.summary["collector"] == ring.truth["collector"]
    assert {a["address"] for a in stored.addresses} == set(ring.truth["ring_addresses"])
    with Store.open(db) as store:  # closed, then rebuilt: it stays closed (the live watch asks nothing more)
        close_incident(store, case.incident)
        again = build_scam_case(store, org=POLICE, name="Hanbit Pro fake exchange", chain="anvil")
        assert again.incident == case.incident and get_incident(store, case.incident).status == "closed"


def test_each_victims_trace_over_its_reach_equals_its_trace_over_everything(ring: Ring, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The job traces each victim over the transactions its money can reach (VictimScope); traced over every
    movement instead, the case (per victim where the money is, the ring, the ranks, the evidence) is the same."""
    from hotpursuit.jobs import scam_case_job

    raw = json.loads(ring.reports.read_text(encoding="utf-8"))
    built = []
    for whole in (False, True):
        db = tmp_path / f"{whole}.duckdb"
        shutil.copy(ring.db, db)
        if whole:
            monkeypatch.setattr(scam_case_job.VictimScope, "movements", lambda self, starts: self._moves)
        with Store.open(db) as store:
            save_reports(store, POLICE, [check_report(r) for r in raw], at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
            case = build_scam_case(store, org=POLICE, name="Hanbit Pro fake exchange", chain="anvil",
                                   at=dt.datetime(2026, 12, 2, tzinfo=dt.UTC))
            built.append(load_case(store, case.incident))
    assert built[0] == built[1]
    assert built[0] is not None and all(r["traced"]["endpoints"] or r["traced"]["held"] for r in built[0].reports)
