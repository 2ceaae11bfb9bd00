"""MISP events read as claims and wallets: our own feed comes back exactly (claims, taint in base units);
another organisation's event (as MISP exports it) gives claims asserted by its creator, with TLP and actor
from its tags; malformed JSON is an error naming the event and the attribute."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest

from hotpursuit.share.misp_feed import event_uuid, feed_of_sets
from hotpursuit.share.misp_import import MispFormatError, read_misp

from .test_misp_feed import BTC, EVM, shared_set

FOREIGN_UUID = "5f6c3a1e-7b1a-4c2e-9d3f-0a1b2c3d4e5f"


def our_event() -> dict[str, Any]:
    feed = feed_of_sets([shared_set()])
    document: dict[str, Any] = json.loads(feed.event_json(event_uuid("drill-heist")))
    return document


def foreign_event() -> dict[str, Any]:
    """An event as a MISP instance exports it (REST `events/view`): galaxy listed apart, ids as strings."""
    return {"Event": {
        "id": "1234", "uuid": FOREIGN_UUID, "info": "Bybit hack laundering addresses", "date": "2025-02-24",
        "timestamp": "1740400000", "published": True, "analysis": "2", "threat_level_id": "1", "distribution": "1",
        "Orgc": {"id": "7", "name": "CERT-Example", "uuid": "0b5d3f6e-0000-4e71-9f1d-6a4c2e8b7d35"},
        "Tag": [{"name": "tlp:green"}],
        "Galaxy": [{"name": "Threat Actor", "GalaxyCluster": [
            {"value": "Lazarus Group", "tag_name": 'misp-galaxy:threat-actor="Lazarus Group"'}]}],
        "Attribute": [
            {"uuid": "6a1b2c3d-0000-4000-8000-000000000001", "type": "btc", "category": "Financial fraud",
             "value": BTC, "comment": "consolidation wallet", "timestamp": "1740400001",
             "Tag": [{"name": "tlp:amber"}]},
            {"uuid": "6a1b2c3d-0000-4000-8000-000000000002", "type": "ip-dst", "category": "Network activity",
             "value": "198.51.100.7", "timestamp": "1740400001"}],
        "Object": [{"uuid": "6a1b2c3d-0000-4000-8000-000000000003", "name": "coin-address", "timestamp": "1740400002",
                    "comment": "", "Attribute": [
                        {"uuid": "6a1b2c3d-0000-4000-8000-000000000004", "object_relation": "address-crypto",
                         "type": "text", "value": EVM.upper().replace("0X", "0x"), "timestamp": "1740400002"},
                        {"uuid": "6a1b2c3d-0000-4000-8000-000000000005", "object_relation": "symbol", "type": "text",
                         "value": "ETH", "timestamp": "1740400002"}]}]}}


def test_our_feed_comes_back_exactly() -> None:
    shared = shared_set()
    (event,) = read_misp(our_event(), "feed.json")
    assert event.uuid == event_uuid("drill-heist") and event.producer == "Korean National Police Agency"
    assert event.tlp == "AMBER" and event.actor == "lazarusgroup" and not event.skipped
    assert sorted((c.claim for c in event.claims), key=str) == sorted((c.claim for c in shared.claims), key=str)
    back = {(w.wallet.chain, w.wallet.address): w.wallet for w in event.wallets}
    for wallet in shared.wallets:
        got = back[(wallet.chain, wallet.address)]
        assert replace(got, owner_org=wallet.owner_org) == wallet  # amounts, hops, freeze, times, evidence
    assert len({c.object_id for c in event.claims} | {w.object_id for w in event.wallets}) == 4


def test_a_feed_list_and_a_rest_answer_are_read_too() -> None:
    assert len(read_misp([our_event(), foreign_event()])) == 2
    assert read_misp({"response": [foreign_event()]})[0].uuid == FOREIGN_UUID


def test_another_organisations_event_gives_claims_by_its_creator() -> None:
    (event,) = read_misp(foreign_event(), "cert.json")
    assert (event.producer, event.tlp, event.actor, event.wallets) == ("CERT-Example", "GREEN", "lazarusgroup", [])
    claims = {c.claim.address: c for c in event.claims}
    assert set(claims) == {BTC, EVM}  # the IP address is not an address hotpursuit keeps
    btc = claims[BTC].claim
    assert (btc.chain, btc.label, btc.category, btc.actor, btc.tlp, btc.asserted_by) == (
        "bitcoin", "consolidation wallet", "dprk", "lazarusgroup", "AMBER", "CERT-Example")
    assert btc.source == f"MISP event {FOREIGN_UUID}" and claims[BTC].version == "1740400001"
    evm = claims[EVM].claim  # chain from the symbol, address in its canonical form
    assert (evm.chain, evm.tlp, evm.label) == ("ethereum", "GREEN", "Bybit hack laundering addresses")


def _broken(change: str) -> object:
    document = our_event()
    event = document["Event"]
    if change == "not json object":
        return ["text"]
    if change == "no uuid":
        del event["uuid"]
    elif change == "attribute without value":
        del event["Attribute"][0]["value"]
    elif change == "tags not a list":
        event["Object"][0]["Attribute"][0]["Tag"] = "tlp:red"
    elif change == "wallet amount a float":
        text = event["Object"][0]["Attribute"][-1]
        data = json.loads(text["value"])
        data["tainted"][0]["amount"] = 1.5
        text["value"] = json.dumps(data)
    elif change == "wallet JSON cut short":
        text = event["Object"][0]["Attribute"][-1]
        text["value"] = text["value"][:40]
    elif change == "claim confidence":
        event["Attribute"][0]["Tag"] = [t if not t["name"].startswith("hotpursuit:confidence") else
                                        {"name": 'hotpursuit:confidence="high"'} for t in event["Attribute"][0]["Tag"]]
    elif change == "timestamp":
        event["timestamp"] = "yesterday"
    elif change == "coin-address without address":
        event["Object"][0]["Attribute"] = event["Object"][0]["Attribute"][1:]
    return document


@pytest.mark.parametrize(("change", "message"), [
    ("not json object", "x.json: item 0: not a MISP event"),
    ("no uuid", "Event UUID field missing"),
    ("attribute without value", "value missing or not text"),
    ("tags not a list", "Tag is not a list"),
    ("wallet amount a float", "'amount' 1.5 is not a decimal string of base units"),
    ("wallet JSON cut short", "hotpursuit wallet JSON is malformed"),
    ("claim confidence", "hotpursuit:confidence 'high' is not a whole number"),
    ("timestamp", "timestamp 'yesterday' is not seconds since 1970"),
    ("coin-address without address", "coin-address without address"),
])
def test_malformed_events_are_clear_errors(change: str, message: str) -> None:
    with pytest.raises(MispFormatError, match=r"^x\.json") as raised:
        read_misp(_broken(change), "x.json")
    assert message in str(raised.value)
    assert isinstance(raised.value, ValueError)
    if change not in ("not json object", "no uuid"):
        assert event_uuid("drill-heist") in str(raised.value)  # names the event


def test_reading_leaves_the_document_as_it_was() -> None:
    document = our_event()
    before = copy.deepcopy(document)
    read_misp(document)
    assert document == before
