"""What every trace of a chain starts from: endpoints, pass-through venues and the assets that can be loot.

Endpoints come from labels: an address labelled exchange, issuer, bridge or mixer, or in the same cluster
as one, ends the trace there; so do the shipped venue registry's custodial, bridge and mixer entries.
Venues (labels `defi`, `dex`, `aggregator`, `weth`, `staking`, and the registry's pass-through entries)
are followed, never endpoints: swaps through them are found by net flows. Traced assets: the chain's
native asset, the canonical tokens of the assessment (registry tokens, stablecoins whose contract is
labelled with its issuer) and any asset the caller names (`--assets`, with a warning); other tokens are
never stolen, and impersonating or spam ones never move taint at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotpursuit.attribution.token_registry import load_canonical_tokens
from hotpursuit.attribution.venue_registry import load_venues
from hotpursuit.jobs.assess_job import ensure_assessed
from hotpursuit.store.asset_trust_tables import StoredTrust
from hotpursuit.store.database import Store
from hotpursuit.store.service_labels import labelled_issuers, labelled_services, labelled_venues
from hotpursuit.trace.account_taint import Endpoint

ENDPOINT_CATEGORIES = {"exchange": "exchange", "issuer": "issuer", "bridge": "bridge", "mixer": "mixer"}
VENUE_CATEGORIES = frozenset({"defi", "dex", "aggregator", "weth", "staking"})
SERVICE_KINDS = frozenset(ENDPOINT_CATEGORIES) | VENUE_CATEGORIES  # labels that change where traces stop
REGISTRY_CHAINS = frozenset({"ethereum"})  # the shipped venue registry describes Ethereum mainnet
REGISTRY_ENDPOINTS = {"custodial": "exchange", "bridge": "bridge", "mixer": "mixer"}
NATIVE = "ETH"


@dataclass
class TraceSetup:
    """The chain-wide inputs of a trace."""

    endpoints: dict[str, Endpoint]
    venues: dict[str, str]  # address -> name
    trust: dict[str, StoredTrust]
    traced_assets: set[str]
    ignored_assets: set[str]  # impersonating or spam: their movements are dropped
    warnings: list[str] = field(default_factory=list)


def service_endpoints(store: Store, chain: str) -> dict[str, Endpoint]:
    """Labelled services (and their cluster members) a trace stops at, with who owns them; registry
    entries where no label says otherwise."""
    out: dict[str, Endpoint] = {}
    for address, category, owner in labelled_services(store, chain):
        out.setdefault(str(address), Endpoint(ENDPOINT_CATEGORIES[str(category)], str(owner)))
    if chain in REGISTRY_CHAINS:
        for venue in load_venues():
            kind = REGISTRY_ENDPOINTS.get(venue.kind)
            if venue.chain == chain and kind is not None and venue.category != "issuer":
                out.setdefault(venue.address, Endpoint(kind, venue.operator or venue.name))
    return out


def pass_through_venues(store: Store, chain: str) -> dict[str, str]:
    """Venues a trace follows through: labelled DeFi and the registry's pass-through entries."""
    venues = labelled_venues(store, chain, VENUE_CATEGORIES)
    if chain in REGISTRY_CHAINS:
        for venue in load_venues():
            if venue.chain == chain and venue.kind == "pass-through":
                venues.setdefault(venue.address, venue.name)
    return venues


def issuer_tokens(store: Store, chain: str) -> dict[str, str]:
    """Stablecoins and who can freeze them: token contracts labelled with their issuer, then (on mainnet)
    the canonical registry's centralised stablecoins (USDT: Tether, USDC: Circle); token -> issuer."""
    out = labelled_issuers(store, chain)
    if chain in REGISTRY_CHAINS:
        for token in load_canonical_tokens().values():
            if token.issuer is not None:
                out.setdefault(token.address, token.issuer)
    return out


def trace_setup(store: Store, chain: str, *, include_assets: list[str] | None = None) -> TraceSetup:
    """Endpoints, venues and asset trust for tracing on `chain` (assessing the chain first if its data
    changed since the last assessment)."""
    trust = ensure_assessed(store, chain)
    endpoints = service_endpoints(store, chain)
    venues = {a: n for a, n in pass_through_venues(store, chain).items() if a not in endpoints}
    # labelled stablecoins and venue tokens count even before they first move (the live watch sets up
    # before the thief acts); a venue label on a contract that is no token names an asset that never moves
    traced = {NATIVE} | {a for a, t in trust.items() if t.status == "canonical"} | set(issuer_tokens(store, chain)) \
        | set(venues)
    ignored = {a for a, t in trust.items() if t.status in ("impersonating", "spam")} - traced
    setup = TraceSetup(endpoints, venues, trust, traced, ignored)
    for asset in include_assets or []:
        asset = asset.strip().lower() if asset.strip().lower().startswith("0x") else asset.strip()
        known = trust.get(asset)
        status = f"{known.status}: {known.reason}" if known else "not assessed"
        if asset not in traced:
            setup.warnings.append(f"asset {asset} ({status}) is traced because --assets names it: its movements "
                                  "in the theft count as stolen")
        traced.add(asset)
        ignored.discard(asset)
    return setup
