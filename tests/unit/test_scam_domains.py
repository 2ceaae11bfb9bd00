"""Reported websites normalised to a host and matched against listed scam sites: exact, page, parent domain
(never above the registrable domain), Unicode look-alikes, and eth-phishing-detect's allowlist and fuzzylist
rules, checked against MetaMask's own detector (node, the pinned npm package) on its real config."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotpursuit.attribution.scam_domains import (
    DomainRules,
    Listing,
    entity_id,
    fuzzy_target,
    has_homoglyphs,
    is_allowed,
    parents,
    parse_site,
    site_matches,
    skeleton,
)
from hotpursuit.errors import InvalidInput

from ..conftest import REPO

DETECTOR = REPO / "tools" / "node" / "node_modules" / "eth-phishing-detect"
HANBIT = "hanbit-pro.exchange"


@pytest.mark.parametrize("text", [
    "https://www.Hanbit-Pro.exchange/login?x", "hanbit-pro.exchange", "HANBIT-PRO.EXCHANGE.",
    "hanbit-pro.exchange:8443",
    "http://user:pw@hanbit-pro.exchange:80/", "hxxps://hanbit-pro[.]exchange/", "//hanbit-pro.exchange",
    "  https://hanbit-pro.exchange\n", "ｈａｎｂｉｔ-ｐｒｏ.exchange",  # fullwidth letters: UTS #46 maps them
])
def test_every_way_of_writing_a_site_is_one_domain(text: str) -> None:
    assert parse_site(text).domain == HANBIT


def test_punycode_and_unicode_are_one_host_shown_as_people_read_it() -> None:
    cyrillic = parse_site("https://mуetherwallet.com/")  # Cyrillic у
    assert cyrillic.host == parse_site("xn--metherwallet-zhk.com").host == "xn--metherwallet-zhk.com"
    assert cyrillic.display == "mуetherwallet.com"
    assert skeleton(cyrillic.domain) == "myetherwallet.com" and has_homoglyphs(cyrillic.domain)
    assert not has_homoglyphs("myetherwallet.com") and not has_homoglyphs(parse_site("😀.la").domain)
    assert parse_site("walletsconnect\u00ad.net").host == "walletsconnect.net"  # a soft hyphen is invisible


def test_the_page_and_a_www_prefix() -> None:
    site = parse_site("https://www.Medium.com/@Fake/giveaway/?utm=1#top")
    assert (site.host, site.domain, site.path, site.query) == ("www.medium.com", "medium.com", "/@Fake/giveaway",
                                                               "utm=1")
    assert parse_site("www.netlify.app").domain == "www.netlify.app"  # `netlify.app` is a public suffix


@pytest.mark.parametrize(("text", "says"), [
    ("", "empty"), ("mailto:victim@example.com", "a mailto: address, not a website"),
    ("javascript:alert(1)", "a javascript: address"), ("ftp://files.example.com", "a ftp: address"),
    ("localhost", "not a domain name (no dot)"), ("https://https://docs.google.com/x", "'https' is not a domain name"),
    ("a..b.com", "not a valid host name"), ("http://-evil.com", "not a valid host name"),
    ("http://evil.com:99999", "bad port"), ("evil .com", "contains spaces"), ("x" * 3000, "longer than 2048"),
    ("http://", "no host name"), ("http://[::1/", "bad port or brackets"), ("evil.com\x00", "control characters"),
])
def test_bad_websites_are_refused_with_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(InvalidInput, match="website .*" + says.replace("(", r"\(").replace(")", r"\)")):
        parse_site(text)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), st.from_regex(r"(https?://)?[a-zA-Z0-9\u0400-\u04ff._:@\[\]/-]{1,40}",
                                                    fullmatch=True)))
def test_any_text_is_a_site_or_a_clear_error(text: str) -> None:
    try:
        site = parse_site(text)
    except InvalidInput as exc:
        assert str(exc).startswith("website ")
        return
    assert site.host.isascii() and site.host == site.host.lower() and not site.host.endswith(".")
    assert parse_site(site.host).host == site.host  # normalising twice changes nothing


def test_parents_stop_at_the_registrable_domain() -> None:
    assert parents("a.b.evil.co.uk") == ["a.b.evil.co.uk", "b.evil.co.uk", "evil.co.uk"]
    assert parents("drainer.netlify.app") == ["drainer.netlify.app"]
    assert parents("netlify.app") == ["netlify.app"]


def _listing(domain: str, kind: str = "phishing", path: str = "", source: str = "ScamSniffer") -> Listing:
    return Listing(entity_id(domain, path), domain, path, kind, source, "GPL-3.0")


def test_exact_parent_page_and_look_alike_matches_say_why() -> None:
    listed = [_listing(HANBIT, "fake_exchange", source="CryptoScamDB"), _listing("medium.com", "scam", "/@fake/give"),
              _listing("netlify.app"), _listing("drainer.netlify.app")]
    rules = DomainRules()

    def how(url: str) -> list[tuple[str | None, str, str]]:
        return [(m.entity, m.domain, m.how) for m in site_matches(parse_site(url), listed, rules)]

    assert how("https://www.hanbit-pro.exchange/login") == [(entity_id(HANBIT), HANBIT, "exact")]
    assert how("login.eu.hanbit-pro.exchange") == [(entity_id(HANBIT), HANBIT, "parent")]
    assert how("hаnbit-pro.exchange") == [(entity_id(HANBIT), HANBIT, "look-alike")]  # Cyrillic а
    assert how("https://medium.com/@fake/give/step-2") == [(entity_id("medium.com", "/@fake/give"), "medium.com",
                                                            "page")]
    assert how("medium.com") == how("medium.com/@fake/giveaway") == []  # the host itself is not listed
    assert how("x.drainer.netlify.app") == [(entity_id("drainer.netlify.app"), "drainer.netlify.app", "parent")]
    assert how("other.netlify.app") == []  # a listed public suffix never swallows its subdomains
    assert how("hanbit-pro.exchange.evil.com") == how("hanbitpro.exchange") == []
    [match] = site_matches(parse_site("login.hanbit-pro.exchange"), listed, rules)
    assert match.reason == "login.hanbit-pro.exchange is under hanbit-pro.exchange, listed by CryptoScamDB"


def test_an_allowed_site_never_matches_and_look_alikes_of_protected_sites_do() -> None:
    rules = DomainRules(allowed=frozenset({"metamask.io", "updog.co"}), fuzzy=(("metamask.io", "epd", 2),),
                        protected=(("metamask.io", "epd"),), licences=(("epd", "DBAD"),))
    listed = [_listing("binance.updog.co"), _listing("metarnask.io")]
    assert site_matches(parse_site("binance.updog.co"), listed, rules) == []
    assert site_matches(parse_site("app.metamask.io"), listed, rules) == []
    near = site_matches(parse_site("metarnask.io"), listed, rules)
    assert [(m.domain, m.how, m.licence) for m in near] == [("metarnask.io", "exact", "GPL-3.0"),
                                                           ("metamask.io", "look-alike", "DBAD")]
    assert near[1].entity is None and near[1].reason == ("metarnask.io is 2 edit(s) from metamask.io, a site "
                                                         "phishers imitate (epd)")
    homoglyph = site_matches(parse_site("metаmask.io"), [], rules)  # Cyrillic а
    assert [(m.domain, m.how) for m in homoglyph] == [("metamask.io", "look-alike")]
    assert "Unicode look-alike letters" in homoglyph[0].reason
    assert site_matches(parse_site("metamask-wallet.io"), [], rules) == []  # 7 edits away


@pytest.fixture(scope="module")
def config() -> dict[str, object]:
    return dict(json.loads((DETECTOR / "src" / "config.json").read_text()))


def _mutations(domain: str, rng: random.Random) -> list[str]:
    name, _, tld = domain.rpartition(".")
    letters = "abcdefghijklmnopqrstuvwxyz0123456789-"
    out = [f"www.{domain}", f"{name}.xyz", f"login.{domain}", f"{name}-wallet.{tld}", f"www.{name}.org"]
    for _ in range(12):
        chars = list(name)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(chars))
            op = rng.choice("ids")
            if op == "i":
                chars.insert(i, rng.choice(letters))
            elif op == "d" and len(chars) > 2:
                del chars[i]
            else:
                chars[i] = rng.choice(letters)
        mutated = "".join(chars).strip(".-")
        if mutated and ".." not in mutated:
            out.append(f"{mutated}.{rng.choice([tld, 'com', 'io', 'net'])}")
    return out


@pytest.mark.skipif(shutil.which("node") is None or not DETECTOR.is_dir(),
                    reason="needs node and tools/node/node_modules/eth-phishing-detect (make tools)")
def test_allowlist_and_fuzzylist_rules_agree_with_metamasks_detector(config: dict[str, object], tmp_path: Path) -> None:
    rng = random.Random(19)
    whitelist = [str(d) for d in config["whitelist"]]  # type: ignore[attr-defined]
    fuzzylist = [str(d) for d in config["fuzzylist"]]  # type: ignore[attr-defined]
    hosts = [h for d in fuzzylist for h in _mutations(d, rng)]
    hosts += rng.sample(whitelist, 200) + [f"app.{d}" for d in rng.sample(whitelist, 50)]
    hosts += [h for d in rng.sample(whitelist, 40) for h in _mutations(d, rng)[:4]]
    hosts = sorted({parse_site(h).host for h in hosts})
    script = tmp_path / "check.js"
    script.write_text("const D = require(process.argv[2]); const c = require(process.argv[3]);\n"
                      "const d = new D(c); const hosts = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
                      "console.log(JSON.stringify(hosts.map(h => d.check(h))));\n")
    answer = subprocess.run(["node", str(script), str(DETECTOR / "src" / "detector.js"),
                             str(DETECTOR / "src" / "config.json")], input=json.dumps(hosts), capture_output=True,
                            text=True, check=True, timeout=120)
    reference = json.loads(answer.stdout)
    allowed = frozenset(parse_site(d).host for d in whitelist)
    blacklist = {str(d) for d in config["blacklist"]}  # type: ignore[attr-defined]
    fuzzy = tuple((d, "eth-phishing-detect", int(config["tolerance"])) for d in fuzzylist)  # type: ignore[call-overload]
    kinds = {"whitelist": 0, "fuzzy": 0, "all": 0}
    for host, ref in zip(hosts, reference, strict=True):
        labels = host.split(".")
        if any(".".join(labels[i:]) in blacklist for i in range(len(labels))):
            continue  # the blacklist is matched by listings (tests of the importer)
        assert is_allowed(host, allowed) == (ref["type"] == "whitelist"), (host, ref)
        if ref["type"] != "whitelist":
            mine = fuzzy_target(host, fuzzy)
            assert (mine[0] if mine else None) == ref.get("match"), (host, ref)
        kinds[ref["type"]] += 1
    assert min(kinds.values()) >= 40, kinds  # each rule was exercised
