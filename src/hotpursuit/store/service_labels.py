"""Labels that decide where a trace stops or passes through: services (exchange, issuer, bridge, mixer)
with their cluster members, DeFi venues, and issuers of tokens."""

from __future__ import annotations

from collections.abc import Iterable

from hotpursuit.store.database import Store


def labelled_services(store: Store, chain: str) -> list[tuple[str, str, str]]:
    """(address, category, owner) of every address labelled exchange, issuer, bridge or mixer, and of
    the members of its cluster; the best claim (highest confidence) decides."""
    return [(str(a), str(c), str(o)) for a, c, o in store._con.execute(
        """WITH svc AS (SELECT address, arg_max(category, confidence) AS category,
                               arg_max(coalesce(actor, label), confidence) AS owner
                        FROM labels WHERE chain = ? AND category IN ('exchange', 'issuer', 'bridge', 'mixer')
                        GROUP BY address)
           SELECT address, category, owner FROM svc
           UNION
           SELECT c2.address, svc.category, svc.owner FROM svc
             JOIN clusters c1 ON c1.chain = ? AND c1.address = svc.address
             JOIN clusters c2 ON c2.chain = c1.chain AND c2.cluster_id = c1.cluster_id
           ORDER BY 1, 2, 3""", [chain, chain]).fetchall()]


def labelled_venues(store: Store, chain: str, categories: Iterable[str]) -> dict[str, str]:
    """address -> its best label, for addresses labelled with one of `categories` (DeFi venues)."""
    return {str(a): str(n) for a, n in store._con.execute(
        """SELECT address, arg_max(label, confidence) FROM labels
           WHERE chain = ? AND category IN (SELECT unnest(?::VARCHAR[])) GROUP BY address ORDER BY address""",
        [chain, sorted(set(categories))]).fetchall()}


def labelled_issuers(store: Store, chain: str) -> dict[str, str]:
    """Token contract -> its issuer, for contracts labelled `issuer`."""
    return {str(a): str(o) for a, o in store._con.execute(
        """SELECT address, arg_max(coalesce(actor, label), confidence) FROM labels
           WHERE chain = ? AND category = 'issuer' GROUP BY address ORDER BY address""", [chain]).fetchall()}
