"""Scam sites as entities on real lists in a real store: ScamSniffer (shipped), CryptoScamDB (shared data, no
licence) and MetaMask's eth-phishing-detect (the pinned npm package) imported with `hotpursuit labels import`
(twice: nothing changes); reported websites matched; a fake exchange recorded from victims' reports; the
screening API answering `scam` with the sites; and the licences enforced on what partners receive."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from hotpursuit.api.app import create_app
from hotpursuit.api.background import serve_in_thread
from hotpursuit.attribution.scam_domains import entity_id
from hotpursuit.cli import app
from hotpursuit.errors import InvalidInput
from hotpursuit.share.misp_feed import event_uuid, feed_of_sets
from hotpursuit.share.model import SharedIncident, SharedWallet, TaintedAmount
from hotpursuit.share.publisher import Publisher
from hotpursuit.share.stix_export import marked_collection, shared_set
from hotpursuit.store import Store
from hotpursuit.store.org_tables import add_org, create_key
from hotpursuit.store.scam_entity_tables import (
    entities_for_address,
    list_source_licences,
    match_site,
    record_entity,
)
from hotpursuit.store.share_reads import own_claims

from ..conftest import REPO, SHARED_DATA

SCAMSNIFFER = REPO / "data" / "labels" / "scam-lists" / "scamsniffer"
CRYPTOSCAMDB = SHARED_DATA / "scam-lists" / "cryptoscamdb" / "urls.yaml"
EPD = REPO / "tools" / "node" / "node_modules" / "eth-phishing-detect"
SNIFFED = "0x6f777797d9c60ae334fc4561b0c931fa9f442395"  # on centralizedweb3exchange.pro, per ScamSniffer only
SNIFFED_SITE = "centralizedweb3exchange.pro"
FAKE_EXCHANGE = "0xba6f1e885c5a9b97e4a0eb81a5146ea49f53d5c4"  # ethereumpro.net's, per CryptoScamDB only
REPORTED = "0x" + "7e" * 20  # handed out by hanbit-pro.exchange, per a victim's report
TABLES = {"scam_entities": "id, source, org", "scam_entity_addresses": "entity, chain, address, source",
          "scam_list_rules": "source, position", "list_sources": "name",
          "labels": "import_key, chain, address, label"}
runner = CliRunner()

pytestmark = pytest.mark.skipif(not EPD.is_dir(), reason="needs tools/node/node_modules/eth-phishing-detect "
                                                         "(make tools)")


def _import(kind: str, path: Path, db: Path) -> dict[str, object]:
    result = runner.invoke(app, ["labels", "import", kind, str(path), "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def _snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with Store.open(db) as store:
        return {table: store.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
                for table, order in TABLES.items()}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the three real lists, imported once (each test works on its own copy)."""
    db = tmp_path_factory.mktemp("lists") / "lists.duckdb"
    for kind, path in (("scamsniffer", SCAMSNIFFER), ("cryptoscamdb", CRYPTOSCAMDB), ("eth-phishing-detect", EPD)):
        _import(kind, path, db)
    return db


@pytest.fixture
def db(imported: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store.duckdb"
    shutil.copy(imported, copy)
    return copy


def test_the_lists_import_with_counts_and_a_second_import_changes_nothing(db: Path) -> None:
    before = _snapshot(db)
    reports = {kind: _import(kind, path, db) for kind, path in
               (("scamsniffer", SCAMSNIFFER), ("cryptoscamdb", CRYPTOSCAMDB), ("eth-phishing-detect", EPD))}
    assert _snapshot(db) == before  # rows, first-seen dates, claim times, import times: all as they were
    sniffer, csdb, epd = reports["scamsniffer"], reports["cryptoscamdb"], reports["eth-phishing-detect"]
    assert (sniffer["entities"], sniffer["entity_addresses"], sniffer["claims"], len(sniffer["skipped"])) == \
        (2286, 2772, 2612, 1)  # type: ignore[arg-type]
    assert sniffer["version"] == "commit 750005582359f99a2ef2b2133daca27926e5c661"  # from the shipped PROVENANCE
    assert (csdb["licence"], csdb["redistributable"]) == ("none stated", False)
    assert (epd["version"], epd["licence"], epd["entity_addresses"], epd["claims"]) == ("1.2.0", "DBAD", 0, 0)
    with Store.open(db) as store:
        counts = {t: store.execute(f"SELECT count(*) FROM {t}").fetchone() for t in ("scam_entities", "labels")}
        assert counts["scam_entities"] == (sniffer["entities"] + csdb["entities"] + epd["entities"],)
        assert counts["labels"] == (sniffer["claims"] + csdb["claims"],)
        licences = list_source_licences(store)
    assert {n: (s.licence, s.redistributable) for n, s in licences.items()} == {
        "CryptoScamDB": ("none stated", False), "ScamSniffer": ("GPL-3.0", True), "eth-phishing-detect": ("DBAD", True)}
    text = runner.invoke(app, ["labels", "import", "scamsniffer", str(SCAMSNIFFER), "--db", str(db)])
    assert "2,286 sites, 2,772 site addresses, 2,612 address claims stored; 1 entries skipped" in \
        " ".join(text.output.split())


def test_reported_websites_match_with_why_and_the_licence(db: Path) -> None:
    with Store.open(db) as store:
        found = match_site(store, "https://www.EthereumPro.net/signup?ref=victim")
        assert [(m.domain, m.kind, m.how, m.source, m.licence) for m in found] == [
            ("ethereumpro.net", "fake_exchange", "exact", "CryptoScamDB", "none stated"),
            ("ethereumpro.net", "phishing", "exact", "eth-phishing-detect", "DBAD")]
        assert found[0].entity == found[1].entity == entity_id("ethereumpro.net")
        [under] = match_site(store, "mint.degenalgo.art")
        assert (under.how, under.source, under.licence) == ("parent", "ScamSniffer", "GPL-3.0")
        assert match_site(store, "https://metamask.io/download") == []
        assert match_site(store, "binance.updog.co") == []  # listed by CryptoScamDB, but updog.co is whitelisted
        lookalike = match_site(store, "metamаsk.io")  # Cyrillic а
        assert ("metamask.io", "look-alike", "eth-phishing-detect") in [(m.domain, m.how, m.source) for m in lookalike]
        with pytest.raises(InvalidInput, match="a mailto: address, not a website"):
            match_site(store, "mailto:support@ethereumpro.net")
    shown = runner.invoke(app, ["labels", "site", "https://ethereumpro.net", "--db", str(db), "--format", "json"])
    assert shown.exit_code == 0 and [m["source"] for m in json.loads(shown.output)["matches"]] == \
        ["CryptoScamDB", "eth-phishing-detect"]
    bad = runner.invoke(app, ["labels", "site", "http://evil.com:99999", "--db", str(db)])
    assert bad.exit_code == 1 and "bad port" in bad.output and "Traceback" not in bad.output


def test_a_fake_exchange_from_reports_is_one_entity_with_merged_addresses(db: Path) -> None:
    with Store.open(db) as store:
        first = record_entity(store, "https://www.Hanbit-Pro.exchange/deposit", "fake_exchange",
                              first_seen=dt.date(2025, 3, 2), source="victim reports", org="kr-nis", tlp="RED",
                              addresses=[("ethereum", REPORTED)])
        again = record_entity(store, "hanbit-pro.exchange", "fake_exchange", first_seen=dt.date(2025, 2, 27),
                              source="victim reports", org="kr-nis", tlp="AMBER",
                              addresses=[("ethereum", REPORTED.upper().replace("0X", "0x")), ("ethereum", SNIFFED)])
        assert first == again == entity_id("hanbit-pro.exchange")
        assert store.execute("SELECT first_seen, tlp FROM scam_entities WHERE id = ?", [first]).fetchall() == \
            [(dt.date(2025, 2, 27), "RED")]  # the earliest date, the stricter TLP
        assert store.execute("SELECT count(*) FROM scam_entity_addresses WHERE entity = ?", [first]).fetchone() == (2,)
        refs = entities_for_address(store, "ethereum", SNIFFED.upper().replace("0X", "0x"))
        assert [(r.domain, r.source, r.licence) for r in refs] == [(SNIFFED_SITE, "ScamSniffer", "GPL-3.0"),
                                                                   ("hanbit-pro.exchange", "victim reports", None)]
        # the same site named by a list and by reports is one entity
        listed = record_entity(store, "ethereumpro.net", "fake_exchange", first_seen=dt.date(2025, 1, 1),
                               source="victim reports", org="kr-nis", tlp="GREEN", addresses=[])
        assert listed == match_site(store, "ethereumpro.net")[0].entity
        for call, says in ((lambda: record_entity(store, "hanbit-pro.exchange", "casino", first_seen=dt.date.today(),
                                                  source="r", org="o", tlp="RED", addresses=[]), "kind 'casino'"),
                           (lambda: record_entity(store, "hanbit-pro.exchange", "scam", first_seen=dt.date.today(),
                                                  source="r", org="o", tlp="PURPLE", addresses=[]), "tlp 'PURPLE'"),
                           (lambda: record_entity(store, "hanbit-pro.exchange", "scam", first_seen=dt.date.today(),
                                                  source="r", org="o", tlp="RED", addresses=[("ethereum", "0x12")]),
                            "0x12"),
                           (lambda: record_entity(store, "localhost", "scam", first_seen=dt.date.today(), source="r",
                                                  org="o", tlp="RED", addresses=[]), "no dot")):
            with pytest.raises(InvalidInput, match=says):
                call()


@pytest.fixture
def server(db: Path) -> Iterator[tuple[str, dict[str, str], Store]]:
    with Store.open(db) as store:
        add_org(store, "kr-nis", "National Intelligence Service", "agency", "KR", "task-force")
        add_org(store, "ex-hanbit", "Hanbit Exchange", "exchange", "KR", "task-force")
        record_entity(store, "hanbit-pro.exchange", "fake_exchange", first_seen=dt.date(2025, 2, 27),
                      source="victim reports", org="kr-nis", tlp="RED", addresses=[("ethereum", REPORTED)])
        keys = {"agency": create_key(store, "kr-nis", ["screen"], 1)[1],
                "exchange": create_key(store, "ex-hanbit", ["screen"], 1)[1]}
        with serve_in_thread(create_app(store)) as base:
            yield base, keys, store


def test_screening_answers_scam_with_the_sites_through_the_api(server: tuple[str, dict[str, str], Store]) -> None:
    base, keys, _ = server
    exchange = httpx.Client(base_url=base, headers={"X-API-Key": keys["exchange"]}, timeout=30)
    agency = httpx.Client(base_url=base, headers={"X-API-Key": keys["agency"]}, timeout=30)
    listed = exchange.get(f"/v1/screen/ethereum/{FAKE_EXCHANGE}").json()
    assert "scam" in listed["categories"] and listed["risk"] == "low"  # a community list, web-crawl confidence
    assert [(e["domain"], e["kind"], e["source"], e["path"]) for e in listed["entities"]] == \
        [("ethereumpro.net", "fake_exchange", "CryptoScamDB", None)]
    assert [c["label"] for c in listed["direct"]] == ["fake exchange ethereumpro.net (CryptoScamDB)"]
    assert "scam: handed out by fake exchange ethereumpro.net (CryptoScamDB)" in listed["reasons"]
    sniffed = exchange.get(f"/v1/screen/ethereum/{SNIFFED}").json()
    assert (sniffed["risk"], sniffed["score"]) == ("medium", 35)  # ScamSniffer: a trusted provider
    assert [e["domain"] for e in sniffed["entities"]] == [SNIFFED_SITE]
    busiest = exchange.get("/v1/screen/ethereum/0xc75269b342c1b7f4cbb82e80a7986878ac0f545b").json()
    assert len(busiest["entities"]) == 20 and any(r.endswith(" and 375 more") for r in busiest["reasons"])
    # a site from a TLP:RED report: its owner sees it, the exchange only that something is withheld
    mine = agency.get(f"/v1/screen/ethereum/{REPORTED}").json()
    assert (mine["categories"], mine["risk"], [e["source"] for e in mine["entities"]]) == \
        (["scam"], "medium", ["victim reports"])
    hidden = exchange.get(f"/v1/screen/ethereum/{REPORTED}").json()
    assert (hidden["entities"], hidden["categories"], hidden["withheld"]) == ([], [], 1)
    batch = agency.post("/v1/screen/batch", json={"chain": "ethereum", "addresses": [REPORTED, FAKE_EXCHANGE]}).json()
    assert {f["address"]: f["categories"] for f in batch["flagged"]} == {REPORTED: ["scam"], FAKE_EXCHANGE: ["scam"]}
    schema = exchange.get("/openapi.json").json()["components"]["schemas"]
    assert "entities" in schema["ScreeningOut"]["properties"] and "domain" in schema["ScamSite"]["properties"]


def test_a_list_that_may_not_be_passed_on_is_used_here_and_never_published(db: Path) -> None:
    with Store.open(db) as store:
        stix = [m.object for m in marked_collection(store, "labels")]
        indicators = {o["extensions"][next(iter(o["extensions"]))]["address"]: o for o in stix
                      if o["type"] == "indicator"}
        assert SNIFFED in indicators and FAKE_EXCHANGE not in indicators
        assert {i["external_references"][0]["source_name"] for i in indicators.values()} == {"ScamSniffer"}
        # the MISP feed: an incident whose loot reached both addresses carries only the claim it may pass on
        opened = dt.datetime(2025, 3, 1)
        incident = SharedIncident("scam-ring", "Hanbit-Pro ring", "ethereum", "open", None, "CLEAR", None, None,
                                  opened)
        wallets = [SharedWallet("ethereum", a, "scam-ring", "haircut", 1, (TaintedAmount("ETH", 10**18, 18, "ETH"),),
                                None, None, None, (), "CLEAR", None, opened) for a in (SNIFFED, FAKE_EXCHANGE)]
        claims = [c for c in own_claims(store) if c.claim.address in (SNIFFED, FAKE_EXCHANGE)]
        feed = feed_of_sets([shared_set(store, claims, [incident], wallets)])
        event = json.loads(feed.event_json(event_uuid("scam-ring")))["Event"]
        comments = [a["comment"] for a in event["Attribute"]]
        assert comments == [f"phishing site {SNIFFED_SITE} (ScamSniffer) (scam), according to ScamSniffer, "
                            "asserted by hotpursuit"]
        assert "CryptoScamDB" not in json.dumps(event)
        # publishing the collections twice: an unchanged list adds nothing the second time
        assert Publisher().run(store)["labels"] > 0
        assert Publisher().run(store)["labels"] == 0


def test_a_darklist_is_kept_with_mits_licence_and_other_shapes_are_refused(tmp_path: Path) -> None:
    darklist = tmp_path / "darklist.json"
    darklist.write_text(json.dumps([{"address": FAKE_EXCHANGE, "comment": "Fake exchange deposit", "date": "2019"},
                                    {"address": "0xnot-an-address", "comment": "typo", "date": ""}]))
    db = tmp_path / "dark.duckdb"
    report = _import("mew-darklist", darklist, db)
    assert (report["source"], report["licence"], report["redistributable"], report["claims"]) == \
        ("MyEtherWallet darklist", "MIT", True, 1)
    assert report["skipped"] == ["darklist.json:2: '0xnot-an-address' is not a valid ethereum address"]
    with Store.open(db) as store:
        assert [c.claim.label for c in own_claims(store)] == ["Fake exchange deposit"]  # MIT: may be passed on
    for text, says in (('[{"address": 5}, "x"]', "entry 2: 'x' is not an object"),
                       (f"{FAKE_EXCHANGE}  # plain text", "not MyEtherWallet's darklist"),
                       ('{"address": "x"}', "not MyEtherWallet's darklist")):
        darklist.write_text(text)
        result = runner.invoke(app, ["labels", "import", "mew-darklist", str(darklist), "--db", str(db)])
        assert result.exit_code == 1 and says in result.output and result.exception is not None and \
            isinstance(result.exception, SystemExit), result.output
