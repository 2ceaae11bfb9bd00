"""What bulk screening (`scale screen`) reads from the store beside the Parquet export: each organisation's
sharing group, whether it is an authority and whether it lets its claims count in hidden scores, the same
facts `screening_rows.load_screening_index` joins onto every label and incident; and the stored clusters
that carry labels, for an export without `scale cluster`'s clusters."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from hotpursuit.store.database import Store


@dataclass(frozen=True, slots=True)
class OrgFacts:
    """One organisation as the screening index sees an owner of claims or incidents."""

    sharing_group: str | None
    agency: bool
    scores_hidden: bool


def org_facts(store: Store) -> dict[str, OrgFacts]:
    """Organisation id -> its sharing group, whether it is an agency, and its hidden-score leave."""
    return {str(i): OrgFacts(None if g is None else str(g), str(k) == "agency", bool(h))
            for i, g, k, h in store._con.execute(
                "SELECT id, sharing_group, kind, coalesce(scores_hidden, false) FROM orgs").fetchall()}


def labelled_cluster_members(store: Store) -> pa.Table:
    """(chain, address, cluster_id) of every member of a stored cluster that holds a labelled address: the
    cluster rows the screening index inherits claims through (for an export `scale cluster` has not written
    clusters into)."""
    return store._con.sql(
        """SELECT c.chain, c.address, c.cluster_id FROM clusters c
           WHERE EXISTS (SELECT 1 FROM clusters m JOIN labels l ON l.chain = m.chain AND l.address = m.address
                         WHERE m.chain = c.chain AND m.cluster_id = c.cluster_id)
           ORDER BY c.chain, c.cluster_id, c.address""").to_arrow_table()
