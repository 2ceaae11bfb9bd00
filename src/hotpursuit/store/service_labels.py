"""Labels that decide where a trace stops or passes through: services (exchange, issuer, bridge, mixer)
with their cluster members, DeFi venues, and issuers of tokens. Every claim comes with its TLP and the
organisation that asserted it, so a trace can be set up with what one organisation may see
(jobs/trace_setup.py decides, through security.tlp.may_see)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hotpursuit.store.database import Store

SERVICE_CATEGORIES = ("exchange", "issuer", "bridge", "mixer")


@dataclass(frozen=True, slots=True)
class ServiceClaim:
    """One claim that an address is a service or a venue: its name, how sure, and its marking."""

    address: str
    category: str
    name: str  # the actor if the claim names one, else its label
    label: str
    confidence: int
    tlp: str
    asserted_by: str | None


def _claims(store: Store, chain: str, categories: Iterable[str]) -> list[ServiceClaim]:
    return [ServiceClaim(str(a), str(c), str(n), str(lb), int(k), str(t), None if o is None else str(o))
            for a, c, n, lb, k, t, o in store._con.execute(
                """SELECT address, category, coalesce(actor, label), label, confidence, tlp, asserted_by FROM labels
                   WHERE chain = ? AND category IN (SELECT unnest(?::VARCHAR[]))
                   ORDER BY address, confidence DESC, category, label, asserted_by""",
                [chain, sorted(set(categories))]).fetchall()]


def service_claims(store: Store, chain: str) -> list[ServiceClaim]:
    """Every claim that an address is an exchange, issuer, bridge or mixer; strongest first per address."""
    return _claims(store, chain, SERVICE_CATEGORIES)


def venue_claims(store: Store, chain: str, categories: Iterable[str]) -> list[ServiceClaim]:
    """Every claim that an address is a venue of one of `categories` (DeFi); strongest first per address."""
    return _claims(store, chain, categories)


def cluster_members(store: Store, chain: str, addresses: Iterable[str]) -> dict[str, list[str]]:
    """address -> the other members of its cluster, for those of `addresses` in a cluster."""
    out: dict[str, list[str]] = {}
    for address, member in store._con.execute(
            """SELECT c1.address, c2.address FROM clusters c1
                 JOIN clusters c2 ON c2.chain = c1.chain AND c2.cluster_id = c1.cluster_id
               WHERE c1.chain = ? AND c1.address IN (SELECT unnest(?::VARCHAR[])) AND c2.address <> c1.address
               ORDER BY 1, 2""", [chain, sorted(set(addresses))]).fetchall():
        out.setdefault(str(address), []).append(str(member))
    return out
