"""Loading `scale cluster`'s output (`address_clusters/`, `cluster_links/` of a Parquet export) into the
store's clusters, address_ids and cluster_links, replacing each chain's clustering whole."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from hotpursuit.errors import StoreError
from hotpursuit.store.checkpoints import set_checkpoint
from hotpursuit.store.database import Store

STATE_FILE = "_state.json"


def _glob(folder: Path) -> str:
    return str(folder / "*.parquet").replace("'", "''")


def import_clusters(store: Store, con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Replace the clustering of every chain under `folder/address_clusters/` (inside the caller's
    transaction); returns rows loaded per table."""
    counts = {"address_clusters": 0, "cluster_links": 0}
    root = folder / "address_clusters"
    for chain_dir in sorted(root.glob("chain=*")) if root.is_dir() else []:
        chain = chain_dir.name.removeprefix("chain=")
        if not any(chain_dir.glob("*.parquet")):
            raise StoreError(f"{chain_dir}: no Parquet files (an unfinished `scale cluster`?)")
        clusters = f"read_parquet('{_glob(chain_dir)}')"
        con.execute("DELETE FROM clusters WHERE chain = ?", [chain])
        con.execute("DELETE FROM address_ids WHERE chain = ?", [chain])
        con.execute("DELETE FROM cluster_links WHERE chain = ?", [chain])
        row = con.execute(f"INSERT INTO address_ids SELECT ?, address, address_id FROM {clusters}",
                          [chain]).fetchone()
        counts["address_clusters"] += int(row[0]) if row else 0
        con.execute(f"INSERT INTO clusters SELECT ?, address, cluster_id, reason, confidence FROM {clusters}",
                    [chain])
        links_dir = folder / "cluster_links" / chain_dir.name
        if links_dir.is_dir() and any(links_dir.glob("*.parquet")):
            row = con.execute(f"""INSERT INTO cluster_links SELECT DISTINCT ON (a, b, reason) ?, a, b, reason,
                                  confidence, tx_hash FROM read_parquet('{_glob(links_dir)}')""", [chain]).fetchone()
            counts["cluster_links"] += int(row[0]) if row else 0
        state_path = chain_dir / STATE_FILE
        if state_path.exists():
            state = json.loads(state_path.read_text(encoding="utf-8"))
            if state.get("kind") == "bitcoin" and state.get("top_block") is not None:
                set_checkpoint(store, f"cluster:{chain}", chain, int(state["top_block"]))
    return counts
