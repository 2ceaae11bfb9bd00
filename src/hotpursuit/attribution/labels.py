"""Label claims and actors: what one source asserts about one address, kept side by side with others."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from hotpursuit.security.tlp import TLP_ORDER

TLP_LEVELS = TLP_ORDER
AUTHORITY_CATEGORIES = frozenset({"sanctioned", "dprk"})  # who may assert what: only the authorities
CATEGORIES = ("exchange", "issuer", "bridge", "mixer", "dprk", "sanctioned", "scam", "victim", "hack",
              "thief", "defi", "service", "miner", "user", "other", "poisoning")


@dataclass(frozen=True, slots=True)
class LabelClaim:
    """One claim: `source` (asserted by `asserted_by`) says `address` on `chain` is `label`."""

    chain: str
    address: str
    label: str
    category: str
    actor: str | None
    confidence: int
    source: str
    source_date: date | None
    tlp: str
    asserted_by: str


@dataclass(frozen=True, slots=True)
class Actor:
    """A real-world entity labels can point to (GraphSense ActorPack `id`)."""

    id: str
    label: str
    jurisdictions: tuple[str, ...]
    uris: tuple[str, ...]
    source: str


@cache
def confidence_levels() -> dict[str, int]:
    """GraphSense confidence names and their 0-100 levels (`authority_data` is 60, ...)."""
    text = resources.files("hotpursuit.attribution").joinpath("graphsense/confidence.csv").read_text()
    return {row["id"]: int(row["level"]) for row in csv.DictReader(text.splitlines())}


def confidence_name(level: int) -> str:
    """The GraphSense name whose level is the highest not above `level`."""
    best = ("unknown", -1)
    for name, value in confidence_levels().items():
        if best[1] < value <= level:
            best = (name, value)
    return best[0]
