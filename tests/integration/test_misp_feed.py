"""The MISP feed served by `hotpursuit serve`, pulled over HTTP by a consumer that follows MISP's own
feed-fetching logic (app/Model/Feed.php): manifest, add or edit by timestamp, each event's JSON prepared as
MISP prepares it, then hashes.csv for correlation. Each organisation pulls exactly what the API lets it
see; RED claims never leave their owner; the drill's event carries the trace's amounts, and importing it
into a partner's store gives back the same claims and taint."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pymisp import MISPEvent

from hotpursuit.api.app import create_app
from hotpursuit.api.background import serve_in_thread
from hotpursuit.api.misp_routes import router as misp_router
from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.cli.options import TableOrJson
from hotpursuit.cli.share_misp import misp_feed_cmd, misp_import_cmd
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.jobs.trace_job import run_trace
from hotpursuit.share.misp_feed import event_uuid
from hotpursuit.store import Store
from hotpursuit.store.incident_tables import open_incident
from hotpursuit.store.label_tables import add_claim, claims_for, replace_import
from hotpursuit.store.org_tables import add_org, create_key

from .drill_store import build_drill_case

TX = "0x" + "ab" * 32
TX2 = "0x" + "cd" * 32
THIEF, RECEIVER, ONWARD = "0x" + "3c" * 20, "0x" + "77" * 20, "0x" + "88" * 20


class FeedConsumer:
    """A MISP instance's feed pull, step by step as app/Model/Feed.php does it: getNewEventUuids (manifest;
    a known uuid is edited only if the manifest's timestamp is newer), downloadAndParseEventFromFeed (GET
    <uuid>.json with MISP's headers), __prepareEvent (unwrap `response`, require Event.uuid, Orgc, the feed's
    distribution on the event and 5 (inherit) on attributes and objects), then the event is loaded as MISP
    saves it; last, __cacheMISPFeedCache reads hashes.csv (`md5,event uuid`)."""

    def __init__(self, base: str, key: str, distribution: int = 1) -> None:
        self.url = f"{base}/misp/feed"
        self.http = httpx.Client(auth=httpx.BasicAuth("misp", key), timeout=60,
                                 headers={"Accept": "application/json", "MISP-version": "2.5.0"})
        self.distribution = distribution
        self.local: dict[str, dict[str, Any]] = {}  # uuid -> the prepared event as MISP stored it
        self.cache: set[tuple[str, str]] = set()

    def get(self, name: str) -> httpx.Response:
        return self.http.get(f"{self.url}/{name}")

    def pull(self) -> tuple[list[str], list[str]]:
        answer = self.get("manifest.json")
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
        manifest: dict[str, dict[str, Any]] = answer.json()
        add = [u for u in manifest if u not in self.local]
        edit = [u for u in manifest if u in self.local
                and int(self.local[u]["Event"]["timestamp"]) < int(manifest[u]["timestamp"])]
        for uuid in add + edit:
            answer = self.get(f"{uuid}.json")
            assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
            self.local[uuid] = self.prepare(answer.json())
        rows = csv.reader(io.StringIO(self.get("hashes.csv").text.strip()))
        self.cache = {(row[0], row[1]) for row in rows if row}
        return add, edit

    def prepare(self, document: Any) -> dict[str, Any]:
        if "response" in document:
            document = document["response"]
        if isinstance(document, list):
            document = document[0]
        event = document["Event"]
        assert "uuid" in event, "Event UUID field missing."
        if "orgc" in event and "Orgc" not in event:
            event["Orgc"] = event.pop("orgc")
        event["distribution"] = self.distribution
        for attribute in event.get("Attribute", []):
            attribute["distribution"] = 5
        for obj in event.get("Object", []):
            obj["distribution"] = 5
            for attribute in obj.get("Attribute", []):
                attribute["distribution"] = 5
        saved = MISPEvent()
        saved.load(copy.deepcopy(document))  # what MISP would keep: it loads and round-trips
        assert saved.uuid == event["uuid"] and saved.Orgc.name == event["Orgc"]["name"]
        return document

    def close(self) -> None:
        self.http.close()


def feed_app(store: Store) -> FastAPI:
    """The server's app with the MISP feed (added here until app.py includes the router)."""
    app = create_app(store)
    if not any(getattr(r, "path", "") == "/misp/feed/manifest.json" for r in app.routes):
        app.include_router(misp_router)
    return app


def claim_tags(event: dict[str, Any]) -> dict[str, set[str]]:
    """claim label -> its tags."""
    out = {}
    for attribute in event["Event"].get("Attribute", []):
        tags = {t["name"] for t in attribute.get("Tag", [])}
        label = next(t for t in tags if t.startswith("hotpursuit:label="))
        out[json.loads(label.partition("=")[2])] = tags
    return out


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Store]]:
    """Three incidents over one theft (CLEAR of the operator, AMBER and RED of kr-nis), claims of every
    TLP on the receiving address, organisations in and out of kr-nis's sharing group."""
    store = Store.open(tmp_path / "s.duckdb")
    add_org(store, "kr-nis", "National Intelligence Service", "agency", "KR", "task-force")
    add_org(store, "ex-hanbit", "Hanbit Exchange", "exchange", "KR", "task-force")
    add_org(store, "ex-other", "Other Exchange", "exchange", "DE", None)
    replace_import(store, "case-17", "kr-nis", [
        LabelClaim("ethereum", RECEIVER, f"{tlp} lead", "dprk", "lazarusgroup", 70, "NIS case 17", None, tlp, "kr-nis")
        for tlp in ("GREEN", "AMBER", "RED")])
    for n, (tx, source, to, amount) in enumerate(((TX, THIEF, RECEIVER, 10), (TX2, RECEIVER, ONWARD, 4))):
        store.execute("INSERT INTO transfers VALUES ('ethereum', ?, ?, 0, 0, 'native', NULL, NULL, ?, ?, 'ETH', "
                      "?::BIGNUM, 'test')", [n + 1, tx, source, to, str(amount)])
    for incident, tlp, owner in (("case-public", "CLEAR", None), ("case-amber", "AMBER", "kr-nis"),
                                 ("case-red", "RED", "kr-nis")):
        open_incident(store, incident, "ethereum", [TX], tlp=tlp, owner=owner, actor="lazarusgroup")
    keys = {org: create_key(store, org, ["read"], 30)[1] for org in ("kr-nis", "ex-hanbit", "ex-other")}
    keys["screen-only"] = create_key(store, "ex-other", ["screen"], 30)[1]
    with serve_in_thread(feed_app(store)) as base:
        yield base, keys, store
    store.close()


def test_each_organisation_pulls_exactly_what_it_may_see(served: tuple[str, dict[str, str], Store]) -> None:
    base, keys, _ = served
    events = {i: event_uuid(i) for i in ("case-public", "case-amber", "case-red")}
    seen = {"kr-nis": {"case-public", "case-amber", "case-red"}, "ex-hanbit": {"case-public", "case-amber"},
            "ex-other": {"case-public"}}
    claims = {"kr-nis": {"GREEN lead", "AMBER lead", "RED lead"}, "ex-hanbit": {"GREEN lead", "AMBER lead"},
              "ex-other": {"GREEN lead"}}
    for org, incidents in seen.items():
        consumer = FeedConsumer(base, keys[org])
        add, edit = consumer.pull()
        assert (sorted(add), edit) == (sorted(events[i] for i in incidents), [])
        for uuid, event in consumer.local.items():
            assert set(claim_tags(event)) == claims[org], (org, uuid)
            objects = event["Event"]["Object"]
            assert {o["name"] for o in objects} == {"coin-address"}
            tainted = {a["value"] for o in objects for a in o["Attribute"] if a["object_relation"] == "address-crypto"}
            assert tainted == {RECEIVER, ONWARD}
        assert {e for _, e in consumer.cache} == {events[i] for i in incidents}
        assert (hashlib.md5(RECEIVER.encode()).hexdigest(), events["case-public"]) in consumer.cache
        for hidden in set(events) - incidents:  # answered as a uuid that does not exist
            refused, unknown = consumer.get(f"{events[hidden]}.json"), consumer.get(f"{event_uuid('nope')}.json")
            assert refused.status_code == unknown.status_code == 404
            assert refused.json()["error"]["code"] == unknown.json()["error"]["code"] == "not_found"
        if org != "kr-nis":  # the RED claim and the RED incident never reach anyone else, in any file
            everything = b"".join(consumer.get(n).content for n in ("manifest.json", "hashes.csv",
                                                                    *(f"{u}.json" for u in events.values())))
            assert b"RED lead" not in everything and b"tlp:red" not in everything
            assert hashlib.md5(b"RED lead").hexdigest().encode() not in everything
        consumer.close()


def test_a_second_pull_fetches_only_what_changed(served: tuple[str, dict[str, str], Store]) -> None:
    base, keys, store = served
    consumer = FeedConsumer(base, keys["ex-hanbit"])
    assert len(consumer.pull()[0]) == 2
    assert consumer.pull() == ([], [])
    add_claim(store, "later", LabelClaim("ethereum", ONWARD, "onward mule", "thief", None, 60, "NIS case 18", None,
                                         "GREEN", "kr-nis"))
    store.execute("UPDATE labels SET created_at = created_at + INTERVAL 5 SECOND WHERE import_key = 'later'")
    add, edit = consumer.pull()
    assert add == [] and sorted(edit) == sorted(event_uuid(i) for i in ("case-public", "case-amber"))
    assert all("onward mule" in claim_tags(e) for e in consumer.local.values())
    consumer.close()


def test_the_feed_needs_a_key_with_read(served: tuple[str, dict[str, str], Store]) -> None:
    base, keys, _ = served
    url = f"{base}/misp/feed/manifest.json"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, auth=("misp", "hp_wrong")).status_code == 401
    assert httpx.get(url, headers={"X-API-Key": keys["screen-only"]}).status_code == 403
    answer = httpx.get(url, headers={"Authorization": f"Bearer {keys['ex-other']}"})
    assert answer.status_code == 200 and list(answer.json()) == [event_uuid("case-public")]
    again = httpx.get(url, headers={"X-API-Key": keys["ex-other"], "If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304
    hashes = httpx.get(f"{base}/misp/feed/hashes.csv", headers={"X-API-Key": keys["ex-other"]})
    assert hashes.headers["content-type"].startswith("text/csv")


def test_the_drill_event_carries_the_traces_amounts_and_comes_back_on_import(rpc: JsonRpcClient,
                                                                            tmp_path: Path) -> None:
    db = tmp_path / "drill.duckdb"
    truth = build_drill_case(rpc, db)
    victim_wallet = truth["endpoints"][0]["address"]
    with Store.open(db) as store:
        add_org(store, "kr-knpa", "Korean National Police Agency", "agency", "KR", "task-force")
        add_org(store, "ex-lumen", "Lumen Exchange", "exchange", "KR", "task-force")
        add_org(store, "ex-far", "Far Exchange", "exchange", "SG", None)
        incident, _ = open_incident(store, "Drill heist KNPA", "anvil", [truth["theft_tx"]], victim=truth["victim"],
                                    actor="lazarusgroup", tlp="AMBER", owner="kr-knpa")
        for tlp in ("AMBER", "RED"):
            add_claim(store, "knpa", LabelClaim("anvil", victim_wallet, f"KNPA {tlp} note", "thief", "lazarusgroup",
                                                70, "KNPA case 2025-17", dt.date(2025, 2, 22), tlp, "kr-knpa"))
        keys = {org: create_key(store, org, ["read"], 30)[1] for org in ("kr-knpa", "ex-lumen", "ex-far")}
        report = asdict(run_trace(store, incident))
    expected: dict[tuple[str, str], int] = {}
    for f in report["flows"]:
        expected[(f["to"], f["asset"])] = expected.get((f["to"], f["asset"]), 0) + int(f["tainted"])
    static = tmp_path / "feed"
    misp_feed_cmd(db=db, out=static, org="ex-lumen")  # the operator's static feed for the exchange

    uuid = event_uuid(incident)
    with Store.open(db) as store, serve_in_thread(feed_app(store)) as base:
        lumen = FeedConsumer(base, keys["ex-lumen"])
        lumen.pull()
        assert lumen.get(f"{uuid}.json").content == (static / f"{uuid}.json").read_bytes()
        assert lumen.get("manifest.json").content == (static / "manifest.json").read_bytes()
        far = FeedConsumer(base, keys["ex-far"])
        far.pull()
        assert uuid not in far.local and far.get(f"{uuid}.json").status_code == 404
        assert b"KNPA RED note" not in b"".join(far.get(f"{u}.json").content for u in far.local)
        owner = FeedConsumer(base, keys["kr-knpa"])
        owner.pull()
    event = lumen.local[uuid]["Event"]
    assert {"tlp:amber", 'misp-galaxy:threat-actor="Lazarus Group"'} <= {t["name"] for t in event["Tag"]}
    assert event["Orgc"]["name"] == "Korean National Police Agency"
    got: dict[tuple[str, str], int] = {}
    for obj in event["Object"]:
        text = json.loads(next(a["value"] for a in obj["Attribute"] if a["object_relation"] == "text"))
        address = next(a["value"] for a in obj["Attribute"] if a["object_relation"].startswith("address"))
        for t in text["tainted"]:
            got[(address, t["asset"])] = int(t["amount"])
    assert got == expected and got
    for endpoint in truth["endpoints"]:  # the ground truth's endpoints, with the amounts the drill sent
        assert got[(endpoint["address"], endpoint["asset"])] == int(endpoint["tainted_amount"])
    assert "KNPA AMBER note" in claim_tags(lumen.local[uuid]) and "KNPA RED note" not in claim_tags(lumen.local[uuid])
    assert {"KNPA AMBER note", "KNPA RED note"} <= set(claim_tags(owner.local[uuid]))

    partner = tmp_path / "partner.duckdb"  # a partner's instance imports the owner's event
    with Store.open(partner) as store:
        add_org(store, "de-bka", "Bundeskriminalamt", "agency", "DE", None)
    pulled = tmp_path / "pulled.json"
    pulled.write_text(json.dumps(owner.local[uuid]))
    misp_import_cmd([pulled], db=partner, org="de-bka", fmt=TableOrJson.json)
    with Store.open(partner) as store:
        claims = {c.label: c for c in claims_for(store, "anvil", victim_wallet)}
        red = claims["KNPA RED note"]
        assert (red.tlp, red.asserted_by, red.category, red.actor, red.confidence, red.source_date) == (
            "RED", "kr-knpa", "thief", "lazarusgroup", 70, dt.date(2025, 2, 22))
        owners = {str(o) for (o,) in store.execute("SELECT DISTINCT owner_org FROM labels").fetchall()}
        assert owners == {"de-bka"}  # owned by the importing organisation, asserted by the original one
        exposure = {(str(a), str(s)): int(t) for a, s, t in store.execute(
            "SELECT address, asset, tainted::VARCHAR FROM shared_exposure WHERE incident = ?", [incident]).fetchall()}
    assert exposure == expected
    for consumer in (lumen, far, owner):
        consumer.close()
