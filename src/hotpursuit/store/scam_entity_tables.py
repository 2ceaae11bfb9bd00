"""Scam sites as entities: the public lists they come from (with licence and whether they may be passed on),
the sites each list or victims' reports name and the addresses they handed out; matching a reported website
against them; the sites an address is linked to.

A list's claims are stored as labels under the import key `list:<source name>`, so a re-import of the list
by the same organisation replaces its sites, addresses, rules and claims together, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from hotpursuit.attribution.labels import TLP_LEVELS, LabelClaim
from hotpursuit.attribution.scam_domains import (
    DomainRules,
    Listing,
    SiteMatch,
    entity_id,
    has_homoglyphs,
    parents,
    parse_site,
    site_matches,
    skeleton,
)
from hotpursuit.attribution.scam_lists import SCAM_KINDS, ListSource, ScamEntity
from hotpursuit.chains.address_codec import check_chain, normalize_address, parse_address
from hotpursuit.errors import InvalidInput
from hotpursuit.store.database import Store

LIST_KEY_PREFIX = "list:"
REPORTED_CONFIDENCE = 70  # GraphSense `forensic_investigation`: a site victims paid, found by an investigator

__all__ = ["EntityRef", "SiteMatch", "entities_for_address", "list_import_key", "list_source_licences", "match_site",
           "record_entity", "replace_scam_list"]


@dataclass(frozen=True, slots=True)
class EntityRef:
    """A scam site an address is linked to, as one source recorded it (licence None: not from a list)."""

    id: str
    domain: str
    path: str
    kind: str
    source: str
    licence: str | None
    redistributable: bool | None
    first_seen: dt.date
    org: str
    tlp: str


def list_import_key(source: str) -> str:
    """The labels import key of a list's claims."""
    return LIST_KEY_PREFIX + source


def _owner(entities: Sequence[ScamEntity], claims: Sequence[LabelClaim], org: str | None) -> str:
    owners = {e.org for e in entities} | {c.asserted_by for c in claims} | ({org} if org else set())
    if len(owners) > 1:
        raise InvalidInput(f"one list is recorded by one organisation, not {', '.join(sorted(owners))}")
    return owners.pop() if owners else "hotpursuit"


def replace_scam_list(store: Store, source: ListSource, entities: Sequence[ScamEntity], claims: Sequence[LabelClaim],
                      *, rules: DomainRules | None = None, org: str | None = None) -> int:
    """Store one list as the organisation recording it (the entities' and claims' `org`/`asserted_by`, or
    `org`) sees it now, replacing what it stored of that list before: nothing is duplicated, and a site or
    address seen before keeps its first-seen date. Returns how many sites are stored."""
    owner = _owner(entities, claims, org)
    with store.transaction() as con:
        old_sites = dict(con.execute("SELECT id, min(first_seen) FROM scam_entities WHERE source = ? AND org = ? "
                                     "GROUP BY id", [source.name, owner]).fetchall())
        old_links = {(str(e), str(c), str(a)): d for e, c, a, d in con.execute(
            "SELECT entity, chain, address, min(first_seen) FROM scam_entity_addresses WHERE source = ? AND org = ? "
            "GROUP BY ALL", [source.name, owner]).fetchall()}
        sites = pa.table({
            "id": [e.id for e in entities], "domain": [e.domain for e in entities], "path": [e.path for e in entities],
            "kind": [e.kind for e in entities], "skeleton": [skeleton(e.domain) for e in entities],
            "listed_as": [e.listed_as for e in entities],
            "first_seen": [min(e.first_seen, old_sites.get(e.id, e.first_seen)) for e in entities],
            "tlp": [e.tlp for e in entities],
            "confidence": [e.confidence for e in entities]},
            schema=pa.schema([("id", pa.string()), ("domain", pa.string()), ("path", pa.string()),
                              ("kind", pa.string()), ("skeleton", pa.string()), ("listed_as", pa.string()),
                              ("first_seen", pa.date32()), ("tlp", pa.string()), ("confidence", pa.int32())]))
        links = [(e.id, chain, address, min(e.first_seen, old_links.get((e.id, chain, address), e.first_seen)))
                 for e in entities for chain, address in e.addresses]
        addresses = pa.table({"entity": [r[0] for r in links], "chain": [r[1] for r in links],
                              "address": [r[2] for r in links], "first_seen": [r[3] for r in links]},
                             schema=pa.schema([("entity", pa.string()), ("chain", pa.string()),
                                               ("address", pa.string()), ("first_seen", pa.date32())]))
        rules = rules or DomainRules()
        rule_rows = [("allow", d, None) for d in sorted(rules.allowed)] + [("fuzzy", d, t) for d, _, t in rules.fuzzy]
        for table in ("scam_entities", "scam_entity_addresses", "scam_list_rules"):
            con.execute(f"DELETE FROM {table} WHERE source = ? AND org = ?", [source.name, owner])
        con.register("new_sites", sites)
        con.register("new_links", addresses)
        try:
            con.execute("""INSERT INTO scam_entities (id, domain, path, kind, skeleton, listed_as, first_seen, source,
                             org, tlp, confidence)
                           SELECT id, domain, path, kind, skeleton, listed_as, first_seen, $s, $o, tlp, confidence
                           FROM new_sites""", {"s": source.name, "o": owner})
            con.execute("""INSERT INTO scam_entity_addresses (entity, chain, address, source, org, first_seen)
                           SELECT entity, chain, address, $s, $o, first_seen FROM new_links""",
                        {"s": source.name, "o": owner})
        finally:
            con.unregister("new_sites")
            con.unregister("new_links")
        if rule_rows:
            con.executemany("INSERT INTO scam_list_rules (source, org, rule, domain, tolerance, position) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            [[source.name, owner, rule, domain, tolerance, i]
                             for i, (rule, domain, tolerance) in enumerate(rule_rows)])
        _record_source(con, source)
        _replace_list_claims(store, list_import_key(source.name), owner, claims)
    return len(entities)


_CLAIM_COLUMNS = ("chain", "address", "label", "category", "actor", "confidence", "source", "source_date", "tlp",
                  "asserted_by")


def _replace_list_claims(store: Store, import_key: str, owner: str, claims: Sequence[LabelClaim]) -> None:
    """Replace a list's claims; a claim the list made before keeps when it was first made (what partners
    received stays the same object, and an unchanged list publishes nothing new)."""
    rows = pa.table({n: [getattr(c, n) for c in claims] for n in _CLAIM_COLUMNS},
                    schema=pa.schema([(n, pa.int32() if n == "confidence" else pa.date32() if n == "source_date"
                                       else pa.string()) for n in _CLAIM_COLUMNS]))
    with store.transaction(new_claims=rows) as con:
        con.execute("""CREATE OR REPLACE TEMP TABLE kept_claims AS
                       SELECT chain, address, label, category, source, tlp, min(created_at) AS created_at
                       FROM labels WHERE import_key = $k AND asserted_by = $o GROUP BY ALL""",
                    {"k": import_key, "o": owner})
        con.execute("DELETE FROM labels WHERE import_key = $k AND asserted_by = $o", {"k": import_key, "o": owner})
        con.execute(f"""INSERT INTO labels ({", ".join(_CLAIM_COLUMNS)}, owner_org, import_key, created_at)
                        SELECT {", ".join("n." + c for c in _CLAIM_COLUMNS)}, n.asserted_by, $k,
                               coalesce(k.created_at, current_timestamp)
                        FROM new_claims n LEFT JOIN kept_claims k
                          ON k.chain = n.chain AND k.address = n.address AND k.label = n.label
                             AND k.category = n.category AND k.source = n.source AND k.tlp = n.tlp""",
                    {"k": import_key})
        con.execute("DROP TABLE kept_claims")


def _record_source(con: duckdb.DuckDBPyConnection, source: ListSource) -> None:
    """Insert or update the list's licence and version; the import time changes only with the version."""
    row = con.execute("SELECT version, imported_at FROM list_sources WHERE name = ?", [source.name]).fetchone()
    kept = row[1] if row is not None and row[0] == source.version else None
    con.execute("DELETE FROM list_sources WHERE name = ?", [source.name])
    con.execute("INSERT INTO list_sources VALUES (?, ?, ?, ?, ?, coalesce(?, current_timestamp))",
                [source.name, source.licence, source.redistributable, source.version, source.origin, kept])


def record_entity(store: Store, domain: str, kind: str, *, first_seen: dt.date, source: str, org: str, tlp: str,
                  addresses: list[tuple[str, str]], confidence: int = REPORTED_CONFIDENCE) -> str:
    """Record a scam site found from victims' reports (a fake exchange the victims paid through), or add the
    addresses it handed out to the organisation's record of it; returns the site's id (the same for every
    source naming the site). A site recorded again keeps its earliest first-seen date and the stricter TLP.
    InvalidInput (naming the value) for a bad domain, kind, TLP, chain or address."""
    site = parse_site(domain)
    if kind not in SCAM_KINDS:
        raise InvalidInput(f"kind {kind!r}: not one of {', '.join(SCAM_KINDS)}")
    if tlp not in TLP_LEVELS:
        raise InvalidInput(f"tlp {tlp!r}: not a TLP 2.0 level ({', '.join(TLP_LEVELS)})")
    if not 0 <= confidence <= 100:
        raise InvalidInput(f"confidence {confidence}: not 0-100")
    links = list(dict.fromkeys((check_chain(chain), parse_address(chain, address)) for chain, address in addresses))
    ident = entity_id(site.domain)
    key = {"i": ident, "s": source, "o": org}
    with store.transaction() as con:
        row = con.execute("SELECT first_seen, tlp FROM scam_entities WHERE id = $i AND source = $s AND org = $o",
                          key).fetchone()
        if row is None:
            con.execute("""INSERT INTO scam_entities (id, domain, path, kind, skeleton, listed_as, first_seen, source,
                             org, tlp, confidence) VALUES ($i, $d, '', $k, $sk, $l, $f, $s, $o, $t, $c)""",
                        {**key, "d": site.domain, "k": kind, "sk": skeleton(site.domain), "l": domain,
                         "f": first_seen, "t": tlp, "c": confidence})
        else:
            stricter = max(str(row[1]), tlp, key=TLP_LEVELS.index)
            con.execute("""UPDATE scam_entities SET first_seen = least(first_seen, $f), kind = $k, tlp = $t,
                             confidence = $c WHERE id = $i AND source = $s AND org = $o""",
                        {**key, "f": first_seen, "k": kind, "t": stricter, "c": confidence})
        for chain, address in links:
            link = {**key, "c": chain, "a": address, "f": first_seen}
            updated = con.execute("""UPDATE scam_entity_addresses SET first_seen = least(first_seen, $f)
                                     WHERE entity = $i AND chain = $c AND address = $a AND source = $s AND org = $o
                                     RETURNING 1""", link).fetchall()
            if not updated:
                con.execute("INSERT INTO scam_entity_addresses VALUES ($i, $c, $a, $s, $o, $f)", link)
    return ident


def forget_recorded(store: Store, source: str, org: str) -> int:
    """Drop every site record (and the addresses it links) `org` made under `source`: a case rebuilt records
    its sites afresh, so a corrected or withdrawn report leaves nothing behind. How many records went."""
    key = {"s": source, "o": org}
    with store.transaction() as con:
        con.execute("DELETE FROM scam_entity_addresses WHERE source = $s AND org = $o", key)
        gone = con.execute("DELETE FROM scam_entities WHERE source = $s AND org = $o RETURNING 1", key).fetchall()
    return len(gone)


def match_site(store: Store, url: str, *, seen_by: Callable[[str, str | None], bool] | None = None) -> list[SiteMatch]:
    """Why a reported website is a scam site, per every list and record here (exact, page, parent domain, or
    look-alike), each with the source and its licence; empty when nothing matches or a list allows the site.
    `seen_by(tlp, org)`: only the records the reader may see (None: all). InvalidInput saying what is wrong
    with a website that is none."""
    site = parse_site(url)
    look = skeleton(site.domain) if not site.is_ip and has_homoglyphs(site.domain) else ""
    rows = store._con.execute(
        """SELECT DISTINCT e.id, e.domain, e.path, e.kind, e.source, coalesce(s.licence, ''), e.tlp, e.org
           FROM scam_entities e LEFT JOIN list_sources s ON s.name = e.source
           WHERE e.domain IN (SELECT unnest($d::VARCHAR[])) OR ($k <> '' AND e.skeleton = $k)""",
        {"d": parents(site.domain) if not site.is_ip else [site.domain], "k": look}).fetchall()
    listed = [Listing(*map(str, r[:6])) for r in rows
              if seen_by is None or seen_by(str(r[6]), None if r[7] is None else str(r[7]))]
    return site_matches(site, listed, domain_rules(store))


def domain_rules(store: Store) -> DomainRules:
    """Every list's allowlist and fuzzylist (in the list's order), with the lists' licences."""
    rows = store._con.execute("SELECT source, rule, domain, tolerance FROM scam_list_rules "
                              "ORDER BY source, org, position").fetchall()
    licences = store._con.execute("SELECT name, licence FROM list_sources ORDER BY name").fetchall()
    allowed = frozenset(str(d) for _, rule, d, _ in rows if rule == "allow")
    fuzzy = tuple(dict.fromkeys((str(d), str(s), int(t or 0)) for s, rule, d, t in rows if rule == "fuzzy"))
    protected = tuple(dict.fromkeys((str(d), str(s)) for s, _, d, _ in rows))
    return DomainRules(allowed, fuzzy, protected, tuple((str(n), str(licence)) for n, licence in licences))


def entities_for_address(store: Store, chain: str, address: str) -> list[EntityRef]:
    """The scam sites an address is linked to, by every source and organisation (the caller decides what its
    reader may see by `tlp` and `org`), by domain. The address is compared in its stored form (EIP-55 or
    upper-case hex finds the lower-case one)."""
    address = normalize_address(chain, address) or address
    rows = store._con.execute(
        """SELECT e.id, e.domain, e.path, e.kind, e.source, s.licence, s.redistributable, min(a.first_seen), e.org,
                  e.tlp
           FROM scam_entity_addresses a
             JOIN scam_entities e ON e.id = a.entity AND e.source = a.source AND e.org = a.org
             LEFT JOIN list_sources s ON s.name = e.source
           WHERE a.chain = ? AND a.address = ?
           GROUP BY ALL ORDER BY e.domain, e.path, e.source, e.org""", [chain, address]).fetchall()
    return [EntityRef(str(i), str(d), str(p), str(k), str(s), None if lic is None else str(lic),
                      None if red is None else bool(red), first, str(o), str(t))
            for i, d, p, k, s, lic, red, first, o, t in rows]


def list_source_licences(store: Store) -> dict[str, ListSource]:
    """Every list imported, by name, with its licence, whether it may be passed on, and the version imported."""
    return {str(n): ListSource(str(n), str(lic), bool(red), str(v), "" if o is None else str(o))
            for n, lic, red, v, o in store._con.execute(
                "SELECT name, licence, redistributable, version, origin FROM list_sources ORDER BY name").fetchall()}


def scam_list_counts(store: Store, source: str, org: str) -> tuple[int, int, int]:
    """(sites, site-address links, claims) stored of one list by one organisation."""
    row = store._con.execute(
        """SELECT (SELECT count(*) FROM scam_entities WHERE source = $s AND org = $o),
                  (SELECT count(*) FROM scam_entity_addresses WHERE source = $s AND org = $o),
                  (SELECT count(*) FROM labels WHERE import_key = $k AND asserted_by = $o)""",
        {"s": source, "o": org, "k": list_import_key(source)}).fetchone()
    return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)
