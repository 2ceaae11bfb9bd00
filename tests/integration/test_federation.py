"""Two task forces in federation, end to end, as real processes (drill/federation.py): Seoul traces the drill
and shares its AMBER incident over TAXII; Brussels pulls it; Brussels' exchange sees only the score its TLP
allows, its agency the whole exposure, exactly; Brussels' label comes back to Seoul, to the agency and not
to an exchange outside the group; a RED or AMBER+STRICT claim never crosses; Seoul's evidence bundle
verifies in Brussels offline, and a changed byte does not."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from stix2validator import ValidationOptions, validate_parsed_json

from hotpursuit.api.taxii_routes import collection_id
from hotpursuit.drill.federation import EU_LABEL, RED_LABEL, STRICT_LABEL, run_federation
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.store import Store

from .drill_store import build_drill_case

pytestmark = pytest.mark.slow


def test_two_task_forces_share_an_incident(rpc: JsonRpcClient, tmp_path: Path) -> None:
    truth = build_drill_case(rpc, tmp_path / "drill.duckdb")
    run = run_federation(tmp_path / "drill.duckdb", tmp_path / "federation", truth["theft_tx"])
    tainted: dict[str, int] = {}
    for flow in run.trace["flows"]:
        if flow["to"] == run.deposit:
            tainted[flow["asset"]] = tainted.get(flow["asset"], 0) + int(flow["tainted"])
    assert tainted

    # Brussels' exchange: the score its partner let count, nothing of the AMBER incident
    seen = run.exchange_screening
    assert seen["score"] >= 30 and seen["withheld_scored"] >= 1 and seen["indirect"] == [] and seen["direct"] == []
    assert seen["categories"] == []
    text = json.dumps(seen)
    assert run.incident not in text and "Drill heist" not in text and "lazarus" not in text.lower()
    assert not any(str(v) in text for v in tainted.values())
    # Brussels' agency (the sharing group's member): the exposure, to the base unit
    exposure = {e["asset"]: e for e in run.agency_screening["indirect"]}
    assert {a: int(e["tainted"]) for a, e in exposure.items()} == tainted
    assert all(e["incident"] == run.incident and e["actor"] == "lazarusgroup" for e in exposure.values())
    assert "stolen funds" in run.agency_screening["categories"]

    # Brussels' label, back in Seoul: the agency reads it as EC3's, an exchange outside the group does not
    assert (run.seoul_sees_eu_label["asserted_by"], run.seoul_sees_eu_label["tlp"]) == ("eu-ec3", "AMBER")
    shared_from = run.seoul_sees_eu_label["shared_from"]  # with its provenance: who made it, from where, who pulled
    assert (shared_from["producer"], shared_from["pulled_by"]) == ("eu-ec3", "kr-nis")
    assert shared_from["peer"].endswith(f"/taxii2/hotpursuit/collections/{collection_id('labels')}/")
    assert run.seoul_exchange_sees["claims"] == [] and run.seoul_exchange_sees["withheld"] == 1

    # a RED or AMBER+STRICT claim never crossed: not in any table of Brussels' store
    with Store.open(run.brussels) as brussels:
        tables = [t for (t,) in brussels.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        for table in tables:
            dump = json.dumps(brussels.execute(f"SELECT * FROM {table}").fetchall(), default=str)
            assert RED_LABEL not in dump and STRICT_LABEL not in dump, table
        pulled = brussels.execute("SELECT count(*) FROM shared_exposure WHERE owner_org = 'eu-ec3'").fetchone()
        assert pulled is not None and pulled[0] > 0
        provenance = brussels.execute("SELECT DISTINCT peer, pulled_by FROM shared_provenance").fetchall()
        assert [(p.split("/taxii2/")[1], who) for p, who in provenance] == [
            (f"hotpursuit/collections/{collection_id('incident:' + run.incident)}/", "eu-ec3")]
    with Store.open(run.seoul) as seoul:  # Seoul keeps its own RED claim, and Brussels' label with provenance
        assert seoul.execute("SELECT tlp FROM labels WHERE label = ?", [RED_LABEL]).fetchall() == [("RED",)]
        assert seoul.execute("SELECT owner_org, asserted_by FROM labels WHERE label = ?",
                             [EU_LABEL]).fetchall() == [("kr-nis", "eu-ec3")]

    # `share stix` for Brussels' agency: strictly valid, the incident's wallets, no RED claim
    exported = tmp_path / "for-eu.json"
    done = subprocess.run([sys.executable, "-m", "hotpursuit.cli", "share", "stix", run.incident, "--db",
                           str(run.seoul), "--for", "eu-ec3", "--out", str(exported)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    for_eu = json.loads(exported.read_text())
    assert validate_parsed_json(for_eu, ValidationOptions(version="2.1", strict=True)).is_valid
    assert run.deposit in {o.get("value") for o in for_eu["objects"]} and RED_LABEL not in exported.read_text()

    # the evidence bundle exported in Seoul verifies in Brussels, with no store, from the bundle and a key
    assert run.verify_exit == 0 and run.verify_output.startswith("verified"), run.verify_output
    assert run.bundle is not None
    stix = json.loads((run.bundle / "stix-bundle.json").read_text())  # what hotpursuit emits validates strictly
    result = validate_parsed_json(stix, ValidationOptions(version="2.1", strict=True))
    assert result.is_valid, [str(e) for e in result.errors]
    assert {o["type"] for o in stix["objects"]} >= {"incident", "cryptocurrency-wallet", "indicator", "threat-actor"}
    for path in run.bundle.rglob("*"):  # exported to eu-ec3: as eu-ec3 may see it, so no RED claim in it
        assert not path.is_file() or RED_LABEL.encode() not in path.read_bytes(), path
    tampered = tmp_path / "tampered"
    shutil.copytree(tmp_path / "federation" / "brussels-inbox", tampered)
    report = tampered / "bundle" / "trace-report.json"
    report.write_bytes(report.read_bytes().replace(run.deposit.encode(), run.deposit[:-1].encode() + b"0", 1))
    refused = subprocess.run([sys.executable, "-m", "hotpursuit.cli", "evidence", "verify", "bundle", "--trust",
                              "kr-nis.ed25519.pub"], cwd=tampered, capture_output=True, text=True, check=False)
    assert refused.returncode == 1 and "changed: trace-report.json" in refused.stdout + refused.stderr
