"""The screening index: address -> claims (own and inherited from its cluster), and the risk score a
caller may see. Pure: built from rows the store hands over, answers without I/O.

Score: the highest `weight(category) * confidence / 100` among the claims the caller may see (TLP),
on 0-100, except that a sanctions listing scores 100 at any confidence (dealing with a listed address
is prohibited, whoever reported it); levels: severe >= 80, high >= 60, medium >= 30, low > 0, none.
Claims the caller may not see are neither shown nor counted, and the answer says how many were withheld.
Indirect exposure: the share of the value an address received (per asset) that a saved trace found
tainted, by incident and actor; it scores `30 + 60 * share` and adds the category `stolen funds`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

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


def level(score: int) -> str:
    """The risk level of a score."""
    return "severe" if score >= 80 else "high" if score >= 60 else "medium" if score >= 30 else \
        "low" if score > 0 else "none"


class ScreeningIndex:
    """Claims by (chain, address), including claims inherited through clusters."""

    def __init__(self) -> None:
        self._claims: dict[tuple[str, str], list[IndexedClaim]] = defaultdict(list)
        self._exposure: dict[tuple[str, str], list[Exposure]] = defaultdict(list)

    def add(self, chain: str, address: str, claim: IndexedClaim) -> None:
        """Index one claim under one address."""
        self._claims[(chain, address)].append(claim)

    def add_exposure(self, chain: str, address: str, exposure: Exposure) -> None:
        """Index the tainted value an address received from one incident."""
        self._exposure[(chain, address)].append(exposure)

    def __len__(self) -> int:
        return len(self._claims)

    def knows(self, chain: str, address: str) -> bool:
        """Whether anything at all is indexed for the address (a fast pre-check for batches)."""
        return (chain, address) in self._claims or (chain, address) in self._exposure

    def screen(self, chain: str, address: str, caller_org: str, caller_group: str | None) -> Screening:
        """What the caller may know about an address, and the risk it implies."""
        visible, withheld, score = [], 0, 0
        for c in self._claims.get((chain, address), ()):
            if not may_see(c.tlp, c.owner_org, c.owner_group, caller_org, caller_group):
                withheld += 1
                continue
            visible.append(c)
            weight = WEIGHTS.get(c.category, 0)
            score = max(score, 100 if c.category == "sanctioned" else weight * c.confidence // 100)
        indirect: list[dict[str, object]] = []
        for e in self._exposure.get((chain, address), ()):
            if not may_see(e.tlp, e.owner_org, e.owner_group, caller_org, caller_group):
                withheld += 1
                continue
            share = e.tainted / e.received if e.received else 1.0  # a ratio, never an amount
            indirect.append({"incident": e.incident, "actor": e.actor, "asset": e.asset, "tainted": str(e.tainted),
                             "received": str(e.received), "share": round(min(share, 1.0), 6)})
            score = max(score, 30 + int(60 * min(share, 1.0)))
        categories = {c.category for c in visible} | ({"stolen funds"} if indirect else set())
        return Screening(chain, address, level(score), score, sorted(categories),
                         [{"label": c.label, "category": c.category, "actor": c.actor, "confidence": c.confidence,
                           "source": c.source, "tlp": c.tlp, "via": c.via} for c in visible], withheld, indirect)
