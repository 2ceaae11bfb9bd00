"""What every trace of a chain starts from: endpoints, pass-through venues and the assets that can be loot.

Endpoints come from labels: an address labelled exchange, issuer, bridge or mixer, or in the same cluster
as one, ends the trace there; so do the shipped venue registry's custodial, bridge and mixer entries.
Venues (labels `defi`, `dex`, `aggregator`, `weth`, `staking`, and the registry's pass-through entries)
are followed, never endpoints: swaps through them are found by net flows. Traced assets: the chain's
native asset, the canonical tokens of the assessment (registry tokens, stablecoins whose contract is
labelled with its issuer) and any asset the caller names (`--assets`, with a warning); other tokens are
never stolen, and impersonating or spam ones never move taint at all.

Labels are read as one organisation may see them (`visible`: TLP and asserting organisation -> may it
see the claim): a trace of an incident is set up with what the incident's owner may see, so another
organisation's RED or AMBER claim never changes where it stops, and each endpoint keeps the marking of
the claim that named its owner, so a reader who may not see that claim gets the owner withheld.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hotpursuit.attribution.token_registry import load_canonical_tokens
from hotpursuit.attribution.venue_registry import load_venues
from hotpursuit.jobs.assess_job import ensure_assessed
from hotpursuit.security.tlp import may_see
from hotpursuit.store.asset_trust_tables import StoredTrust
from hotpursuit.store.database import Store
from hotpursuit.store.org_tables import sharing_groups
from hotpursuit.store.service_labels import ServiceClaim, cluster_members, service_claims, venue_claims
from hotpursuit.trace.account_taint import Endpoint

ENDPOINT_CATEGORIES = {"exchange": "exchange", "issuer": "issuer", "bridge": "bridge", "mixer": "mixer"}
VENUE_CATEGORIES = frozenset({"defi", "dex", "aggregator", "weth", "staking"})
SERVICE_KINDS = frozenset(ENDPOINT_CATEGORIES) | VENUE_CATEGORIES  # labels that change where traces stop
REGISTRY_CHAINS = frozenset({"ethereum"})  # the shipped venue registry describes Ethereum mainnet
REGISTRY_ENDPOINTS = {"custodial": "exchange", "bridge": "bridge", "mixer": "mixer"}
NATIVE = "ETH"

Visible = Callable[[str, str | None], bool]
"""May the reader see a claim of this TLP asserted by this organisation? (None: the operator, all.)"""


def owner_view(store: Store, org_id: str | None) -> Visible | None:
    """The labels organisation `org_id` may see (None for no organisation: the operator sees all)."""
    if org_id is None:
        return None
    groups = sharing_groups(store)

    def visible(tlp: str, asserted_by: str | None) -> bool:
        return may_see(tlp, asserted_by, groups.get(asserted_by or ""), org_id, groups.get(org_id))

    return visible


def _best(claims: Iterable[ServiceClaim], visible: Visible | None) -> dict[str, ServiceClaim]:
    """The strongest visible claim per address (the claims come strongest first)."""
    out: dict[str, ServiceClaim] = {}
    for claim in claims:
        if visible is None or visible(claim.tlp, claim.asserted_by):
            out.setdefault(claim.address, claim)
    return out


@dataclass
class TraceSetup:
    """The chain-wide inputs of a trace."""

    endpoints: dict[str, Endpoint]
    venues: dict[str, str]  # address -> name
    trust: dict[str, StoredTrust]
    traced_assets: set[str]
    ignored_assets: set[str]  # impersonating or spam: their movements are dropped
    issuers: dict[str, Endpoint] = field(default_factory=dict)  # token -> who can freeze it
    warnings: list[str] = field(default_factory=list)
    # venue -> (tlp, asserted_by) of the claim its name comes from (absent: the public registry, CLEAR)
    venue_basis: dict[str, tuple[str, str | None]] = field(default_factory=dict)


def service_endpoints(store: Store, chain: str, visible: Visible | None = None, *,
                      claims: list[ServiceClaim] | None = None) -> dict[str, Endpoint]:
    """Labelled services (and their cluster members) a trace stops at, with who owns them and the
    marking of the claim that says so; registry entries where no label says otherwise. `claims`: the
    chain's service claims, if the caller read them already."""
    claims = service_claims(store, chain) if claims is None else claims
    labelled = _best((c for c in claims if c.category in ENDPOINT_CATEGORIES), visible)
    out = {a: Endpoint(ENDPOINT_CATEGORIES[c.category], c.name, (c.tlp, c.asserted_by)) for a, c in labelled.items()}
    for address, members in cluster_members(store, chain, labelled).items():
        for member in members:
            out.setdefault(member, out[address])
    if chain in REGISTRY_CHAINS:
        for venue in load_venues():
            kind = REGISTRY_ENDPOINTS.get(venue.kind)
            if venue.chain == chain and kind is not None and venue.category != "issuer":
                out.setdefault(venue.address, Endpoint(kind, venue.operator or venue.name))
    return out


def pass_through_venues(store: Store, chain: str, visible: Visible | None = None,
                        basis: dict[str, tuple[str, str | None]] | None = None) -> dict[str, str]:
    """Venues a trace follows through: labelled DeFi and the registry's pass-through entries (`basis`, if
    given, receives the marking of each label a name comes from)."""
    labelled = _best(venue_claims(store, chain, VENUE_CATEGORIES), visible)
    venues = {a: c.label for a, c in labelled.items()}
    if basis is not None:
        basis.update({a: (c.tlp, c.asserted_by) for a, c in labelled.items()})
    if chain in REGISTRY_CHAINS:
        for venue in load_venues():
            if venue.chain == chain and venue.kind == "pass-through":
                venues.setdefault(venue.address, venue.name)
    return venues


def issuer_tokens(store: Store, chain: str, visible: Visible | None = None, *,
                  claims: list[ServiceClaim] | None = None) -> dict[str, Endpoint]:
    """Stablecoins and who can freeze them: token contracts labelled with their issuer (with the marking
    of that claim), then (on mainnet) the canonical registry's centralised stablecoins (USDT: Tether,
    USDC: Circle); token -> its issuer as an endpoint of kind `issuer`."""
    claims = service_claims(store, chain) if claims is None else claims
    out = {a: Endpoint("issuer", c.name, (c.tlp, c.asserted_by))
           for a, c in _best((c for c in claims if c.category == "issuer"), visible).items()}
    if chain in REGISTRY_CHAINS:
        for token in load_canonical_tokens().values():
            if token.issuer is not None:
                out.setdefault(token.address, Endpoint("issuer", token.issuer))
    return out


def trace_setup(store: Store, chain: str, *, include_assets: list[str] | None = None,
                visible: Visible | None = None) -> TraceSetup:
    """Endpoints, venues and asset trust for tracing on `chain` (assessing the chain first if its data
    changed since the last assessment), from the labels `visible` lets the reader see (None: all)."""
    trust = ensure_assessed(store, chain)
    claims = service_claims(store, chain)
    endpoints = service_endpoints(store, chain, visible, claims=claims)
    issuers = issuer_tokens(store, chain, visible, claims=claims)
    basis: dict[str, tuple[str, str | None]] = {}
    venues = {a: n for a, n in pass_through_venues(store, chain, visible, basis).items() if a not in endpoints}
    # labelled stablecoins and venue tokens count even before they first move (the live watch sets up
    # before the thief acts); a venue label on a contract that is no token names an asset that never moves
    canonical = {a for a, t in trust.items() if t.status == "canonical"}
    traced = {NATIVE} | canonical | set(issuers) | set(venues)
    ignored = {a for a, t in trust.items() if t.status in ("impersonating", "spam")} - traced
    setup = TraceSetup(endpoints, venues, trust, traced, ignored, issuers,
                       venue_basis={a: b for a, b in basis.items() if a in venues})
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
