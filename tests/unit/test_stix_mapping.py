"""The STIX 2.1 mapping: every object validates strictly (stix2-validator, nothing disabled), the stix2
library parses every object, and claims, incidents and wallets come back exactly; a partner's plain
indicator becomes a claim by its creator; TLP 1.0 markings read as their TLP 2.0 levels; a malformed object
is skipped with its reason and the others still read."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import stix2
from hypothesis import given, settings
from hypothesis import strategies as st
from stix2validator import ValidationOptions, validate_parsed_json

from hotpursuit.attribution.labels import CATEGORIES, LabelClaim
from hotpursuit.share.model import Actor, Org, SharedClaim, SharedIncident, SharedSet, SharedWallet, TaintedAmount
from hotpursuit.share.stix_mapping import (
    StixError,
    bundle,
    claims_from,
    incidents_from,
    pattern_wallet,
    tlp_of,
    to_stix,
    wallets_from,
)
from hotpursuit.share.stix_vocabulary import EXTENSION_SCHEMAS, TLP_MARKINGS, WALLET_EXTENSION

SCHEMAS = Path(__file__).parents[2] / "src/hotpursuit/share/schemas"
WHEN = dt.datetime(2025, 2, 21, 14, 13, 35, 123000)
ADDRESS = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2"
CLAIM = LabelClaim("ethereum", ADDRESS, "Bybit exploiter 2", "thief", "lazarusgroup", 90, "FBI PSA I-022625",
                   dt.date(2025, 2, 26), "GREEN", "kr-nis")
INCIDENT = SharedIncident("bybit-2025", "Bybit cold wallet drain", "ethereum", "open", "lazarusgroup", "AMBER",
                          "kr-nis", "0x1db92e2eebc8e0c075a02bea49a2935bcd2dfcf4", WHEN, True)
WALLET = SharedWallet("ethereum", ADDRESS, "bybit-2025", "haircut", 1,
                      (TaintedAmount("ETH", 401_346_770 * 10**15, 18, "ETH", 401_347 * 10**18),
                       TaintedAmount("0xae7ab96520de3a18e5e111b5eaab095312d7fe84", 90_375_547_917_680_000_000_000, 18,
                                     "stETH")),
                      WHEN, WHEN + dt.timedelta(hours=3), "pending", ("0x" + "ab" * 32,), "AMBER", "kr-nis", WHEN)


def _set(claims: list[LabelClaim]) -> SharedSet:
    return SharedSet({"kr-nis": Org("kr-nis", "National Intelligence Service")},
                     [SharedClaim(c, WHEN, c.asserted_by) for c in claims], [INCIDENT], [WALLET],
                     {"lazarusgroup": Actor("lazarusgroup", "Lazarus Group"),
                      "tradertraitor": Actor("tradertraitor", "TraderTraitor")})


def test_every_object_validates_strictly_and_parses() -> None:
    objects = to_stix(_set([CLAIM]), Org("hotpursuit", "hotpursuit"))
    result = validate_parsed_json(bundle(objects, "bundle--5d0c7b1e-3f2a-4e9d-8c6b-1a2f3e4d5c6b"),
                                  ValidationOptions(version="2.1", strict=True))
    assert result.is_valid, [str(e) for e in result.errors + result.warnings]
    assert not result.warnings
    for obj in objects:  # the stix2 library reads each (custom wallets as plain dicts)
        stix2.parse(obj, allow_custom=True)
    kinds = {o["type"] for o in objects}
    assert kinds >= {"marking-definition", "extension-definition", "identity", "threat-actor", "intrusion-set",
                     "incident", "cryptocurrency-wallet", "indicator", "relationship"}
    actors = {o["name"]: o for o in objects if o["type"] in ("threat-actor", "intrusion-set")}
    assert {"source_name": "misp-galaxy:threat-actor", "external_id": "68391641-859f-4a9a-9a1e-3e5cf71ec376"} in \
        actors["Lazarus Group"]["external_references"]
    assert actors["TraderTraitor"]["type"] == "intrusion-set"
    markings = {o["id"] for o in objects if o["type"] == "marking-definition"}
    assert markings == {TLP_MARKINGS[level] for level in ("CLEAR", "GREEN", "AMBER")}  # the official TLP 2.0 ids


def test_extensions_match_their_published_schemas() -> None:
    objects = to_stix(_set([CLAIM]), Org("hotpursuit", "hotpursuit"))
    schemas = {ext_id: json.loads((SCHEMAS / name).read_text()) for ext_id, (_, name, _) in EXTENSION_SCHEMAS.items()}
    checked = 0
    for obj in objects:
        for ext_id, ext in (obj.get("extensions") or {}).items():
            if ext_id in schemas and ext.get("extension_type") != "new-sco":
                jsonschema.validate(ext, schemas[ext_id])
                checked += 1
        if obj["type"] == "extension-definition":
            assert obj["version"] == obj["modified"]  # a timestamp: medallion reads `version` as one
    assert checked == 3  # wallet, claim, incident


def test_claims_incidents_and_wallets_come_back_exactly() -> None:
    objects = to_stix(_set([CLAIM]), Org("hotpursuit", "hotpursuit"))
    assert [c for _, c in claims_from(objects)] == [CLAIM]
    (_, incident), = incidents_from(objects)
    assert incident == INCIDENT
    (_, wallet), = wallets_from(objects)
    assert isinstance(wallet, SharedWallet)
    assert (wallet.tainted, wallet.hops, wallet.first_seen, wallet.last_seen, wallet.freeze_status,
            wallet.evidence_tx, wallet.tlp) == (WALLET.tainted, 1, WHEN, WALLET.last_seen, "pending",
                                                WALLET.evidence_tx, "AMBER")


def test_the_same_facts_give_the_same_objects() -> None:
    first = to_stix(_set([CLAIM]), Org("hotpursuit", "hotpursuit"))
    assert first == to_stix(_set([CLAIM, CLAIM]), Org("hotpursuit", "hotpursuit"))  # a claim stored twice is one


labels = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(label=labels, source=labels, category=st.sampled_from(CATEGORIES), confidence=st.integers(0, 100),
       tlp=st.sampled_from(list(TLP_MARKINGS)), day=st.one_of(st.none(), st.dates(dt.date(2009, 1, 3))),
       address=st.sampled_from([ADDRESS, "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "it's \\ odd"]))
def test_any_claim_round_trips(label: str, source: str, category: str, confidence: int, tlp: str,
                               day: dt.date | None, address: str) -> None:
    claim = LabelClaim("bitcoin" if address.startswith("bc1") else "ethereum", address, label, category, None,
                       confidence, source, day, tlp, "ex-hanbit")
    objects = to_stix(_set([claim]), Org("hotpursuit", "hotpursuit"))
    assert [c for _, c in claims_from(objects)] == [claim]
    ind = next(o for o in objects if o["type"] == "indicator")
    assert pattern_wallet(ind["pattern"]) == (claim.chain, address)


def test_a_partner_indicator_and_tlp_1_markings() -> None:
    creator = stix2.Identity(name="Europol EC3", identity_class="organization")
    ind = stix2.Indicator(pattern=f"[cryptocurrency-wallet:value = '{ADDRESS}']", pattern_type="stix",
                          name="mule wallet", labels=["thief"], confidence=70, created_by_ref=creator.id,
                          object_marking_refs=[stix2.TLP_AMBER], allow_custom=True)
    objects = [json.loads(creator.serialize()), json.loads(ind.serialize())]
    assert tlp_of(objects[1]) == "AMBER"
    assert list(claims_from(objects)) == []  # no chain named and none given: passed over
    (_, claim), = claims_from(objects, default_chain="ethereum")
    assert claim == LabelClaim("ethereum", ADDRESS, "mule wallet", "thief", None, 70, "stix", None, "AMBER",
                               "Europol EC3")


def test_a_malformed_object_is_skipped_with_its_reason() -> None:
    objects = to_stix(_set([CLAIM]), Org("hotpursuit", "hotpursuit"))
    broken = json.loads(json.dumps(objects))
    wallet = next(o for o in broken if o["type"] == "cryptocurrency-wallet")
    wallet["extensions"][WALLET_EXTENSION]["tainted"][0]["amount"] = "1.5e20"
    ind = next(o for o in broken if o["type"] == "indicator")
    broken.append({**ind, "id": "indicator--7f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "confidence": "high"})
    readings = [r for _, r in wallets_from(broken)]
    assert isinstance(readings[0], StixError) and "1.5e20" in str(readings[0])
    claims = [r for _, r in claims_from(broken)]
    assert claims[0] == CLAIM and isinstance(claims[1], StixError) and "confidence" in str(claims[1])
