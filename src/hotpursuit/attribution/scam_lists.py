"""Public scam and phishing lists: the sites each lists (entities: domain or page, kind, the addresses a site
handed out) and a `scam` claim for every listed address, kept with the list's licence and whether its data
may be passed on to partners.

- ScamSniffer scam-database (GPL-3.0): `combined.json` {phishing domain: [addresses seen on it]} and
  `address.json` [drainer addresses].
- CryptoScamDB blacklist `urls.yaml` (no licence stated: used here, never passed on): {name, url, category,
  subcategory, addresses: {ETH: [...], BTC: [...], ...}}; subcategory `Exchange` is a fake exchange.
- MetaMask's eth-phishing-detect `src/config.json` (DBAD licence): `blacklist` domains (phishing sites, no
  addresses), `whitelist` (never flagged), `fuzzylist` and `tolerance` (look-alikes of these are phishing).
- MyEtherWallet's darklist (MIT) is parsed by list_importers.import_scam_list; its source is here.

An entry that cannot be used is skipped with the reason, never silently and never failing the list. Pure:
text in, records out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import yaml

from hotpursuit.attribution.labels import LabelClaim, confidence_levels
from hotpursuit.attribution.scam_domains import DomainRules, display_host, entity_id, parse_site
from hotpursuit.chains.address_codec import normalize_address
from hotpursuit.errors import ImportFileError, InvalidInput

SCAMSNIFFER = "ScamSniffer"
CRYPTOSCAMDB = "CryptoScamDB"
ETH_PHISHING_DETECT = "eth-phishing-detect"
MEW_DARKLIST = "MyEtherWallet darklist"
# the kinds of scam site, most specific first (a site two entries list gets the first kind either gives)
SCAM_KINDS = {"fake_exchange": "fake exchange", "phishing": "phishing site", "scam": "scam site",
              "malware": "malware site", "hacked": "hacked site"}
CSDB_CATEGORIES = {"phishing": "phishing", "scamming": "scam", "malware": "malware", "hacked": "hacked"}
CSDB_CHAINS = {"ETH": "ethereum", "BTC": "bitcoin"}  # currencies with an address codec here


@dataclass(frozen=True, slots=True)
class ListSource:
    """A published list: its name, licence, whether its data may be passed on (published to partners), the
    version imported (a release, a commit, or the files' digest) and where it comes from."""

    name: str
    licence: str
    redistributable: bool
    version: str
    origin: str = ""


@dataclass(frozen=True, slots=True)
class ScamEntity:
    """A scam site (a whole domain, or one page on a shared host when `path` is set) as one source records it,
    with the addresses it handed out as (chain, address)."""

    domain: str
    kind: str
    source: str
    org: str
    tlp: str
    first_seen: date
    path: str = ""
    listed_as: str = ""
    addresses: tuple[tuple[str, str], ...] = ()
    confidence: int = 50  # GraphSense `trusted_provider`; a list's parser sets its own

    @property
    def id(self) -> str:
        """Deterministic from the domain (and page): every source's record of one site shares it."""
        return entity_id(self.domain, self.path)

    def describe(self) -> str:
        """How people read it: `fake exchange hanbit-pro.exchange`."""
        return f"{SCAM_KINDS.get(self.kind, self.kind)} {display_host(self.domain)}{self.path}"


@dataclass
class ScamList:
    """What one list gave: its source, the sites, the claims, the entries skipped (with why), and its rules."""

    source: ListSource
    entities: list[ScamEntity] = field(default_factory=list)
    claims: list[LabelClaim] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rules: DomainRules = field(default_factory=DomainRules)

    @property
    def addresses(self) -> int:
        """How many (site, address) links the sites have."""
        return sum(len(e.addresses) for e in self.entities)


def scamsniffer_source(version: str) -> ListSource:
    """ScamSniffer's open scam database (GPL-3.0: may be passed on, under the same licence)."""
    return ListSource(SCAMSNIFFER, "GPL-3.0", True, version, "GitHub scamsniffer/scam-database")


def cryptoscamdb_source(version: str) -> ListSource:
    """CryptoScamDB's blacklist: no licence stated, so it is used here and never passed on."""
    return ListSource(CRYPTOSCAMDB, "none stated", False, version, "GitHub CryptoScamDB/blacklist")


def eth_phishing_detect_source(version: str) -> ListSource:
    """MetaMask's eth-phishing-detect (npm; DBAD licence: may be passed on)."""
    return ListSource(ETH_PHISHING_DETECT, "DBAD", True, version, "npm eth-phishing-detect")


def darklist_source(version: str) -> ListSource:
    """MyEtherWallet's darklist of scam addresses (MIT)."""
    return ListSource(MEW_DARKLIST, "MIT", True, version, "GitHub MyEtherWallet/ethereum-lists")


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who imports a list, as whom and when: the organisation asserting its claims, their TLP, the date its
    sites are first seen here (lists give no dates of their own)."""

    org: str
    tlp: str
    seen: date


def parse_scamsniffer(combined: str | None, addresses: str | None, *, version: str,
                      who: Provenance) -> ScamList:
    """ScamSniffer's `combined.json` text (domains and their addresses) and `address.json` text (addresses);
    either may be None when the file is absent."""
    result = ScamList(scamsniffer_source(version))
    level = confidence_levels()["trusted_provider"]  # a security company's curated feed
    sites: dict[str, ScamEntity] = {}
    if combined is not None:
        table = _json(combined, "combined.json")
        if not isinstance(table, dict):
            raise ImportFileError("combined.json", 1, "top level", "want an object {domain: [addresses]}")
        for listed, values in table.items():
            where = f"combined.json: {listed!r}"
            entity = _site_entity(str(listed), "phishing", result, who, where, level)
            if entity is None:
                continue
            if not isinstance(values, list):
                result.skipped.append(f"{where}: addresses are not a list, site kept without them")
                values = []
            found = _addresses("ethereum", values, result.skipped, where)
            _merge(sites, replace(entity, addresses=found))
    alone: list[tuple[str, str]] = []
    if addresses is not None:
        values = _json(addresses, "address.json")
        if not isinstance(values, list):
            raise ImportFileError("address.json", 1, "top level", "want an array of addresses")
        alone = list(_addresses("ethereum", values, result.skipped, "address.json"))
    result.entities = sorted(sites.values(), key=lambda e: (e.domain, e.path))
    result.claims = _claims(result, level, who, alone, "phishing (drainer) address")
    return result


def parse_cryptoscamdb(text: str, *, version: str, who: Provenance, name: str = "urls.yaml") -> ScamList:
    """CryptoScamDB's `urls.yaml`. Sites on shared hosts (`medium.com/@fake-giveaway`) are recorded as pages,
    so the host itself is never flagged (nor when an entry names the bare host the list names pages of:
    `telegra.ph`); ETH and BTC addresses are kept (others are skipped: no codec here)."""
    result = ScamList(cryptoscamdb_source(version))
    level = confidence_levels()["web_crawl"]  # community reports, unreviewed since 2022
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        entries = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        column = f"column {mark.column + 1}" if mark is not None else "YAML"
        raise ImportFileError(name, line, column, f"malformed YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(entries, list):
        raise ImportFileError(name, 1, "top level", "want a list of entries {name, url, category, ...}")
    sites: dict[str, ScamEntity] = {}
    alone: list[tuple[str, str]] = []
    for number, entry in enumerate(entries, start=1):
        where = f"{name} entry {number}"
        if not isinstance(entry, dict):
            result.skipped.append(f"{where}: not an entry with name, url and category")
            continue
        where += f" ({_text(entry.get('name'))!r})"
        kind = _csdb_kind(entry)
        if kind is None:
            result.skipped.append(f"{where}: category {_text(entry.get('category'))!r} is not one of "
                                  f"{', '.join(sorted(CSDB_CATEGORIES))}")
            continue
        found = _csdb_addresses(entry, result.skipped, where)
        entity = _site_entity(_text(entry.get("url")), kind, result, who, where, level, pages=True)
        if entity is None:  # no site to record, but the list still says its addresses are a scam's
            alone += found
        else:
            _merge(sites, replace(entity, addresses=found))
    shared_hosts = {e.domain for e in sites.values() if e.path}
    for key, entity in list(sites.items()):
        if not entity.path and entity.domain in shared_hosts:  # `telegra.ph` beside its giveaway pages
            result.skipped.append(f"{name}: {entity.listed_as!r}: a shared host (the list names pages on it): the "
                                  "whole host is not recorded, its addresses are")
            alone += entity.addresses
            del sites[key]
    result.entities = sorted(sites.values(), key=lambda e: (e.domain, e.path))
    result.claims = _claims(result, level, who, alone, "scam address")
    return result


def parse_eth_phishing_detect(config: str, *, version: str, who: Provenance,
                              name: str = "config.json") -> ScamList:
    """eth-phishing-detect's `config.json`: blacklist domains as phishing sites (no addresses); the whitelist,
    fuzzylist and tolerance as the rules matching follows."""
    result = ScamList(eth_phishing_detect_source(version))
    level = confidence_levels()["trusted_provider"]  # MetaMask's reviewed list
    data = _json(config, name)
    if not isinstance(data, dict) or not isinstance(data.get("blacklist"), list):
        raise ImportFileError(name, 1, "blacklist", "want an object with a `blacklist` array of domains")
    tolerance = data.get("tolerance", 3)  # the detector's default
    if isinstance(tolerance, bool) or not isinstance(tolerance, int) or tolerance < 0:
        raise ImportFileError(name, 1, "tolerance", f"{tolerance!r} is not a whole number >= 0")
    sites: dict[str, ScamEntity] = {}
    for listed in data["blacklist"]:
        entity = _site_entity(_text(listed), "phishing", result, who, f"{name} blacklist {_text(listed)!r}", level)
        if entity is not None:
            _merge(sites, entity)
    result.entities = sorted(sites.values(), key=lambda e: (e.domain, e.path))
    allowed = _hosts(data.get("whitelist"), f"{name} whitelist", result.skipped)
    fuzzy = _hosts(data.get("fuzzylist"), f"{name} fuzzylist", result.skipped)
    source = result.source.name
    result.rules = DomainRules(
        allowed=frozenset(allowed), fuzzy=tuple((d, source, tolerance) for d in fuzzy),
        protected=tuple((d, source) for d in dict.fromkeys([*fuzzy, *allowed])),
        licences=((source, result.source.licence),))
    return result


def claim_label(entities: list[ScamEntity], source: str) -> str:
    """The label of an address's claim: the site it was found on (`fake exchange hanbit-pro.exchange
    (CryptoScamDB)`), or the first of several and how many more."""
    first = min(entities, key=lambda e: (list(SCAM_KINDS).index(e.kind) if e.kind in SCAM_KINDS else 99,
                                         e.domain, e.path))
    more = f" and {len(entities) - 1} more site{'s' if len(entities) > 2 else ''}" if len(entities) > 1 else ""
    return f"{first.describe()}{more} ({source})"


def _claims(result: ScamList, level: int, who: Provenance, alone: Iterable[tuple[str, str]],
            alone_label: str) -> list[LabelClaim]:
    """One claim per listed address: naming its site(s), or `alone_label` for an address no site names."""
    by_address: dict[tuple[str, str], list[ScamEntity]] = {}
    for entity in result.entities:
        for key in entity.addresses:
            by_address.setdefault(key, []).append(entity)
    name = result.source.name
    claims = [LabelClaim(chain, address, claim_label(entities, name), "scam", None, level, name, None, who.tlp,
                         who.org) for (chain, address), entities in sorted(by_address.items())]
    claims += [LabelClaim(chain, address, f"{alone_label} ({name})", "scam", None, level, name, None, who.tlp,
                          who.org) for chain, address in sorted(set(alone) - set(by_address))]
    return claims


def _csdb_addresses(entry: dict[str, Any], skipped: list[str], where: str) -> tuple[tuple[str, str], ...]:
    """An entry's ETH and BTC addresses (other currencies are skipped: no codec here)."""
    found: list[tuple[str, str]] = []
    listed = entry.get("addresses") or {}
    if not isinstance(listed, dict):
        skipped.append(f"{where}: addresses are not a currency -> list table, site kept without them")
        listed = {}
    for currency, values in listed.items():
        cur = _text(currency).upper()
        values = values if isinstance(values, list) else [values]
        if cur not in CSDB_CHAINS:
            skipped.append(f"{where}: {len(values)} {cur} address(es) not imported (no {cur} codec here)")
            continue
        found += _addresses(CSDB_CHAINS[cur], values, skipped, where)
    return tuple(dict.fromkeys(found))


def _site_entity(listed: str, kind: str, result: ScamList, who: Provenance, where: str, level: int, *,
                 pages: bool = False) -> ScamEntity | None:
    try:
        site = parse_site(listed)
    except InvalidInput as exc:
        result.skipped.append(f"{where}: {_reason(exc)}")
        return None
    path = site.page if pages else ""
    return ScamEntity(site.domain, kind, result.source.name, who.org, who.tlp, who.seen, path, listed, (), level)


def _merge(sites: dict[str, ScamEntity], entity: ScamEntity) -> None:
    """Two entries naming one site (`www.x.xyz` and `x.xyz`): one entity, the most specific kind, every address."""
    old = sites.get(entity.id)
    if old is None:
        sites[entity.id] = entity
        return
    order = list(SCAM_KINDS)
    kind = min(old.kind, entity.kind, key=order.index)
    sites[entity.id] = replace(old, kind=kind, addresses=tuple(dict.fromkeys(old.addresses + entity.addresses)))


def _addresses(chain: str, values: list[Any], skipped: list[str], where: str) -> tuple[tuple[str, str], ...]:
    found: dict[tuple[str, str], None] = {}
    for value in values:
        address = normalize_address(chain, value) if isinstance(value, str) else None
        if address is None:
            skipped.append(f"{where}: {value!r} is not a valid {chain} address")
        else:
            found[(chain, address)] = None
    return tuple(found)


def _hosts(values: object, where: str, skipped: list[str]) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise ImportFileError(where.split()[0], 1, where.split()[-1], "want an array of domains")
    hosts = []
    for value in values:
        try:
            hosts.append(parse_site(_text(value)).host)
        except InvalidInput as exc:
            skipped.append(f"{where} {_text(value)!r}: {_reason(exc)}")
    return list(dict.fromkeys(hosts))


def _csdb_kind(entry: dict[str, Any]) -> str | None:
    category = _text(entry.get("category")).strip("'\" ").lower()
    subcategory = _text(entry.get("subcategory")).strip("'\" ").lower()
    if category not in CSDB_CATEGORIES:
        return None
    return "fake_exchange" if subcategory == "exchange" else CSDB_CATEGORIES[category]


def _reason(exc: InvalidInput) -> str:
    """The reason of a website error, without the website it names (the caller names the entry)."""
    text = str(exc)
    return text.split(": ", 1)[1] if text.startswith("website ") and ": " in text else text


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(name, exc.lineno, f"character {exc.colno}", f"malformed JSON: {exc.msg}") from None
