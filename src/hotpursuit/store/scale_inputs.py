"""The small investigation tables a Spark job over a Parquet export takes from the store as it is now
(so a job never works from a stale copy of them): the assessment's poisoning transfers and the
bridge deposits linked to their payouts."""

from __future__ import annotations

import pyarrow as pa

from hotpursuit.store.database import Store


def poisoning_keys(store: Store, chain: str) -> pa.Table:
    """(tx_hash, asset, from_address, to_address) of the poisoning transfers the assessment found."""
    rows = store._con.execute(
        """SELECT DISTINCT tx_hash, asset, from_address, to_address FROM poisoning_transfers WHERE chain = ?
           ORDER BY ALL""", [chain]).fetchall()
    names = ("tx_hash", "asset", "from_address", "to_address")
    return pa.table({n: pa.array([str(r[i]) for r in rows], pa.string()) for i, n in enumerate(names)})


def bridge_payout_links(store: Store, to_chain: str) -> list[tuple[str, int, str, str]]:
    """(deposit tx, amount in, payout tx, payout address) of the completed links to `to_chain`."""
    return [(str(f), int(a), str(t), str(d)) for f, a, t, d in store._con.execute(
        """SELECT from_tx_hash, amount_in::VARCHAR, to_tx_hash, to_address FROM bridge_links
           WHERE to_chain = ? AND to_tx_hash IS NOT NULL AND to_address IS NOT NULL ORDER BY ALL""",
        [to_chain]).fetchall()]
