"""The MISP feed built from shared data: one event per incident with TLP, taxonomy and galaxy tags,
coin-address objects carrying the taint in base units, the claims as attributes; the manifest and hashes
as MISP's feed fetcher reads them; the same facts give the same bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import replace

from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.share.misp_feed import event_uuid, feed_of_sets, org_uuid
from hotpursuit.share.model import Org, SharedClaim, SharedIncident, SharedSet, SharedWallet, TaintedAmount

OPENED = dt.datetime(2025, 2, 21, 14, 0)
EVM = "0x5b38da6a701c568545dcfcb03fcb875f56beddc4"
BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
HUSD = "0x" + "ab" * 20


def shared_set(tlp: str = "AMBER") -> SharedSet:
    """An incident of kr-knpa with an EVM wallet (ETH and a token) and a Bitcoin one, and claims on them."""
    incident = SharedIncident("drill-heist", "Drill heist", "anvil", "open", "lazarusgroup", tlp, "kr-knpa", None,
                              OPENED)
    evm = SharedWallet("anvil", EVM, "drill-heist", "haircut", 2,
                       (TaintedAmount("ETH", 1_500_000_000_000_000_001, 18, "ETH", 2 * 10**18),
                        TaintedAmount(HUSD, 5_000_000, 6, "HUSD")),
                       OPENED + dt.timedelta(minutes=5), OPENED + dt.timedelta(minutes=9), "requested",
                       ("0x" + "11" * 32,), tlp, "kr-knpa", OPENED + dt.timedelta(hours=1))
    btc = SharedWallet("bitcoin", BTC, "drill-heist", "haircut", 4, (TaintedAmount("BTC", 12_345, 8, "BTC"),),
                       None, None, None, (), tlp, "kr-knpa", OPENED + dt.timedelta(hours=1))
    claims = [SharedClaim(LabelClaim("anvil", EVM, 'Lumen "hot" wallet', "exchange", None, 50, "lumen list", None,
                                     "GREEN", "ex-lumen"), OPENED, "ex-lumen"),
              SharedClaim(LabelClaim("bitcoin", BTC, "Lazarus consolidation", "dprk", "lazarusgroup", 70, "KNPA case",
                                     dt.date(2025, 2, 20), "RED", "kr-knpa"), OPENED, "kr-knpa")]
    return SharedSet({"kr-knpa": Org("kr-knpa", "Korean National Police Agency")}, claims, [incident], [evm, btc],
                     {})


def test_an_incident_is_one_event_with_tags_objects_and_claims() -> None:
    feed = feed_of_sets([shared_set()])
    uuid = event_uuid("drill-heist")
    event = json.loads(feed.event_json(uuid))["Event"]
    assert event["uuid"] == uuid and event["info"].startswith("Drill heist")
    assert event["Orgc"] == {"name": "Korean National Police Agency", "uuid": org_uuid("kr-knpa")}
    tags = [t["name"] for t in event["Tag"]]
    assert tags[:2] == ["tlp:amber", 'misp-galaxy:threat-actor="Lazarus Group"']
    assert {'hotpursuit:incident="drill-heist"', 'workflow:state="incomplete"'} <= set(tags)
    assert event["date"] == "2025-02-21" and event["threat_level_id"] == "1" and event["published"] is True

    objects = {o["Attribute"][0]["value"]: o for o in event["Object"]}
    assert all(o["name"] == "coin-address" and o["template_uuid"] == "d0e6997e-78da-4815-a6a1-cfc1c1cb8a46"
               for o in objects.values())
    relations = {a["object_relation"]: a for a in objects[EVM]["Attribute"]}
    assert relations["address-crypto"]["type"] == "text" and "address" not in relations  # `address` is BTC only
    assert relations["symbol"]["value"] == "ETH"
    assert relations["first-seen"]["value"] == "2025-02-21T14:05:00+00:00"
    text = json.loads(relations["text"]["value"])
    assert text["tainted"][0] == {"asset": "ETH", "amount": "1500000000000000001", "decimals": 18, "symbol": "ETH",
                                  "received": "2000000000000000000"}  # exact: never a float
    assert (text["hops"], text["model"], text["freeze_status"]) == (2, "haircut", "requested")
    assert {t["name"] for t in relations["address-crypto"]["Tag"]} >= {"tlp:amber", 'hotpursuit:hops="2"'}
    assert "1.500000000000000001 ETH" in objects[EVM]["comment"] and "5 HUSD" in objects[EVM]["comment"]
    btc = {a["object_relation"]: a for a in objects[BTC]["Attribute"]}
    assert btc["address"]["type"] == "btc" and btc["address"]["category"] == "Financial fraud"

    claims = {a["value"]: a for a in event["Attribute"]}
    lumen = {t["name"] for t in claims[EVM]["Tag"]}
    assert {"tlp:green", 'hotpursuit:label="Lumen \\"hot\\" wallet"', 'hotpursuit:category="exchange"'} <= lumen
    assert claims[EVM]["to_ids"] is False and claims[BTC]["to_ids"] is True  # an exchange is never blocked blindly
    assert 'misp-galaxy:threat-actor="Lazarus Group"' in {t["name"] for t in claims[BTC]["Tag"]}


def test_manifest_and_hashes_are_what_misp_reads() -> None:
    feed = feed_of_sets([shared_set()])
    uuid = event_uuid("drill-heist")
    manifest = json.loads(feed.manifest_json())
    assert set(manifest) == {uuid}
    entry = manifest[uuid]
    assert entry["timestamp"] == int((OPENED + dt.timedelta(hours=1)).replace(tzinfo=dt.UTC).timestamp())
    assert {"Orgc", "Tag", "info", "date", "analysis", "threat_level_id"} <= set(entry)
    rows = [line.split(",") for line in feed.hashes_csv().decode().splitlines()]
    assert all(event == uuid for _, event in rows)
    assert hashlib.md5(EVM.encode()).hexdigest() in {h for h, _ in rows}
    assert hashlib.md5(BTC.encode()).hexdigest() in {h for h, _ in rows}


def test_same_facts_same_bytes_and_a_change_moves_the_timestamp() -> None:
    one, two = feed_of_sets([shared_set()]), feed_of_sets([shared_set()])
    uuid = event_uuid("drill-heist")
    assert one.event_json(uuid) == two.event_json(uuid) and one.manifest_json() == two.manifest_json()
    assert one.hashes_csv() == two.hashes_csv()
    later = shared_set()
    later.wallets[0] = replace(later.wallets[0], created=OPENED + dt.timedelta(hours=3))
    changed = feed_of_sets([later])
    assert json.loads(changed.manifest_json())[uuid]["timestamp"] > json.loads(one.manifest_json())[uuid]["timestamp"]


def test_tlp_levels_are_the_taxonomy_tags() -> None:
    for level, tag in (("CLEAR", "tlp:clear"), ("GREEN", "tlp:green"), ("AMBER+STRICT", "tlp:amber+strict"),
                       ("RED", "tlp:red")):
        event = json.loads(feed_of_sets([shared_set(level)]).event_json(event_uuid("drill-heist")))["Event"]
        assert event["Tag"][0]["name"] == tag
