"""What a trace reads: the incident's chain and first block, the movements a trace may touch (as a
temporary extract the job walks with the numpy transfer index), and what passed through the traced
addresses in assets the trace ignores."""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType

import numpy as np

from hotpursuit.store.asset_trust_tables import NOT_POISONING
from hotpursuit.store.database import Store
from hotpursuit.trace.movement import Movement


def incident_chain_since(store: Store, incident: str) -> tuple[str, int] | None:
    """(chain, first block, 0 if unset) of an incident; None if there is none of that id."""
    row = store._con.execute("SELECT chain, coalesce(since_block, 0) FROM incidents WHERE id = ?",
                            [incident]).fetchone()
    return None if row is None else (str(row[0]), int(row[1]))


def asset_traffic(store: Store, chain: str, since: int, assets: Iterable[str],
                  addresses: Iterable[str]) -> dict[str, tuple[int, int]]:
    """asset -> (movements, amount) of `assets` sent or received by `addresses` from block `since` on."""
    touched = sorted(set(addresses))
    return {str(a): (int(n), int(v)) for a, n, v in store._con.execute(
        """SELECT asset, count(*), sum(amount)::VARCHAR FROM transfers
           WHERE chain = ? AND block_number >= ? AND asset IN (SELECT unnest(?::VARCHAR[]))
             AND (from_address IN (SELECT unnest(?::VARCHAR[])) OR to_address IN (SELECT unnest(?::VARCHAR[])))
           GROUP BY asset""", [chain, since, sorted(set(assets)), touched, touched]).fetchall()}


class TraceExtract:
    """The chain's movements from `since` on, numbered in chain order, that carry value in an asset not
    `ignored` and are no poisoning transfer; addresses numbered too. A context manager: the temporary
    tables go when it closes."""

    def __init__(self, store: Store, chain: str, since: int, ignored: Iterable[str]) -> None:
        self._con = store._con
        self._con.execute(f"""CREATE OR REPLACE TEMP TABLE trace_moves AS
                   SELECT (row_number() OVER (ORDER BY block_number, tx_index, seq) - 1)::BIGINT AS pos, t.*
                   FROM transfers t
                   WHERE t.chain = $c AND t.block_number >= $since AND t.amount <> 0::BIGNUM
                     AND t.asset NOT IN (SELECT unnest($ignored::VARCHAR[]))
                     AND {NOT_POISONING}""",
                          {"c": chain, "since": since, "ignored": sorted(set(ignored))})
        self._con.execute("""CREATE OR REPLACE TEMP TABLE trace_ids AS
                   SELECT address, (row_number() OVER (ORDER BY address) - 1)::BIGINT AS id FROM (
                       SELECT from_address AS address FROM trace_moves UNION SELECT to_address FROM trace_moves)""")

    def __enter__(self) -> TraceExtract:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._con.execute("DROP TABLE IF EXISTS trace_moves")
        self._con.execute("DROP TABLE IF EXISTS trace_ids")

    def edges(self) -> tuple[np.ndarray, np.ndarray, int]:
        """(sender ids, receiver ids) per movement in chain order, and how many addresses there are."""
        arrays = self._con.execute("""SELECT f.id AS s, r.id AS r FROM trace_moves m
                            JOIN trace_ids f ON f.address = m.from_address JOIN trace_ids r ON r.address = m.to_address
                            ORDER BY m.pos""").fetchnumpy()
        n = self._con.execute("SELECT count(*) FROM trace_ids").fetchone()
        return arrays["s"].astype(np.int64), arrays["r"].astype(np.int64), int(n[0]) if n else 0

    def positions_in(self, txs: Iterable[str]) -> np.ndarray:
        """The positions of the movements of these transactions."""
        return self._con.execute("SELECT pos FROM trace_moves WHERE tx_hash IN (SELECT unnest(?::VARCHAR[]))",
                                 [sorted(set(txs))]).fetchnumpy()["pos"].astype(np.int64)

    def ids_of(self, addresses: Iterable[str]) -> np.ndarray:
        """The ids of these addresses (those that moved anything)."""
        return self._con.execute("SELECT id FROM trace_ids WHERE address IN (SELECT unnest(?::VARCHAR[]))",
                                 [sorted(set(addresses))]).fetchnumpy()["id"].astype(np.int64)

    def movements_at(self, positions: np.ndarray) -> list[Movement]:
        """The movements at these positions, in chain order."""
        rows = self._con.execute("""SELECT block_number, tx_index, seq, tx_hash, from_address, to_address, asset,
                                     amount::VARCHAR FROM trace_moves WHERE pos IN (SELECT unnest(?::BIGINT[]))
                              ORDER BY pos""", [positions.tolist()]).fetchall()
        return [Movement((int(b), int(i), int(q)), str(h), str(f), str(t), str(a), int(x))
                for b, i, q, h, f, t, a, x in rows]


def movements_between(store: Store, chain: str, first: int, last: int, ignored: Iterable[str]) -> list[Movement]:
    """The value-carrying movements of blocks first..last in chain order, without assets `ignored` and
    without the assessment's poisoning transfers (dust to look-alikes carries no taint, as in a trace)."""
    return [Movement((int(b), int(i), int(q)), str(h), str(f), str(t), str(a), int(x))
            for b, i, q, h, f, t, a, x in store._con.execute(
                f"""SELECT block_number, tx_index, seq, tx_hash, from_address, to_address, asset, amount::VARCHAR
                   FROM transfers t WHERE chain = ? AND block_number BETWEEN ? AND ? AND amount <> 0::BIGNUM
                     AND asset NOT IN (SELECT unnest(?::VARCHAR[]))
                     AND {NOT_POISONING}
                   ORDER BY block_number, tx_index, seq""", [chain, first, last, sorted(set(ignored))]).fetchall()]


def txs_with_movements(store: Store, chain: str, txs: Iterable[str]) -> set[str]:
    """Which of these transactions the store holds any movement of (in any asset, zero values included)."""
    wanted = sorted(set(txs))
    if not wanted:
        return set()
    return {str(t) for (t,) in store._con.execute(
        "SELECT DISTINCT tx_hash FROM transfers WHERE chain = ? AND tx_hash IN (SELECT unnest(?::VARCHAR[]))",
        [chain, wanted]).fetchall()}
