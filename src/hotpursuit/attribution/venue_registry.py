"""The shipped venue registry: real mainnet DEXs, aggregators, WETH, staking tokens, bridges, mixers and
stablecoin issuers, each with the kind that decides how a trace treats it.

Kinds: `custodial` (an issuer: freezes its token), `pass-through` (dex, aggregator, weth, staking: followed
through by net flows), `bridge` (followed across where a link is known, else an endpoint naming the
operator), `mixer` (an endpoint: "entered mixer"). Built by scripts/build_registries.py from MIT-licensed
public label sets and THORChain's and Chainflip's own sources (registry/PROVENANCE.md).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

KINDS = ("custodial", "pass-through", "bridge", "mixer")


@dataclass(frozen=True, slots=True)
class Venue:
    """One registry entry."""

    chain: str
    address: str
    name: str
    kind: str
    category: str
    operator: str
    source: str


@cache
def load_venues() -> tuple[Venue, ...]:
    """Every registry entry, in address order."""
    text = (resources.files("hotpursuit.attribution") / "registry" / "venues.csv").read_text("utf-8")
    return tuple(Venue(**row) for row in csv.DictReader(io.StringIO(text)))
