"""The public scam lists as they are: ScamSniffer, CryptoScamDB and eth-phishing-detect parsed into sites,
addresses and claims, each with its licence; malformed entries skipped with a reason, never a crash."""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hotpursuit.attribution.scam_domains import is_allowed, parse_site
from hotpursuit.attribution.scam_lists import (
    Provenance,
    darklist_source,
    parse_cryptoscamdb,
    parse_eth_phishing_detect,
    parse_scamsniffer,
)
from hotpursuit.chains.address_codec import normalize_address
from hotpursuit.errors import ImportFileError

from ..conftest import REPO, SHARED_DATA

LISTS = SHARED_DATA / "scam-lists"
SCAMSNIFFER = REPO / "data" / "labels" / "scam-lists" / "scamsniffer"  # the shipped copy
EPD_CONFIG = REPO / "tools" / "node" / "node_modules" / "eth-phishing-detect" / "src" / "config.json"
WHO = Provenance("hotpursuit", "CLEAR", date(2026, 1, 2))


@pytest.fixture(scope="module")
def urls_yaml() -> str:
    return (LISTS / "cryptoscamdb" / "urls.yaml").read_text()


def test_the_shipped_scamsniffer_copy_is_the_shared_one() -> None:
    for name in ("combined.json", "address.json", "LICENSE.upstream"):
        assert (SCAMSNIFFER / name).read_bytes() == (LISTS / "scamsniffer" / name).read_bytes()


def test_scamsniffer_sites_addresses_and_one_claim_per_address() -> None:
    combined_text = (SCAMSNIFFER / "combined.json").read_text()
    combined: dict[str, list[str]] = json.loads(combined_text)
    alone: list[str] = json.loads((SCAMSNIFFER / "address.json").read_text())
    result = parse_scamsniffer(combined_text, json.dumps(alone), version="commit x", who=WHO)
    assert (result.source.name, result.source.licence, result.source.redistributable) == \
        ("ScamSniffer", "GPL-3.0", True)
    # www.x and x are one site; the one empty key is skipped with the reason
    assert {e.domain for e in result.entities} == {k.lower().removeprefix("www.") for k in combined if k}
    assert result.skipped == ["combined.json: '': empty"]
    every = {a for addresses in combined.values() for a in addresses} | set(alone)
    assert sorted(c.address for c in result.claims) == sorted(every)  # each address claimed once
    assert {(c.category, c.confidence, c.tlp, c.asserted_by) for c in result.claims} == {("scam", 50, "CLEAR",
                                                                                          "hotpursuit")}
    busiest = "0xc75269b342c1b7f4cbb82e80a7986878ac0f545b"
    sites = {k.lower().removeprefix("www.") for k, v in combined.items() if busiest in v}
    [claim] = [c for c in result.claims if c.address == busiest]
    assert claim.label.endswith(f" and {len(sites) - 1} more sites (ScamSniffer)") and len(sites) == 378
    only_listed = next(a for a in alone if a not in {x for v in combined.values() for x in v})
    assert [c.label for c in result.claims if c.address == only_listed] == \
        ["phishing (drainer) address (ScamSniffer)"]
    degen = next(e for e in result.entities if e.domain == "degenalgo.art")
    assert degen.kind == "phishing" and degen.first_seen == WHO.seen and set(degen.addresses) == {
        ("ethereum", "0x3da02e1f29bcbed185eca0d3299efd46e6e7e155"),
        ("ethereum", "0x398e98b7c19db2f5df086eb4f83624146aa1ab53")}


def test_cryptoscamdb_fake_exchanges_pages_and_what_is_skipped(urls_yaml: str) -> None:
    entries = yaml.safe_load(urls_yaml)
    result = parse_cryptoscamdb(urls_yaml, version="sha256 x", who=WHO)
    assert (result.source.licence, result.source.redistributable) == ("none stated", False)
    exchanges = {e.domain for e in result.entities if e.kind == "fake_exchange"}
    listed = {parse_site(e["url"]).domain for e in entries if e.get("subcategory") == "Exchange"}
    assert exchanges == listed and len(exchanges) > 250
    pro = next(e for e in result.entities if e.domain == "ethereumpro.net")
    assert (pro.kind, pro.addresses) == ("fake_exchange", (("ethereum", "0xba6f1e885c5a9b97e4a0eb81a5146ea49f53d5c4"),))
    assert [c.label for c in result.claims if c.address == "0xba6f1e885c5a9b97e4a0eb81a5146ea49f53d5c4"] == \
        ["fake exchange ethereumpro.net (CryptoScamDB)"]
    # a giveaway on a shared host is that page, never the host
    assert not any(e.domain in ("medium.com", "docs.google.com", "telegra.ph") and not e.path for e in result.entities)
    assert any(e.domain == "medium.com" and e.path.startswith("/@zachm81z12/") for e in result.entities)
    assert "urls.yaml: 'http://telegra.ph': a shared host (the list names pages on it)" in "\n".join(result.skipped)
    assert [c.label for c in result.claims if c.address == "0x5f58fe612db5b3e97faf4a2e8f38b4ae295288aa"] == \
        ["scam address (CryptoScamDB)"]  # the giveaway's address, from the entry naming telegra.ph
    skipped = "\n".join(result.skipped)
    assert "('mailto:nsdmilea@gmail.com'): a mailto: address, not a website" in skipped
    assert "'https' is not a domain name (no dot)" in skipped
    assert "('akswapweb.com'): '0x9cbb3edecdf8649f653ffe492d65bd777f4bc4f01' is not a valid ethereum address" in skipped
    assert any(e.domain == "akswapweb.com" for e in result.entities)  # the site is kept without the bad address
    assert "XRP address(es) not imported (no XRP codec here)" in skipped
    eth = {normalize_address("ethereum", a) for e in entries for a in (e.get("addresses") or {}).get("ETH", [])}
    btc = {normalize_address("bitcoin", a) for e in entries for a in (e.get("addresses") or {}).get("BTC", [])}
    claimed = {(c.chain, c.address) for c in result.claims}
    assert claimed == {("ethereum", a) for a in eth if a} | {("bitcoin", a) for a in btc if a}
    assert {c.confidence for c in result.claims} == {20}  # community reports: web_crawl


def test_cryptoscamdb_merges_entries_of_one_site_and_survives_odd_ones() -> None:
    text = yaml.safe_dump([
        {"name": "x", "url": "https://www.hanbit-pro.exchange/", "category": "Phishing",
         "addresses": {"ETH": ["0x" + "11" * 20]}},
        {"name": "x", "url": "http://hanbit-pro.exchange", "category": "'Scamming'", "subcategory": '"Exchange"',
         "addresses": {"ETH": "0x" + "22" * 20, "XRP": ["rx"]}},
        "just a string", {"name": "y", "url": "spam.example", "category": "Spam"}, {"name": "z", "category": None},
        {"name": "w", "url": "https://evil.example", "category": "Phishing", "addresses": ["0x" + "33" * 20]},
    ])
    result = parse_cryptoscamdb(text, version="v", who=WHO)
    [evil, site] = result.entities
    assert (site.domain, site.kind) == ("hanbit-pro.exchange", "fake_exchange")
    assert site.addresses == (("ethereum", "0x" + "11" * 20), ("ethereum", "0x" + "22" * 20))
    assert evil.addresses == ()
    assert result.skipped == [
        "urls.yaml entry 2 ('x'): 1 XRP address(es) not imported (no XRP codec here)",
        "urls.yaml entry 3: not an entry with name, url and category",
        "urls.yaml entry 4 ('y'): category 'Spam' is not one of hacked, malware, phishing, scamming",
        "urls.yaml entry 5 ('z'): category '' is not one of hacked, malware, phishing, scamming",
        "urls.yaml entry 6 ('w'): addresses are not a currency -> list table, site kept without them"]
    assert [c.label for c in result.claims] == ["fake exchange hanbit-pro.exchange (CryptoScamDB)"] * 2


def test_eth_phishing_detect_blacklist_whitelist_and_fuzzylist() -> None:
    config = json.loads(EPD_CONFIG.read_text())
    result = parse_eth_phishing_detect(EPD_CONFIG.read_text(), version="1.2.0", who=WHO)
    assert (result.source.name, result.source.licence, result.source.redistributable, result.source.version) == \
        ("eth-phishing-detect", "DBAD", True, "1.2.0")
    assert result.claims == [] and result.addresses == 0
    no_dot = [d for d in config["blacklist"] if "." not in d]
    assert result.skipped == [f"config.json blacklist {d!r}: {d!r} is not a domain name (no dot)" for d in no_dot]
    domains = {e.domain for e in result.entities}
    assert domains == {parse_site(d).domain for d in config["blacklist"] if "." in d}
    assert all(is_allowed(d, result.rules.allowed) for d in config["whitelist"])
    assert [d for d, _, _ in result.rules.fuzzy] == config["fuzzylist"]
    assert {t for _, _, t in result.rules.fuzzy} == {config["tolerance"]}


def test_the_darklist_keeps_its_licence() -> None:
    source = darklist_source("v1")
    assert (source.name, source.licence, source.redistributable) == ("MyEtherWallet darklist", "MIT", True)


@pytest.mark.parametrize(("parse", "text", "says"), [
    (lambda t: parse_scamsniffer(t, None, version="v", who=WHO), "{not json", "combined.json:1: .*malformed JSON"),
    (lambda t: parse_scamsniffer(t, None, version="v", who=WHO), "[1, 2]", "want an object"),
    (lambda t: parse_scamsniffer(None, t, version="v", who=WHO), "{}", "want an array of addresses"),
    (lambda t: parse_cryptoscamdb(t, version="v", who=WHO), "- a: [b\n- c",
     "urls.yaml:3: column 'column 1': malformed YAML"),
    (lambda t: parse_cryptoscamdb(t, version="v", who=WHO), "a: b", "want a list of entries"),
    (lambda t: parse_eth_phishing_detect(t, version="v", who=WHO), '{"whitelist": []}', "blacklist"),
    (lambda t: parse_eth_phishing_detect(t, version="v", who=WHO), '{"blacklist": [], "tolerance": -1}',
     "'tolerance': -1 is not a whole number"),
])
def test_a_list_that_is_not_one_is_refused_with_where(parse: object, text: str, says: str) -> None:
    with pytest.raises(ImportFileError, match=says):
        parse(text)  # type: ignore[operator]


VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                  max_size=4), max_leaves=12)
ENTRY = st.fixed_dictionaries({}, optional={
    "name": VALUES, "url": st.one_of(VALUES, st.sampled_from(["https://x.example/a", "mailto:a@b", "evil.xyz"])),
    "category": st.one_of(VALUES, st.sampled_from(["Phishing", "'Scamming'", "Malware"])),
    "subcategory": st.one_of(VALUES, st.just("Exchange")),
    "addresses": st.one_of(VALUES, st.dictionaries(st.sampled_from(["ETH", "BTC", "XRP", "eth"]),
                                                   st.one_of(VALUES, st.lists(st.text(max_size=44)))))})


@settings(max_examples=150, deadline=None)
@given(entries=st.lists(st.one_of(ENTRY, VALUES), max_size=6), table=st.dictionaries(st.text(max_size=30), VALUES,
                                                                                       max_size=5))
def test_odd_entries_are_skipped_with_a_reason_never_dropped_silently(entries: list[object],
                                                                      table: dict[str, object]) -> None:
    csdb = parse_cryptoscamdb(yaml.safe_dump(entries), version="v", who=WHO)
    sites = {(e.domain, e.path) for e in csdb.entities}
    for number, entry in enumerate(entries, start=1):
        said = any(line.startswith(f"urls.yaml entry {number}:") or line.startswith(f"urls.yaml entry {number} (")
                   for line in csdb.skipped)
        if not said:
            site = parse_site(str(entry["url"]))  # type: ignore[index]
            assert (site.domain, site.page) in sites, entry
    sniffer = parse_scamsniffer(json.dumps(table), None, version="v", who=WHO)
    for key in table:
        assert any(line.startswith(f"combined.json: {key!r}") for line in sniffer.skipped) or \
            parse_site(key).domain in {e.domain for e in sniffer.entities}
    epd = parse_eth_phishing_detect(json.dumps({"blacklist": list(table)}), version="v", who=WHO)
    assert len(epd.entities) == len({e.domain for e in sniffer.entities})
