"""Summary figures of what the store holds, per chain and transfer kind."""

from __future__ import annotations

from dataclasses import dataclass

from hotpursuit.store.database import Store


@dataclass(frozen=True)
class ChainSummary:
    """Counts for one chain and one transfer kind."""

    chain: str
    kind: str
    asset: str
    transfers: int
    amount: int
    first_block: int
    last_block: int


def transfer_summary(store: Store) -> list[ChainSummary]:
    """Transfers per chain, kind and asset (symbol where known), with exact total amounts."""
    rows = store._con.execute("""
        SELECT t.chain, t.kind, coalesce(k.symbol, t.asset) AS asset, count(*), sum(t.amount)::VARCHAR,
               min(t.block_number), max(t.block_number)
        FROM transfers t LEFT JOIN tokens k ON k.chain = t.chain AND k.address = t.asset
        GROUP BY ALL ORDER BY 1, 2, 4 DESC""").fetchall()
    return [ChainSummary(str(r[0]), str(r[1]), str(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]))
            for r in rows]


def table_counts(store: Store) -> dict[str, int]:
    """Row counts of the chain tables."""
    out = {}
    for table in ("blocks", "transactions", "transfers", "tokens"):
        row = store._con.execute(f"SELECT count(*) FROM {table}").fetchone()
        out[table] = int(row[0]) if row else 0
    return out


def zero_value_transfers(store: Store, chain: str, first: int, last: int) -> int:
    """How many stored movements of blocks `first..last` move nothing (zero-value Transfer logs)."""
    row = store._con.execute("""SELECT count(*) FROM transfers WHERE chain = ? AND block_number BETWEEN ? AND ?
                               AND amount = 0::BIGNUM""", [chain, first, last]).fetchone()
    return int(row[0]) if row else 0


def known_chains(store: Store) -> set[str]:
    """Every chain the store holds labels, movements or outputs of."""
    return {str(c) for (c,) in store._con.execute(
        """SELECT chain FROM labels UNION SELECT chain FROM transfers UNION SELECT chain FROM utxo_outputs
           UNION SELECT chain FROM incidents""").fetchall()}


def addresses_in_tx(store: Store, chain: str, tx_hash: str) -> list[str]:
    """Every address a transaction moved value between (account movements, UTXO inputs and outputs)."""
    return sorted(str(a) for (a,) in store._con.execute(
        """SELECT from_address FROM transfers WHERE chain = $c AND tx_hash = $h
           UNION SELECT to_address FROM transfers WHERE chain = $c AND tx_hash = $h
           UNION SELECT address FROM utxo_outputs WHERE chain = $c AND tx_hash = $h AND address IS NOT NULL
           UNION SELECT address FROM utxo_inputs WHERE chain = $c AND tx_hash = $h AND address IS NOT NULL""",
        {"c": chain, "h": tx_hash}).fetchall())
