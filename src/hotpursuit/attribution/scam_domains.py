"""Websites in reports and scam lists: a reported address (`https://www.Hanbit-Pro.exchange:443/login?x`,
`hxxps://hanbit-pro[.]exchange`, Unicode or punycode) normalised to a host, and matched against listed sites.

A match says why: the host is listed (`exact`), it is under a listed domain (`parent`: `login.evil.xyz` under
`evil.xyz`, never above the registrable domain of the Public Suffix List, so a listing can never swallow
`netlify.app`), the page is listed (`page`: a listing of `medium.com/@fake-giveaway` matches that page only), or
it is a `look-alike`: Unicode homoglyphs of a listed or protected domain (the same `confusables` skeleton), or
eth-phishing-detect's fuzzylist rule (Levenshtein distance, TLD and first `www.` left out, at most the list's
tolerance, to a domain phishers imitate). A host on an allowlist (eth-phishing-detect's whitelist: the domain
or any parent) never matches. Pure: the caller hands over the listings and rules.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from urllib.parse import unquote, urlsplit

import confusables
import idna
from publicsuffixlist import PublicSuffixList
from rapidfuzz.distance import Levenshtein

from hotpursuit.errors import InvalidInput

MAX_SITE_LENGTH = 2048
_ASCII_HOST = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*")
_OTHER_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+-]*):(?!\d)")  # mailto:, javascript:, data: (not a port)
_DEFANGED = (("[.]", "."), ("(.)", "."), ("{.}", "."), ("[dot]", "."), ("[:]", ":"))
HOW_ORDER = ("exact", "page", "parent", "look-alike")
MAX_LOOKALIKES = 5  # homoglyph variants of one listed site: a few name it, hundreds would bury the answer


@dataclass(frozen=True, slots=True)
class Site:
    """A reported website as hotpursuit compares it.

    `host`: lower-case ASCII (punycode), no port, no trailing dot; `domain`: the host without a leading `www.`
    (what listings are keyed by); `display`: the host as people read it (Unicode); `path`: the path, no
    trailing slash ('' for the site itself)."""

    host: str
    domain: str
    display: str
    path: str = ""
    is_ip: bool = False
    query: str = ""

    @property
    def page(self) -> str:
        """The path with its query, if any (how a listing names a page)."""
        return self.path + ("?" + self.query if self.query else "")


@dataclass(frozen=True, slots=True)
class Listing:
    """A site one source lists: an entity (its id), the listed domain and page path ('' for the whole site)."""

    entity: str
    domain: str
    path: str
    kind: str
    source: str
    licence: str


@dataclass(frozen=True, slots=True)
class DomainRules:
    """What a list says beyond its listings: domains never to flag (`allowed`), and domains phishers imitate
    (`fuzzy`: (domain, source, tolerance)), which look-alikes of are flagged."""

    allowed: frozenset[str] = frozenset()
    fuzzy: tuple[tuple[str, str, int], ...] = ()
    protected: tuple[tuple[str, str], ...] = ()  # (domain, source): allowed or fuzzy, for homoglyph look-alikes
    licences: tuple[tuple[str, str], ...] = ()  # (source, licence) of the sources of `fuzzy` and `protected`


@dataclass(frozen=True, slots=True)
class SiteMatch:
    """One reason a reported site is a scam site: the entity (None for a look-alike of a protected domain,
    which is no listed site), the listed or imitated domain, the kind, how it matched and why."""

    entity: str | None
    domain: str
    kind: str
    how: str
    source: str
    licence: str
    reason: str = field(default="", compare=False)


@cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()  # the list bundled with the package: nothing is fetched


def entity_id(domain: str, path: str = "") -> str:
    """The id of the scam site `domain` (and page `path`): the same wherever and whenever it is recorded."""
    key = domain + path
    return "site--" + hashlib.sha256(key.encode()).hexdigest()[:24]


def parse_site(text: str) -> Site:
    """The website a user or a list names, or InvalidInput saying what is wrong with it."""
    if not isinstance(text, str):
        raise InvalidInput(f"website {text!r}: not text")
    raw = text.strip()
    shown = raw if len(raw) <= 80 else raw[:77] + "..."
    if not raw:
        raise InvalidInput("website '': empty")
    if len(raw) > MAX_SITE_LENGTH:
        raise InvalidInput(f"website {shown!r}: longer than {MAX_SITE_LENGTH} characters")
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch.isspace() for ch in raw):
        raise InvalidInput(f"website {shown!r}: contains spaces or control characters")
    for fang, plain in _DEFANGED:
        raw = raw.replace(fang, plain)
    lowered = raw.lower()
    if lowered.startswith(("hxxp://", "hxxps://")):
        raw = "http" + raw[4:]
    other = _OTHER_SCHEME.match(raw)
    if "://" not in raw and other is not None:
        raise InvalidInput(f"website {shown!r}: a {other.group(1).lower()}: address, not a website (http or https)")
    if "://" not in raw:
        raw = "http://" + raw.removeprefix("//")
    scheme = raw.split("://", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise InvalidInput(f"website {shown!r}: a {scheme}: address, not a website (http or https)")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"website {shown!r}: bad port or brackets ({exc})") from None
    del port  # checked only: a port never changes which site it is
    netloc = parts.netloc.rsplit("@", 1)[-1]
    host_text = netloc[1:].split("]", 1)[0] if netloc.startswith("[") else unquote(netloc.split(":", 1)[0])
    if not host_text:
        raise InvalidInput(f"website {shown!r}: no host name")
    path = unquote(parts.path).rstrip("/")
    try:
        ip = ipaddress.ip_address(host_text)
    except ValueError:
        pass
    else:
        return Site(ip.compressed, ip.compressed, ip.compressed, path, True, parts.query)
    host = _ascii_host(host_text, shown)
    return Site(host, _without_www(host), display_host(_without_www(host)), path, False, parts.query)


def _ascii_host(text: str, shown: str) -> str:
    """The lower-case ASCII form of a host name (UTS #46 mapping, then punycode)."""
    name = text[:-1] if text.endswith(".") else text
    if name.isascii():
        name = name.lower()
    else:
        try:
            name = idna.encode(name, uts46=True).decode()
        except idna.IDNAError:
            try:  # IDNA 2003, as browsers still read some names (emoji): label by label
                name = ".".join(label.encode("idna").decode() for label in unicodedata.normalize("NFKC", name)
                                .lower().split("."))
            except UnicodeError as exc:
                raise InvalidInput(f"website {shown!r}: not a valid internationalised domain name ({exc})") from None
    if len(name) > 253 or not _ASCII_HOST.fullmatch(name):
        raise InvalidInput(f"website {shown!r}: {name!r} is not a valid host name (letters, digits, hyphens and "
                           "dots; labels of 1 to 63 characters)")
    if "." not in name:
        raise InvalidInput(f"website {shown!r}: {name!r} is not a domain name (no dot)")
    return name


def _without_www(host: str) -> str:
    rest = host.removeprefix("www.")
    return rest if rest != host and "." in rest and _psl().privatesuffix(rest) is not None else host


def display_host(host: str) -> str:
    """The host as people read it: punycode labels decoded where they decode."""
    return ".".join(_readable_label(label) for label in host.split("."))


def _readable_label(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return str(idna.decode(label))
    except idna.IDNAError:
        try:  # IDNA 2003 (emoji)
            return label.encode().decode("idna")
        except UnicodeError:
            return label


def listed_domain(text: str) -> str:
    """The domain a list entry names (a bare host, or a site address), as listings are keyed; InvalidInput."""
    return parse_site(text).domain


def parents(domain: str) -> list[str]:
    """The domain and each domain above it, up to its registrable domain (`a.b.evil.co.uk` -> itself,
    `b.evil.co.uk`, `evil.co.uk`); only the domain itself when it is a public suffix."""
    registrable = _psl().privatesuffix(domain)
    if registrable is None:
        return [domain]
    found = [domain]
    while found[-1] != registrable and "." in found[-1]:
        found.append(found[-1].split(".", 1)[1])
    return found


@lru_cache(maxsize=4096)
def _char_skeleton(ch: str) -> str:
    if ch.isascii():
        return ch
    for form in confusables.normalize(ch, prioritize_alpha=True):
        ascii_form = "".join(c for c in form.lower() if c.isascii() and (c.isalnum() or c == "-"))
        if ascii_form:
            return ascii_form
    return ch


@lru_cache(maxsize=65536)
def skeleton(host: str) -> str:
    """What a host looks like: its readable form with Unicode homoglyphs mapped to Latin letters
    (`xn--metherwallet-zhk.com`, a Cyrillic `у`, -> `myetherwallet.com`); ASCII is kept as it is."""
    readable = unicodedata.normalize("NFKC", display_host(host)).lower()
    return "".join(ch if ch in ".-" else _char_skeleton(ch) for ch in readable)


def has_homoglyphs(host: str) -> bool:
    """Whether the host shows characters that read as other (Latin) letters."""
    return skeleton(host) != unicodedata.normalize("NFKC", display_host(host)).lower()


def is_allowed(host: str, allowed: frozenset[str]) -> bool:
    """Whether the host or any domain above it is on the allowlist (eth-phishing-detect's whitelist rule)."""
    labels = host.split(".")
    return any(".".join(labels[i:]) in allowed for i in range(len(labels)))


def fuzzy_form(host: str) -> str:
    """eth-phishing-detect's fuzzy form: the host without its last label (the TLD), the first `www.` removed."""
    return ".".join(host.split(".")[:-1]).replace("www.", "", 1)


def fuzzy_target(host: str, fuzzy: Iterable[tuple[str, str, int]]) -> tuple[str, str, int] | None:
    """The first (domain, source, distance) of the fuzzylist whose fuzzy form is within its tolerance of the host's
    (eth-phishing-detect 1.2.0's rule, in the list's order), None if none."""
    form = fuzzy_form(host)
    for domain, source, tolerance in fuzzy:
        if tolerance <= 0:
            continue
        distance = Levenshtein.distance(form, fuzzy_form(domain), score_cutoff=tolerance)
        if distance <= tolerance:
            return domain, source, distance
    return None


def site_matches(site: Site, listings: Iterable[Listing], rules: DomainRules) -> list[SiteMatch]:
    """Why `site` is a scam site, per the listings (any superset of those naming its domains or its skeleton
    will do) and the lists' rules: nothing when it is allowed."""
    if is_allowed(site.host, rules.allowed):
        return []
    above = parents(site.domain) if not site.is_ip else [site.domain]
    look = skeleton(site.domain) if not site.is_ip and has_homoglyphs(site.domain) else None
    found: dict[tuple[str | None, str, str], SiteMatch] = {}

    def add(match: SiteMatch) -> None:
        key = (match.entity, match.domain, match.source)
        if key not in found or HOW_ORDER.index(match.how) < HOW_ORDER.index(found[key].how):
            found[key] = match

    alike: list[Listing] = []
    for item in listings:
        shown = display_host(item.domain) + item.path
        if item.path:
            if item.domain == site.domain and _under_page(site, item.path):
                add(SiteMatch(item.entity, item.domain, item.kind, "page", item.source, item.licence,
                              f"the page {shown} is listed by {item.source}"))
        elif item.domain == site.domain:
            add(SiteMatch(item.entity, item.domain, item.kind, "exact", item.source, item.licence,
                          f"{shown} is listed by {item.source}"))
        elif item.domain in above:
            add(SiteMatch(item.entity, item.domain, item.kind, "parent", item.source, item.licence,
                          f"{site.display} is under {shown}, listed by {item.source}"))
        elif look is not None and skeleton(item.domain) == look:
            alike.append(item)
    licence = dict(rules.licences)
    imitated = [(d, s) for d, s in rules.protected if look is not None and skeleton(d) == look and d != site.domain]
    for domain, source in imitated:
        add(SiteMatch(None, domain, "phishing", "look-alike", source, licence.get(source, ""),
                      f"{site.display} looks like {domain} (Unicode look-alike letters), a site phishers imitate "
                      f"({source})"))
    if not found:  # a homoglyph of a listed site (the plainest first), unless it is known or imitates a real one
        for item in sorted(alike, key=lambda i: (not i.domain.isascii(), i.domain, i.source))[:MAX_LOOKALIKES]:
            add(SiteMatch(item.entity, item.domain, item.kind, "look-alike", item.source, item.licence,
                          f"{site.display} looks like {display_host(item.domain)} (Unicode look-alike letters), "
                          f"listed by {item.source}"))
    if not site.is_ip:
        near = fuzzy_target(site.host, rules.fuzzy)
        if near is not None:
            domain, source, distance = near
            add(SiteMatch(None, domain, "phishing", "look-alike", source, licence.get(source, ""),
                          f"{site.display} is {distance} edit(s) from {domain}, a site phishers imitate ({source})"))
    return sorted(found.values(), key=lambda m: (HOW_ORDER.index(m.how), m.domain, m.source, m.entity or ""))


def _under_page(site: Site, listed: str) -> bool:
    """Whether the site's page is the listed page or under it (a listed query must be there too)."""
    page, listed = (site.page if "?" in listed else site.path).lower(), listed.lower()
    return page == listed or page.startswith(listed + "/")
