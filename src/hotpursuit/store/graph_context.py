"""What the flow graph reads from the store besides the trace: the block of each tx, the clusters of the
graph's addresses, and the transfers that touched them and that the trace never counts (poisoning
look-alikes and impersonating or spam tokens), so a reader can show them for what they are."""

from __future__ import annotations

from collections.abc import Iterable

from hotpursuit.store.database import Store

FLAGGED_LIMIT = 5000  # a poisoning campaign sprays thousands: the graph shows at most this many


def tx_blocks(store: Store, chain: str, txs: Iterable[str]) -> dict[str, int]:
    """tx hash -> block number, for the txs of `chain` the store holds."""
    wanted = sorted(set(txs))
    if not wanted:
        return {}
    return {str(t): int(b) for t, b in store._con.execute(
        """SELECT tx_hash, min(block_number) FROM transfers
           WHERE chain = ? AND tx_hash IN (SELECT unnest(?::VARCHAR[])) GROUP BY tx_hash""",
        [chain, wanted]).fetchall()}


def clusters_of(store: Store, chain: str, addresses: Iterable[str]) -> dict[str, tuple[int, int]]:
    """address -> (cluster id, the cluster's size) for those of `addresses` in a cluster of two or more."""
    wanted = sorted(set(addresses))
    if not wanted:
        return {}
    rows = store._con.execute(
        """WITH mine AS (SELECT address, cluster_id FROM clusters
                         WHERE chain = ? AND address IN (SELECT unnest(?::VARCHAR[])))
           SELECT m.address, m.cluster_id, count(*) FROM mine m JOIN clusters c
             ON c.chain = ? AND c.cluster_id = m.cluster_id
           GROUP BY m.address, m.cluster_id HAVING count(*) > 1""", [chain, wanted, chain]).fetchall()
    return {str(a): (int(c), int(n)) for a, c, n in rows}


def flagged_transfers(store: Store, chain: str, addresses: Iterable[str], since: int
                      ) -> list[tuple[str, str, str, str, int, int, str]]:
    """(tx, from, to, asset, amount, block, flag) of the poisoning transfers and the impersonating or spam
    token transfers sent or received by `addresses` from block `since` on (flag "poisoning" or
    "fake-token"), in chain order, at most FLAGGED_LIMIT."""
    touched = sorted(set(addresses))
    if not touched:
        return []
    rows = store._con.execute(
        """SELECT t.tx_hash, t.from_address, t.to_address, t.asset, t.amount::VARCHAR, t.block_number,
                  CASE WHEN EXISTS (SELECT 1 FROM poisoning_transfers p
                                    WHERE p.chain = t.chain AND p.tx_hash = t.tx_hash AND p.asset = t.asset
                                      AND p.from_address = t.from_address AND p.to_address = t.to_address)
                       THEN 'poisoning' ELSE 'fake-token' END
           FROM transfers t
           WHERE t.chain = ? AND t.block_number >= ?
             AND (t.from_address IN (SELECT unnest(?::VARCHAR[])) OR t.to_address IN (SELECT unnest(?::VARCHAR[])))
             AND (EXISTS (SELECT 1 FROM poisoning_transfers p
                          WHERE p.chain = t.chain AND p.tx_hash = t.tx_hash AND p.asset = t.asset
                            AND p.from_address = t.from_address AND p.to_address = t.to_address)
                  OR t.asset IN (SELECT asset FROM asset_trust
                                 WHERE chain = t.chain AND status IN ('impersonating', 'spam')))
           ORDER BY t.block_number, t.tx_index, t.seq LIMIT ?""",
        [chain, since, touched, touched, FLAGGED_LIMIT]).fetchall()
    return [(str(t), str(a), str(b), str(asset), int(v), int(blk), str(flag)) for t, a, b, asset, v, blk, flag in rows]
