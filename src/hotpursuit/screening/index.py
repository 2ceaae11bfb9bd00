"""The screening index: address -> claims (own and inherited from its cluster), and the risk score a
caller may see. Pure: built from rows the store hands over, answers without I/O.

Score: the highest `weight(category) * confidence / 100` among the claims the caller may see (TLP),
on 0-100, except that a sanctions listing by an authority scores 100 at any confidence (dealing with
a listed address is prohibited), and a claim by an organisation that is no authority never scores 100
alone; levels: severe >= 80, high >= 60, medium >= 30, low > 0, none.
Claims the caller may not see are never shown, and the answer says how many were withheld; they count
in the score only when their owner allows it (`scores_hidden`), and the answer then says how many did
(`withheld_scored`), without their label, category or source.
Indirect exposure: the share of the value an address received (per asset) that a saved trace found
tainted, by incident and actor; it scores `30 + 60 * share` and adds the category `stolen funds`.
Scam sites: an address a scam site handed out (a fake exchange's deposit address, a phishing site's drainer)
answers with the category `scam` and the sites (`entities`: domain, kind, source), scored like a `scam` claim
at the confidence of the source that recorded the link, and seen or withheld by its TLP like a claim.

For speed, an address whose claims and exposure every caller may see (TLP:CLEAR or GREEN) has its
verdict computed once, when it is indexed: every caller gets the same one (batch screening reads it
with one dictionary lookup).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from hotpursuit.chains.readable import AssetUnits, human
from hotpursuit.security.tlp import may_see

WEIGHTS = {"sanctioned": 100, "dprk": 100, "thief": 95, "hack": 90, "mixer": 75, "scam": 70, "victim": 20,
           "bridge": 15, "exchange": 10, "issuer": 5}


@dataclass(frozen=True, slots=True)
class IndexedClaim:
    """A claim as the index keeps it."""

    label: str
    category: str
    actor: str | None
    confidence: int
    source: str
    tlp: str
    owner_org: str | None
    owner_group: str | None
    via: str | None = None  # the cluster member it was inherited from, if not the address itself
    scores_hidden: bool = False  # the owner lets it count in the scores of callers who may not see it
    authority: bool = True  # asserted by an authority: the operator's official lists, or an agency


@dataclass(frozen=True, slots=True)
class Exposure:
    """Value an address received that a trace found tainted by an incident."""

    incident: str
    actor: str | None
    asset: str
    tainted: int
    received: int
    tlp: str
    owner_org: str | None
    owner_group: str | None
    scores_hidden: bool = False
    units: AssetUnits | None = None  # how the asset is read (None: decimals unknown)


@dataclass(frozen=True, slots=True)
class EntityLink:
    """A scam site that handed the address out, as one source (a list, or victims' reports) recorded it."""

    entity: str
    domain: str
    path: str
    kind: str
    source: str
    first_seen: str  # ISO date
    confidence: int
    tlp: str
    owner_org: str | None
    owner_group: str | None
    scores_hidden: bool = False
    authority: bool = True


MAX_ENTITIES = 20  # one drainer address can be on hundreds of phishing sites: the answer names the first ones


@dataclass(frozen=True, slots=True)
class Verdict:
    """The short answer (what batch screening returns per address)."""

    risk: str
    score: int
    categories: tuple[str, ...]
    withheld: int = 0
    withheld_scored: int = 0


@dataclass
class Screening:
    """The answer for one address."""

    chain: str
    address: str
    risk: str
    score: int
    categories: list[str] = field(default_factory=list)
    direct: list[dict[str, object]] = field(default_factory=list)
    withheld: int = 0
    indirect: list[dict[str, object]] = field(default_factory=list)
    withheld_scored: int = 0
    reasons: list[str] = field(default_factory=list)
    entities: list[dict[str, object]] = field(default_factory=list)  # the scam sites it is linked to


def has_finding(answer: Verdict | Screening) -> bool:
    """Whether a batch lists the address: a score, a withheld claim, or a category that scores nothing
    but must be seen (a `poisoning` look-alike, risk none: never paid, never frozen)."""
    return bool(answer.score or answer.withheld or answer.categories)


def level(score: int) -> str:
    """The risk level of a score."""
    return "severe" if score >= 80 else "high" if score >= 60 else "medium" if score >= 30 else \
        "low" if score > 0 else "none"


def claim_points(c: IndexedClaim) -> int:
    """What one claim contributes to a score: a sanctions listing by an authority 100 at any confidence;
    any other claim its weight times its confidence, and a claim by an organisation that is no
    authority (an exchange, an issuer) never 100 alone."""
    if c.category == "sanctioned" and c.authority:
        return 100
    points = WEIGHTS.get(c.category, 0) * c.confidence // 100
    return points if c.authority else min(points, 99)


def link_points(link: EntityLink) -> int:
    """What a link to a scam site contributes: a `scam` claim at the recording source's confidence."""
    points = WEIGHTS["scam"] * link.confidence // 100
    return points if link.authority else min(points, 99)


def exposure_points(e: Exposure) -> int:
    """What one incident's exposure contributes to a score."""
    return 30 + int(60 * min(_share(e), 1.0))


def _share(e: Exposure) -> float:
    return e.tainted / e.received if e.received else 1.0  # a ratio, never an amount


def _percent(e: Exposure) -> str:
    """The tainted share as people read it, from the integers (rounded down, at most 100%)."""
    basis_points = 10_000 if not e.received else min(10_000, e.tainted * 10_000 // e.received)
    whole, frac = divmod(basis_points, 100)
    return f"{whole}.{frac:02d}%"


NONE = Verdict("none", 0, ())


class _Visible(Protocol):
    """What the index marks with a TLP and an owner: a claim, an exposure, a scam site's link."""

    @property
    def tlp(self) -> str: ...
    @property
    def owner_org(self) -> str | None: ...
    @property
    def owner_group(self) -> str | None: ...
    @property
    def scores_hidden(self) -> bool: ...


_Marked = TypeVar("_Marked", bound=_Visible)


@dataclass
class _Seen:
    """One caller's view of one address: visible claims and exposure, and what is withheld."""

    claims: list[IndexedClaim] = field(default_factory=list)
    exposure: list[Exposure] = field(default_factory=list)
    entities: list[EntityLink] = field(default_factory=list)
    score: int = 0  # from what the caller sees
    withheld: int = 0
    hidden_scored: int = 0  # withheld, but counted in the score by their owners' leave
    hidden_score: int = 0

    def withhold(self, counts: bool, points: int) -> None:
        self.withheld += 1
        if counts:
            self.hidden_scored += 1
            self.hidden_score = max(self.hidden_score, points)

    def sort_in(self, found: Iterable[_Marked], points: Callable[[_Marked], int], kept: list[_Marked],
                caller_org: str, caller_group: str | None) -> None:
        """Each of `found` the caller may see into `kept` (and the score); the others withheld."""
        for item in found:
            if may_see(item.tlp, item.owner_org, item.owner_group, caller_org, caller_group):
                kept.append(item)
                self.score = max(self.score, points(item))
            else:
                self.withhold(item.scores_hidden, points(item))

    def categories(self) -> set[str]:
        return {c.category for c in self.claims} | ({"stolen funds"} if self.exposure else set()) | \
            ({"scam"} if self.entities else set())


def _public(tlp: str, owner: str | None) -> bool:
    return tlp in ("CLEAR", "GREEN") or owner is None


class ScreeningIndex:
    """Claims and exposure by chain and address, including claims inherited through clusters."""

    def __init__(self) -> None:
        self._claims: dict[str, dict[str, list[IndexedClaim]]] = {}
        self._exposure: dict[str, dict[str, list[Exposure]]] = {}
        self._entities: dict[str, dict[str, list[EntityLink]]] = {}
        # chain -> address -> the verdict every caller gets, or None when it depends on the caller
        self._verdicts: dict[str, dict[str, Verdict | None]] = {}

    def chains(self) -> set[str]:
        """The chains anything is indexed for."""
        return set(self._claims) | set(self._exposure) | set(self._entities)

    def add(self, chain: str, address: str, claim: IndexedClaim) -> None:
        """Index one claim under one address."""
        self._claims.setdefault(chain, {}).setdefault(address, []).append(claim)
        self._settle(chain, address)

    def remove_claims(self, chain: str, addresses: Iterable[str], match: Callable[[IndexedClaim], bool]) -> None:
        """Drop the claims `match` picks from these addresses (a withdrawn claim, and its inherited
        copies on the members of its cluster)."""
        by_address = self._claims.get(chain, {})
        for address in addresses:
            if address in by_address:
                by_address[address] = [c for c in by_address[address] if not match(c)]
                if not by_address[address]:
                    del by_address[address]
                self._settle(chain, address)

    def add_entity(self, chain: str, address: str, link: EntityLink) -> None:
        """Index that a scam site handed the address out."""
        self._entities.setdefault(chain, {}).setdefault(address, []).append(link)
        self._settle(chain, address)

    def add_exposure(self, chain: str, address: str, exposure: Exposure) -> None:
        """Index the tainted value an address received from one incident."""
        self._exposure.setdefault(chain, {}).setdefault(address, []).append(exposure)
        self._settle(chain, address)

    def replace_incident_exposure(self, incident: str, rows: list[tuple[str, str, Exposure]]) -> None:
        """Drop every exposure to `incident` and index `rows` (chain, address, exposure) instead:
        what a new trace of the incident found."""
        for chain, by_address in self._exposure.items():
            for address in [a for a, es in by_address.items() if any(e.incident == incident for e in es)]:
                kept = [e for e in by_address[address] if e.incident != incident]
                if kept:
                    by_address[address] = kept
                else:
                    del by_address[address]
                self._settle(chain, address)
        for chain, address, exposure in rows:
            self.add_exposure(chain, address, exposure)

    def _settle(self, chain: str, address: str) -> None:
        claims = self._claims.get(chain, {}).get(address, [])
        exposure = self._exposure.get(chain, {}).get(address, [])
        links = self._entities.get(chain, {}).get(address, [])
        verdicts = self._verdicts.setdefault(chain, {})
        if not claims and not exposure and not links:
            verdicts.pop(address, None)
        elif all(_public(c.tlp, c.owner_org) for c in claims) and all(_public(e.tlp, e.owner_org) for e in exposure) \
                and all(_public(link.tlp, link.owner_org) for link in links):
            score = max([claim_points(c) for c in claims] + [exposure_points(e) for e in exposure]
                        + [link_points(link) for link in links])
            categories = _Seen(claims, exposure, links).categories()
            verdicts[address] = Verdict(level(score), score, tuple(sorted(categories)))
        else:
            verdicts[address] = None

    def __len__(self) -> int:
        return sum(len(v) for v in self._claims.values())

    def knows(self, chain: str, address: str) -> bool:
        """Whether anything at all is indexed for the address."""
        return address in self._verdicts.get(chain, {})

    def verdicts(self, chain: str, addresses: list[str], caller_org: str,
                 caller_group: str | None) -> list[tuple[str, Verdict]]:
        """The verdicts for the addresses anything is known about, in order (batch screening)."""
        known = self._verdicts.get(chain)
        if not known:
            return []
        found = []
        for address in addresses:
            v = known.get(address, NONE)
            if v is NONE:
                continue
            if v is None:
                v = self._verdict(chain, address, caller_org, caller_group)
            found.append((address, v))
        return found

    def _sort_out(self, chain: str, address: str, caller_org: str, caller_group: str | None) -> _Seen:
        """What the caller may see of an address, the score that gives, and what is withheld."""
        seen = _Seen()
        seen.sort_in(self._claims.get(chain, {}).get(address, ()), claim_points, seen.claims, caller_org, caller_group)
        seen.sort_in(self._exposure.get(chain, {}).get(address, ()), exposure_points, seen.exposure, caller_org,
                     caller_group)
        seen.sort_in(self._entities.get(chain, {}).get(address, ()), link_points, seen.entities, caller_org,
                     caller_group)
        return seen

    def _verdict(self, chain: str, address: str, caller_org: str, caller_group: str | None) -> Verdict:
        """`screen` without the details (the same score, categories and counts), for batches."""
        seen = self._sort_out(chain, address, caller_org, caller_group)
        score = max(seen.score, seen.hidden_score)
        return Verdict(level(score), score, tuple(sorted(seen.categories())), seen.withheld, seen.hidden_scored)

    def screen(self, chain: str, address: str, caller_org: str, caller_group: str | None) -> Screening:
        """What the caller may know about an address, and the risk it implies."""
        seen = self._sort_out(chain, address, caller_org, caller_group)
        visible, score, withheld = seen.claims, seen.score, seen.withheld
        hidden_scored, hidden_score = seen.hidden_scored, seen.hidden_score
        indirect: list[dict[str, object]] = [
            {"incident": e.incident, "actor": e.actor, "asset": e.asset, "tainted": str(e.tainted),
             "received": str(e.received), "share": round(min(_share(e), 1.0), 6),
             "decimals": None if e.units is None else e.units.decimals,
             "symbol": None if e.units is None else e.units.symbol} for e in seen.exposure]
        reasons = [f"{c.category} ({c.confidence}%): {c.label}, per {c.source}"
                   + (f", inherited from cluster member {c.via}" if c.via else "") for c in visible]
        reasons += [f"received {human(e.tainted, e.units, e.asset)} tainted by incident {e.incident} "
                    f"({_percent(e)} of the {e.units.symbol if e.units else e.asset} it received)"
                    for e in seen.exposure]
        sites = sorted(seen.entities, key=lambda link: (link.domain, link.path, link.source))
        if sites:
            named = ", ".join(f"{link.kind.replace('_', ' ')} {link.domain}{link.path} ({link.source})"
                              for link in sites[:3])
            more = f" and {len(sites) - 3} more" if len(sites) > 3 else ""
            reasons.append(f"scam: handed out by {named}{more}")
        if hidden_score > score:
            reasons.append(f"score raised to {hidden_score} by {hidden_scored} claim(s) withheld from you "
                           "(their owners let them count)")
        elif hidden_scored:
            reasons.append(f"{hidden_scored} withheld claim(s) counted in the score (their owners let them)")
        if withheld > hidden_scored:
            reasons.append(f"{withheld - hidden_scored} claim(s) withheld from you and not counted")
        score = max(score, hidden_score)
        return Screening(chain, address, level(score), score, sorted(seen.categories()),
                         [{"label": c.label, "category": c.category, "actor": c.actor, "confidence": c.confidence,
                           "source": c.source, "tlp": c.tlp, "via": c.via} for c in visible], withheld, indirect,
                         hidden_scored, reasons, [_entity(link) for link in sites[:MAX_ENTITIES]])


def _entity(link: EntityLink) -> dict[str, object]:
    return {"id": link.entity, "domain": link.domain, "path": link.path or None, "kind": link.kind,
            "source": link.source, "first_seen": link.first_seen, "tlp": link.tlp}
