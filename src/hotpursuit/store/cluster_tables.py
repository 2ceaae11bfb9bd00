"""Clustering state in the store: address ids, the union-find roots (the clusters table) and links."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from hotpursuit.cluster.bitcoin_heuristics import Link
from hotpursuit.cluster.union_find import IdArray
from hotpursuit.store.checkpoints import set_checkpoint
from hotpursuit.store.database import Store


def load_ids(store: Store, chain: str) -> dict[str, int]:
    """Address -> id for `chain`."""
    rows = store._con.execute("SELECT address, id FROM address_ids WHERE chain = ?", [chain]).fetchall()
    return {str(a): int(i) for a, i in rows}


def load_roots(store: Store, chain: str, n: int) -> IdArray:
    """The stored root of every id (ids without a row are their own root)."""
    parent = np.arange(n, dtype=np.int64)
    rows = store._con.execute(
        """SELECT i.id, c.cluster_id FROM clusters c JOIN address_ids i ON i.chain = c.chain AND i.address = c.address
           WHERE c.chain = ?""", [chain]).fetchnumpy()
    if len(rows["id"]):
        parent[rows["id"].astype(np.int64)] = rows["cluster_id"].astype(np.int64)
    return parent


def existing_links(store: Store, chain: str) -> set[tuple[str, str, str]]:
    """(a, b, reason) of the links already stored."""
    rows = store._con.execute("SELECT a, b, reason FROM cluster_links WHERE chain = ?", [chain]).fetchall()
    return {(str(a), str(b), str(r)) for a, b, r in rows}


def save_clustering(store: Store, chain: str, new_ids: dict[str, int], links: Sequence[Link],
                    ids: dict[str, int], roots: IdArray, checkpoint: tuple[str, int] | None) -> None:
    """Store new ids and links and rewrite the chain's cluster rows, atomically."""
    addresses = list(ids)
    id_array = np.fromiter((ids[a] for a in addresses), dtype=np.int64, count=len(addresses))
    table = pa.table({"address": addresses, "cluster_id": roots[id_array] if len(addresses) else id_array})
    new = pa.table({"address": list(new_ids), "id": list(new_ids.values())},
                   schema=pa.schema([("address", pa.string()), ("id", pa.int64())]))
    link_rows = pa.table({"a": [x.a for x in links], "b": [x.b for x in links], "reason": [x.reason for x in links],
                          "confidence": pa.array([x.confidence for x in links], pa.int32()),
                          "tx_hash": pa.array([x.tx_hash for x in links], pa.string())},
                         schema=pa.schema([("a", pa.string()), ("b", pa.string()), ("reason", pa.string()),
                                           ("confidence", pa.int32()), ("tx_hash", pa.string())]))
    with store.transaction(new_ids=new, new_links=link_rows, new_roots=table) as con:
        con.execute("INSERT INTO address_ids SELECT ?, address, id FROM new_ids", [chain])
        con.execute("INSERT INTO cluster_links SELECT ?, a, b, reason, confidence, tx_hash FROM new_links", [chain])
        con.execute("DELETE FROM clusters WHERE chain = ?", [chain])
        con.execute("""
            INSERT INTO clusters
            SELECT ?, r.address, r.cluster_id, coalesce(best.reason, 'alone'), coalesce(best.confidence, 100)
            FROM new_roots r LEFT JOIN (
                SELECT address, arg_max(reason, confidence) AS reason, max(confidence) AS confidence FROM (
                    SELECT a AS address, reason, confidence FROM cluster_links WHERE chain = ?
                    UNION ALL SELECT b, reason, confidence FROM cluster_links WHERE chain = ?)
                GROUP BY address) best ON best.address = r.address""", [chain, chain, chain])
        if checkpoint is not None:
            set_checkpoint(store, checkpoint[0], chain, checkpoint[1])
