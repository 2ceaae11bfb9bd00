"""Merging imported movements into `transfers` by row identity: keep everything, store nothing twice.

A movement's identity:
  * ``native``: (chain, tx hash, 'native'), one per transaction;
  * ``erc20`` with a log index: (chain, tx hash, 'erc20', log index);
  * ``internal`` with a node trace address: (chain, tx hash, 'internal', trace address);
  * without them (Etherscan's ERC-20 CSV, internal transactions from any explorer) the identity is
    synthetic: (chain, tx hash, kind, asset, from, to, amount, occurrence among identical rows in the tx).
For each synthetic key, every source (the store so far, each file of the import) claims a number of
identical movements (its precise and synthetic rows with that key); the merged count is the largest
claim, and precise rows count first: a synthetic row is replaced as soon as a file brings the precise
one, and a later synthetic import of it adds nothing. A precise identity stored with other content
(another amount, sender, receiver or asset) is refused, naming both.

Rows of the blocks an import touches are rewritten with the merged set (nothing a file does not
mention is lost) and renumbered so that (block_number, tx_index, seq) is a total, content-determined
order: a transaction's position is its known `tx_index` (from any source, the `transactions` table
included; two different known positions are refused) or -1 when no source knows it; within a
transaction, its native value, then internal movements (trace address order, then synthetic ones by
from, to, amount), then ERC-20 movements (log index order, then synthetic ones by token, from, to,
amount). `seq` counts from 0 per transaction of known position; transactions of unknown position share
the block's -1 slot, ordered by tx hash, and `seq` runs across them so the order stays total.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from hotpursuit.errors import IngestError

INCOMING_COLUMNS = ("block_number BIGINT, tx_hash VARCHAR, tx_index INTEGER, kind VARCHAR, log_index INTEGER, "
                    "trace_address VARCHAR, from_address VARCHAR, to_address VARCHAR, asset VARCHAR, "
                    "amount BIGNUM, source VARCHAR, file_id INTEGER, line BIGINT, rid BIGINT")

_PRECISE = ("(kind = 'native' OR (kind = 'erc20' AND log_index IS NOT NULL) "
            "OR (kind = 'internal' AND trace_address IS NOT NULL))")
_IDENTITY = "tx_hash, kind, coalesce(log_index, -1), coalesce(trace_address, '')"
_KEY = "tx_hash, kind, asset, from_address, to_address, amount"


@dataclass
class MergeCounts:
    """What a merge did: rows added and already stored per file id, synthetic rows replaced by precise ones."""

    added: dict[int, int] = field(default_factory=dict)
    already_stored: dict[int, int] = field(default_factory=dict)
    replaced: int = 0

    @property
    def total_added(self) -> int:
        """Rows added over all files."""
        return sum(self.added.values())


def merge_transfers(con: duckdb.DuckDBPyConnection, chain: str, incoming: str,
                    files: dict[int, str]) -> MergeCounts:
    """Merge temp table `incoming` (INCOMING_COLUMNS) into `transfers`; call inside a transaction.
    `files` names each file id for error messages."""
    params = {"c": chain}
    if _nothing_to_merge(con, chain, incoming):
        return _insert_fresh(con, chain, incoming)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE merge_blocks AS SELECT DISTINCT block_number FROM {incoming}""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE merge_all AS
        SELECT 0 AS origin, -1 AS file_id, -1::BIGINT AS line, -1::BIGINT AS rid, t.block_number, t.tx_hash,
               t.tx_index, t.kind, t.log_index, t.trace_address, t.from_address, t.to_address, t.asset, t.amount,
               t.source
        FROM transfers t SEMI JOIN merge_blocks b ON b.block_number = t.block_number WHERE t.chain = $c
        UNION ALL
        SELECT 1, file_id, line, rid, block_number, tx_hash, tx_index, kind, log_index, trace_address,
               lower(from_address), lower(to_address), asset, amount, source FROM {incoming}""", params)
    _refuse_conflicts(con, files)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE merge_kept AS
        WITH precise AS (
            SELECT DISTINCT ON ({_IDENTITY}) * FROM merge_all WHERE {_PRECISE}
            ORDER BY {_IDENTITY}, origin, file_id, line, rid),
        synthetic AS (
            SELECT *, row_number() OVER (PARTITION BY {_KEY} ORDER BY origin, file_id, line, rid) AS rn
            FROM merge_all WHERE NOT {_PRECISE}),
        claims AS (  -- per source, how many identical movements it holds under each synthetic key
            SELECT {_KEY}, max(n) AS claimed FROM (
                SELECT {_KEY}, origin, file_id,
                       count(DISTINCT CASE WHEN {_PRECISE} THEN coalesce(log_index::VARCHAR, trace_address) END)
                       + count(*) FILTER (WHERE NOT {_PRECISE}) AS n
                FROM merge_all a SEMI JOIN (SELECT DISTINCT {_KEY} FROM synthetic) USING ({_KEY})
                GROUP BY ALL)
            GROUP BY ALL),
        precise_count AS (
            SELECT {_KEY}, count(*) AS p FROM precise SEMI JOIN (SELECT DISTINCT {_KEY} FROM synthetic) USING ({_KEY})
            GROUP BY ALL)
        SELECT * FROM precise
        UNION ALL
        SELECT s.* EXCLUDE (rn, claimed, p) FROM (
            SELECT s.*, c.claimed, coalesce(pc.p, 0) AS p FROM synthetic s
            JOIN claims c USING ({_KEY}) LEFT JOIN precise_count pc USING ({_KEY})) s
        WHERE s.rn <= s.claimed - s.p""")
    positions = _positions(con, chain, files)
    counts = MergeCounts()
    for file_id, total, kept in con.execute(f"""
            SELECT i.file_id, i.n, coalesce(k.n, 0) FROM (SELECT file_id, count(*) AS n FROM {incoming} GROUP BY ALL) i
            LEFT JOIN (SELECT file_id, count(*) AS n FROM merge_kept WHERE origin = 1 GROUP BY ALL) k USING (file_id)
            """).fetchall():
        counts.added[int(file_id)] = int(kept)
        counts.already_stored[int(file_id)] = int(total) - int(kept)
    row = con.execute(f"""SELECT (SELECT count(*) FROM merge_all WHERE origin = 0 AND NOT {_PRECISE})
                                 - (SELECT count(*) FROM merge_kept WHERE origin = 0 AND NOT {_PRECISE})""").fetchone()
    counts.replaced = int(row[0]) if row else 0
    con.execute("DELETE FROM transfers WHERE chain = $c AND block_number IN (SELECT block_number FROM merge_blocks)",
                params)
    _insert_numbered(con, chain, f"""SELECT k.* EXCLUDE (tx_index, origin, file_id, line, rid),
                                        coalesce(p.position, -1) AS tx_index
                                    FROM merge_kept k LEFT JOIN {positions} p USING (tx_hash)""")
    for table in ("merge_blocks", "merge_all", "merge_kept", positions):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return counts


def _nothing_to_merge(con: duckdb.DuckDBPyConnection, chain: str, incoming: str) -> bool:
    """True when the store holds no movement in the incoming blocks and the incoming rows are all precise
    and distinct: a bulk load into fresh blocks, inserted without the merge's joins."""
    row = con.execute(f"""SELECT min(block_number), max(block_number), count(*) FILTER (WHERE NOT {_PRECISE}),
                                 count(*) - count(DISTINCT ({_IDENTITY})) FROM {incoming}""").fetchone()
    if row is None or row[0] is None or row[2] or row[3]:
        return row is not None and row[0] is None
    stored = con.execute("SELECT 1 FROM transfers WHERE chain = ? AND block_number BETWEEN ? AND ? LIMIT 1",
                         [chain, row[0], row[1]]).fetchone()
    return stored is None


def _insert_fresh(con: duckdb.DuckDBPyConnection, chain: str, incoming: str) -> MergeCounts:
    counts = MergeCounts()
    for file_id, n in con.execute(f"SELECT file_id, count(*) FROM {incoming} GROUP BY ALL").fetchall():
        counts.added[int(file_id)] = int(n)
        counts.already_stored[int(file_id)] = 0
    unplaced = con.execute(f"SELECT count(*) FROM {incoming} WHERE tx_index < 0").fetchone()
    if unplaced is None or unplaced[0] == 0:
        _insert_numbered(con, chain, f"SELECT * EXCLUDE (file_id, line, rid) FROM {incoming}")
        return counts
    _insert_numbered(con, chain, f"""
        SELECT i.* EXCLUDE (tx_index, file_id, line, rid),
               CASE WHEN i.tx_index >= 0 THEN i.tx_index ELSE coalesce(x.tx_index, -1) END AS tx_index
        FROM {incoming} i LEFT JOIN (SELECT hash, tx_index FROM transactions WHERE chain = '{chain.replace("'", "")}')
             x ON x.hash = i.tx_hash""")
    return counts


def _insert_numbered(con: duckdb.DuckDBPyConnection, chain: str, rows_sql: str) -> None:
    """Insert `rows_sql` (transfers columns but chain and seq) numbered in the order the module docstring states."""
    con.execute(f"""INSERT INTO transfers
        SELECT $c, block_number, tx_hash, tx_index,
               (row_number() OVER (PARTITION BY block_number, CASE WHEN tx_index >= 0 THEN tx_hash END
                                   ORDER BY tx_hash, rank, sub_order, asset, from_address, to_address, amount)
                - 1)::INTEGER,
               kind, log_index, trace_address, from_address, to_address, asset, amount, source
        FROM (SELECT *, CASE kind WHEN 'native' THEN 0 WHEN 'internal' THEN 1 ELSE 2 END AS rank,
                     CASE WHEN log_index IS NOT NULL THEN [log_index]
                          WHEN trace_address IS NOT NULL AND trace_address <> ''
                          THEN string_split(trace_address, ',')::INTEGER[] END AS sub_order
              FROM ({rows_sql}))""", {"c": chain})


def _refuse_conflicts(con: duckdb.DuckDBPyConnection, files: dict[int, str]) -> None:
    """A precise identity held with two different contents is refused, naming both places."""
    row = con.execute(f"""
        SELECT tx_hash, kind, log_index, trace_address,
               list(DISTINCT [from_address, to_address, asset, amount::VARCHAR, origin::VARCHAR, file_id::VARCHAR,
                              line::VARCHAR, source] ORDER BY [from_address, to_address, asset, amount::VARCHAR,
                              origin::VARCHAR, file_id::VARCHAR, line::VARCHAR, source])
        FROM merge_all WHERE {_PRECISE}
        GROUP BY tx_hash, kind, log_index, trace_address
        HAVING count(DISTINCT [from_address, to_address, asset, amount::VARCHAR]) > 1
        ORDER BY tx_hash LIMIT 1""").fetchone()
    if row is None:
        return
    tx, kind, log_index, trace, versions = row
    where = f"log {log_index}" if log_index is not None else (f"trace {trace}" if trace else "its value")
    shown = []
    for sender, receiver, asset, amount, origin, file_id, line, source in versions[:2]:
        place = f"the store ({source})" if origin == "0" else f"{files.get(int(file_id), '?')}:{line}"
        shown.append(f"{sender} -> {receiver} {amount} {asset} in {place}")
    raise IngestError(f"tx {tx} {kind} {where}: two different movements under one identity: "
                      f"{'; '.join(shown)}; nothing stored")


def _positions(con: duckdb.DuckDBPyConnection, chain: str, files: dict[int, str]) -> str:
    """Temp table (tx_hash, position): each merged transaction's known index, refusing two known ones."""
    con.execute("""CREATE OR REPLACE TEMP TABLE merge_positions AS
        SELECT tx_hash, min(i) AS position, count(DISTINCT i) AS known FROM (
            SELECT tx_hash, tx_index AS i FROM merge_kept WHERE tx_index >= 0
            UNION ALL
            SELECT x.hash, x.tx_index FROM transactions x SEMI JOIN merge_kept k ON k.tx_hash = x.hash
            WHERE x.chain = $c AND x.tx_index >= 0)
        GROUP BY tx_hash""", {"c": chain})
    row = con.execute("""SELECT p.tx_hash, list(DISTINCT k.tx_index ORDER BY k.tx_index)
                         FROM merge_positions p JOIN merge_kept k USING (tx_hash)
                         WHERE p.known > 1 GROUP BY p.tx_hash ORDER BY p.tx_hash LIMIT 1""").fetchone()
    if row is not None:
        raise IngestError(f"tx {row[0]}: sources disagree on its position in the block ({row[1]}); nothing stored")
    return "merge_positions"
