"""What a case report reads beside the trace and the flow graph's context (store.graph_context): the incident's
dates, the label claims about the addresses it names (the report keeps those its reader may see), the input
addresses of the Bitcoin transactions a trace names as senders, and the organisations' names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from hotpursuit.store.database import Store


@dataclass(frozen=True)
class IncidentDates:
    """When an incident was opened and closed (naive UTC, as the store keeps them)."""

    opened_at: dt.datetime
    closed_at: dt.datetime | None


def incident_dates(store: Store, incident: str) -> IncidentDates | None:
    """The incident's opening and closing times; None if there is no such incident."""
    row = store._con.execute("SELECT opened_at, closed_at FROM incidents WHERE id = ?", [incident]).fetchone()
    return None if row is None else IncidentDates(row[0], row[1])


def bitcoin_input_addresses(store: Store, chain: str, txs: Iterable[str]) -> dict[str, list[str]]:
    """tx -> the addresses its inputs spend, in input order (a coinbase has none)."""
    wanted = sorted(set(txs))
    if not wanted:
        return {}
    return {str(t): [str(a) for a in addresses] for t, addresses in store._con.execute(
        """SELECT tx_hash, list(address ORDER BY input_index) FILTER (WHERE address IS NOT NULL)
           FROM utxo_inputs WHERE chain = ? AND list_contains(?, tx_hash) GROUP BY tx_hash ORDER BY 1""",
        [chain, wanted]).fetchall() if addresses}


@dataclass(frozen=True)
class ClaimRow:
    """One label claim about an address, with the marking that says who may read it."""

    address: str
    label: str
    category: str
    actor: str | None
    confidence: int
    tlp: str
    asserted_by: str | None


def claims_about(store: Store, chain: str, addresses: Iterable[str], cluster_ids: Iterable[int] = ()
                 ) -> list[ClaimRow]:
    """The claims about `addresses` and about every member of the clusters `cluster_ids`, strongest first
    (then by address and label, so the order is stable)."""
    wanted, clusters = sorted(set(addresses)), sorted(set(cluster_ids))
    if not wanted and not clusters:
        return []
    return [ClaimRow(str(a), str(lb), str(cat), None if act is None else str(act), int(conf), str(tlp),
                     None if by is None else str(by))
            for a, lb, cat, act, conf, tlp, by in store._con.execute(
                """SELECT address, label, category, actor, confidence, tlp, asserted_by FROM labels
                   WHERE chain = $c AND (list_contains($a, address) OR address IN (
                       SELECT address FROM clusters WHERE chain = $c AND list_contains($k, cluster_id)))
                   ORDER BY confidence DESC, address, label, category, tlp, asserted_by""",
                {"c": chain, "a": wanted, "k": clusters}).fetchall()]


def org_names(store: Store) -> dict[str, str]:
    """Organisation id -> its name."""
    return {str(i): str(n) for i, n in store._con.execute("SELECT id, name FROM orgs ORDER BY id").fetchall()}
