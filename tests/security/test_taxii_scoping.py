"""TAXII 2.1 with taxii2-client, the reference client, against a real server: each organisation sees exactly
the objects its TLP and sharing group allow (the API's rule: the same claims the labels route shows it), a
collection it may not see is answered as one that does not exist, a RED or AMBER+STRICT claim never reaches
another organisation, and a partner's posted claims are its own (it cannot speak for another)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from stix2validator import ValidationOptions, validate_parsed_json
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Collection, Server, as_pages

from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.share.model import Org, SharedClaim
from hotpursuit.share.stix_mapping import identity, indicator
from hotpursuit.share.taxii_client import Peer, pull
from hotpursuit.store import Store
from hotpursuit.store.label_tables import add_claim, claims_for
from hotpursuit.store.org_tables import add_org
from tests.security.conftest import Server as HotpursuitServer

VICTIM, THIEF, MULE, DEPOSIT = ("0x" + c * 20 for c in ("c1", "c2", "c3", "c4"))
THEFT, HOP_1, HOP_2 = ("0x" + c * 32 for c in ("d1", "d2", "d3"))
LEVELS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
ETH = 10**18
# who sees which of kr-nis's claims: itself all; its sharing group (ex-hanbit) up to AMBER; others CLEAR, GREEN
SEES = {"agency": set(LEVELS), "exchange": {"CLEAR", "GREEN", "AMBER"}, "outsider": {"CLEAR", "GREEN"}}


def _scenario(server: HotpursuitServer) -> str:
    """kr-nis's claims at every TLP level on the mule, and its AMBER incident traced to the deposit."""
    store = server.store
    for block, (tx, sender, receiver, amount) in enumerate(((THEFT, VICTIM, THIEF, 10 * ETH),
                                                            (HOP_1, THIEF, MULE, 10 * ETH),
                                                            (HOP_2, MULE, DEPOSIT, 7 * ETH)), start=1):
        store.execute("""INSERT INTO transfers VALUES ('ethereum', ?, ?, 0, 0, 'native', NULL, NULL, ?, ?, 'ETH',
                         ?::BIGNUM, 'test')""", [block, tx, sender, receiver, str(amount)])
        store.execute("INSERT INTO blocks VALUES ('ethereum', ?, ?, ?, ?, NULL, NULL, NULL, NULL, 1, 'test')",
                      [block, f"0x{block:064x}", f"0x{block - 1:064x}", 1_740_000_000 + 12 * block])
    for level in LEVELS:
        add_claim(store, "nis", LabelClaim("ethereum", MULE, f"mule seen by NIS ({level})", "thief", "lazarusgroup",
                                           80, f"NIS case file {level}", None, level, "kr-nis"))
    with server.client("agency") as agency:
        opened = agency.post("/v1/incidents", json={"name": "Hanbit drain", "chain": "ethereum", "sources": [THEFT],
                                                    "tlp": "AMBER", "actor": "lazarusgroup"})
        assert opened.status_code == 201, opened.text
        incident = str(opened.json()["id"])
        job = agency.post(f"/v1/incidents/{incident}/traces", json={"save": True}).json()["id"]
        for _ in range(400):
            if agency.get(f"/v1/traces/{job}").json()["status"] == "done":
                return incident
            time.sleep(0.05)
    raise AssertionError("the trace never finished")


def _taxii(server: HotpursuitServer, who: str) -> Server:
    return Server(f"{server.base}/taxii2/", user=who, password=server.keys[who])


def _everything(collection: Collection) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for page in as_pages(collection.get_objects, per_request=7):  # small pages: the cursor is exercised
        objects += page.get("objects", [])
    return objects


def test_each_organisation_sees_exactly_what_its_tlp_allows(server: HotpursuitServer) -> None:
    incident = _scenario(server)
    seen_collections: dict[str, dict[str, Collection]] = {}
    for who, allowed in SEES.items():
        root = _taxii(server, who).api_roots[0]
        collections = {c.alias: c for c in root.collections}
        seen_collections[who] = collections
        labels = _everything(collections["labels"])
        indicators = [o for o in labels if o["type"] == "indicator"]
        assert {o["name"].split("(")[1].rstrip(")") for o in indicators} == allowed, who
        assert len({o["id"] for o in labels}) == len(labels)  # paging repeats nothing and skips nothing
        # the API's rule: the labels route shows this organisation the same claims
        with server.client(who) as api:
            shown = api.get(f"/v1/labels/ethereum/{MULE}").json()["claims"]
        assert sorted(c["label"] for c in shown) == sorted(o["name"] for o in indicators)
        hidden = set(LEVELS) - allowed
        assert not any(f"NIS case file {level}" in json.dumps(labels) for level in hidden)
        # the bundle a reader gets validates strictly (stix2-validator, nothing disabled)
        result = validate_parsed_json({"type": "bundle", "id": "bundle--0b4f9c1e-7a35-4d8e-9b2a-6c1d3e5f7a90",
                                       "objects": labels}, ValidationOptions(version="2.1", strict=True))
        assert result.is_valid, [str(e) for e in result.errors]
    # the AMBER incident: its owner and its sharing group see it and its wallets, the outsider nothing
    alias = f"incident-{incident}"
    assert alias in seen_collections["agency"] and alias in seen_collections["exchange"]
    assert alias not in seen_collections["outsider"]
    traced = _everything(seen_collections["exchange"][alias])
    wallets = {o["value"]: o for o in traced if o["type"] == "cryptocurrency-wallet"}
    assert set(wallets) == {THIEF, MULE, DEPOSIT}
    ext = next(v for k, v in wallets[DEPOSIT]["extensions"].items() if v.get("extension_type") == "property-extension")
    assert ext["tainted"] == [{"asset": "ETH", "amount": str(7 * ETH), "received": str(7 * ETH), "decimals": 18,
                               "symbol": "ETH"}]
    assert ext["hops"] == 3 and ext["evidence_tx"] == [HOP_2] and ext["first_seen"].startswith("2025-02-19")
    outsider_traces = _everything(seen_collections["outsider"]["traces"])
    assert not [o for o in outsider_traces if o["type"] in ("cryptocurrency-wallet", "incident")]
    assert "Hanbit drain" not in json.dumps(outsider_traces)
    # a collection the caller may not see is answered exactly as one that does not exist
    hidden_url = seen_collections["exchange"][alias].url
    made_up = hidden_url.replace(hidden_url.rstrip("/").rsplit("/", 1)[1], "00000000-0000-4000-8000-000000000000")
    answers = []
    for url in (hidden_url, made_up):
        reply = httpx.get(url + "objects/", auth=("outsider", server.keys["outsider"]),
                          headers={"Accept": "application/taxii+json;version=2.1"})
        answers.append((reply.status_code, reply.json()["title"]))
    assert answers[0] == answers[1] == (404, "collection not found")


def test_bearer_basic_and_refusals(server: HotpursuitServer) -> None:
    taxii = f"{server.base}/taxii2/"
    accept = {"Accept": "application/taxii+json;version=2.1"}
    bearer = httpx.get(taxii, headers={**accept, "Authorization": f"Bearer {server.keys['exchange']}"})
    assert bearer.status_code == 200 and bearer.headers["content-type"] == "application/taxii+json;version=2.1"
    nobody = httpx.get(taxii, headers=accept)
    assert nobody.status_code == 401 and "Basic" in nobody.headers["www-authenticate"]
    assert httpx.get(taxii, headers={"Accept": "text/html"}, auth=("x", server.keys["exchange"])).status_code == 406
    with pytest.raises(requests.HTTPError, match="401"):
        _ = Server(taxii, user="exchange", password="hp_wrong_key").api_roots


def test_a_partner_posts_claims_as_itself_only(server: HotpursuitServer) -> None:
    root = _taxii(server, "exchange").api_roots[0]
    collections = {c.alias: c for c in root.collections}
    assert collections["labels"].can_write and not collections["incidents"].can_write
    forged = LabelClaim("ethereum", DEPOSIT, "Hanbit deposit of the mule", "exchange", None, 90, "Hanbit KYC",
                        None, "GREEN", "kr-nis")  # it claims to be the agency's
    sanction = LabelClaim("ethereum", MULE, "sanctioned mule", "sanctioned", None, 90, "Hanbit", None, "GREEN",
                          "ex-hanbit")
    creator = identity(Org("ex-hanbit", "Hanbit Exchange"))
    status = collections["labels"].add_objects({"type": "bundle", "id": "bundle--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                                                "objects": [creator, *(indicator(SharedClaim(c, _when(), "ex-hanbit"),
                                                                                 creator["id"])
                                                                       for c in (forged, sanction))]})
    assert status.status == "complete" and status.success_count == 2 and status.failure_count == 1
    assert "authorities" in status.failures[0]["message"]
    with server.client("outsider") as api:
        claims = api.get(f"/v1/labels/ethereum/{DEPOSIT}").json()["claims"]
    assert [(c["label"], c["asserted_by"]) for c in claims] == [("Hanbit deposit of the mule", "ex-hanbit")]
    with server.client("outsider") as api:  # screened at once, from the posting exchange
        screened = api.get(f"/v1/screen/ethereum/{DEPOSIT}").json()
    assert screened["categories"] == ["exchange"]
    with pytest.raises(TAXIIServiceException):
        collections["incidents"].add_objects({"type": "bundle", "id": "bundle--2c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                                              "objects": [creator]})


def _when() -> Any:
    import datetime as dt
    return dt.datetime(2026, 12, 7, 9, 30)


def test_manifest_versions_filters_and_added_after(server: HotpursuitServer) -> None:
    incident = _scenario(server)
    collection = next(c for c in _taxii(server, "exchange").api_roots[0].collections
                      if c.alias == f"incident-{incident}")
    manifest = collection.get_manifest()
    everything = _everything(collection)
    assert [m["id"] for m in manifest["objects"]] == [o["id"] for o in everything]
    assert {m["media_type"] for m in manifest["objects"]} == {"application/stix+json;version=2.1"}
    wallet = next(o for o in everything if o["type"] == "cryptocurrency-wallet")
    assert collection.get_object(wallet["id"])["objects"] == [wallet]
    assert collection.object_versions(wallet["id"])["versions"] == [
        m["version"] for m in manifest["objects"] if m["id"] == wallet["id"]]
    only = collection.get_objects(type="cryptocurrency-wallet")["objects"]
    assert {o["type"] for o in only} == {"cryptocurrency-wallet"} and len(only) == 3
    last_added = max(m["date_added"] for m in manifest["objects"])
    assert collection.get_objects(added_after=last_added).get("objects", []) == []
    # the freeze status changes: the wallet gets a new version, the only object added after the last read,
    # and the incident's MISP event a newer timestamp (MISP fetches an event again only then)
    def misp_timestamps() -> list[int]:
        with server.client("exchange") as api:
            return [int(e["timestamp"]) for e in api.get("/misp/feed/manifest.json").json().values()]
    before = misp_timestamps()
    time.sleep(1.0)  # MISP timestamps are whole seconds
    server.store.execute("""INSERT INTO freeze_requests (id, incident_id, org_id, chain, address, asset, amount,
                            block_number, block_hash, evidence_json, requested_by, deadline, status)
                            VALUES ('fr-1', ?, 'ex-hanbit', 'ethereum', ?, 'ETH', '7000000000000000000'::BIGNUM,
                                    3, '0x03', '[]', 'kr-nis', now(), 'accepted')""", [incident, DEPOSIT])
    time.sleep(1.1)  # collections are republished at most once a second
    newer = [o for o in collection.get_objects(added_after=last_added)["objects"]
             if o["type"] == "cryptocurrency-wallet"]
    assert [(o["value"], next(e for e in o["extensions"].values() if "freeze_status" in e)["freeze_status"])
            for o in newer] == [(DEPOSIT, "accepted")]
    assert len(collection.object_versions(newer[0]["id"])["versions"]) == 2
    assert len(before) == 1 and misp_timestamps()[0] > before[0]
    with pytest.raises(requests.HTTPError, match="400"):
        collection.get_objects(next="bm90IGEgY3Vyc29y")


def test_an_incident_nothing_is_stored_of_yet_is_shared_without_wallets(server: HotpursuitServer) -> None:
    with server.client("agency") as agency:
        opened = agency.post("/v1/incidents", json={"name": "reported, not yet ingested", "chain": "ethereum",
                                                    "sources": ["0x" + "e9" * 32], "tlp": "GREEN"})
        assert opened.status_code == 201, opened.text
    collections = {c.alias: c for c in _taxii(server, "outsider").api_roots[0].collections}
    objects = _everything(collections[f"incident-{opened.json()['id']}"])
    assert [o["name"] for o in objects if o["type"] == "incident"] == ["reported, not yet ingested"]
    assert not [o for o in objects if o["type"] == "cryptocurrency-wallet"]



def test_a_withdrawn_claim_is_revoked_and_partners_drop_it(server: HotpursuitServer, tmp_path: Path) -> None:
    with server.client("agency") as agency:
        stored = agency.post("/v1/labels", json={"chain": "ethereum", "address": MULE, "label": "mule (wrong)",
                                                 "category": "thief", "confidence": 60, "source": "tip",
                                                 "tlp": "GREEN"})
        assert stored.status_code == 201, stored.text
    labels = next(c for c in _taxii(server, "outsider").api_roots[0].collections if c.alias == "labels")
    peer = Peer(labels.url.rsplit("collections/", 1)[0], labels.id, server.keys["outsider"], "outsider")
    with Store.open(tmp_path / "partner.duckdb") as partner:
        add_org(partner, "ex-outsider", "Outsider Exchange", "exchange", "SC", None)
        assert pull(partner, peer, "ex-outsider").counts.claims == 1
        assert [c.label for c in claims_for(partner, "ethereum", MULE)] == ["mule (wrong)"]
        with server.client("agency") as agency:
            withdrawn = agency.post("/v1/labels/withdraw", json={"chain": "ethereum", "address": MULE,
                                                                 "category": "thief"})
            assert withdrawn.status_code == 200, withdrawn.text
        time.sleep(1.1)  # collections are republished at most once a second
        revoked = [o for o in _everything(labels) if o["type"] == "indicator" and o.get("revoked")]
        assert [o["name"] for o in revoked] == ["mule (wrong)"]
        result = validate_parsed_json({"type": "bundle", "id": "bundle--3c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
                                       "objects": revoked}, ValidationOptions(version="2.1", strict=True))
        assert result.is_valid, [str(e) for e in result.errors]
        assert pull(partner, peer, "ex-outsider").counts.withdrawn == 1
        assert claims_for(partner, "ethereum", MULE) == []


def test_an_organisation_whose_claims_are_hidden_is_not_named(server: HotpursuitServer) -> None:
    add_claim(server.store, "own", LabelClaim("ethereum", MULE, "seen at our desk", "thief", None, 70, "desk notes",
                                              None, "RED", "ex-outsider"))
    add_claim(server.store, "own", LabelClaim("ethereum", DEPOSIT, "our deposit", "exchange", None, 90, "KYC", None,
                                              "GREEN", "ex-hanbit"))
    seen = {}
    for who in ("exchange", "outsider"):
        labels = next(c for c in _taxii(server, who).api_roots[0].collections if c.alias == "labels")
        seen[who] = {o["name"] for o in _everything(labels) if o["type"] == "identity"}
    assert "Hanbit Exchange" in seen["exchange"] and "Hanbit Exchange" in seen["outsider"]  # a GREEN claim
    assert "Outsider Exchange" in seen["outsider"] and "Outsider Exchange" not in seen["exchange"]  # RED only
