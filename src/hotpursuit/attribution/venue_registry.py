"""The shipped venue registry: real mainnet DEXs, aggregators, WETH, staking tokens, bridges, mixers, exchanges
and stablecoin issuers, each with the kind that decides how a trace treats it.

Kinds: `custodial` (an exchange or an issuer: an endpoint with a freezer), `pass-through` (dex, aggregator,
weth, staking: followed through by net flows), `bridge` (followed across where a link is known, else an
endpoint naming the operator), `mixer` (an endpoint: "entered mixer"). Built by
scripts/build_venue_registry.py from MIT/ISC-licensed public label sets and the protocols' own repositories
(registry/PROVENANCE.md).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from hotpursuit.errors import HotpursuitError

REGISTRY_FILE = "venues.csv"
KINDS = ("custodial", "pass-through", "bridge", "mixer")
CATEGORY_KIND = {"dex": "pass-through", "aggregator": "pass-through", "weth": "pass-through",
                 "staking": "pass-through", "bridge": "bridge", "mixer": "mixer", "exchange": "custodial",
                 "issuer": "custodial"}
_HEX = re.compile(r"^0x[0-9a-f]{40}$")


@dataclass(frozen=True, slots=True)
class Venue:
    """One registry entry: `address` lowercase hex, `kind` one of KINDS, `category` a key of CATEGORY_KIND,
    `operator` who runs it (the issuer for a stablecoin), `source` the label set and file it comes from."""

    chain: str
    address: str
    name: str
    kind: str
    category: str
    operator: str
    source: str


@cache
def _load() -> tuple[Venue, ...]:
    text = (resources.files("hotpursuit.attribution") / "registry" / REGISTRY_FILE).read_text("utf-8")
    out = []
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            venue = Venue(**row)
        except TypeError as exc:
            raise HotpursuitError(f"registry/{REGISTRY_FILE}:{line}: {exc}") from exc
        if not _HEX.match(venue.address) or CATEGORY_KIND.get(venue.category) != venue.kind:
            raise HotpursuitError(f"registry/{REGISTRY_FILE}:{line}: bad address or kind/category in {row}")
        out.append(venue)
    return tuple(out)


def load_venues() -> list[Venue]:
    """Every registry entry, in address order."""
    return list(_load())
