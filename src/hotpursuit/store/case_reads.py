"""What building a scam case reads from the chain data: the transfers a victim's report may point to,
where its transactions are if not on the chain it names, whether an address ever received anything, and
the payments into the ring's collectors with their payers' own traffic (to find the ring's other deposit
addresses)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyarrow as pa

from hotpursuit.cluster.evm_deposit import Move
from hotpursuit.store.database import Store
from hotpursuit.victim_reports.payment_match import ChainTransfer


@dataclass(frozen=True, slots=True)
class CandidateSearch:
    """What one report asks for: the transfers of its transactions, and those from its senders or to the
    address it paid within its window (Unix times; None: at any time)."""

    key: str
    txs: Sequence[str]
    senders: Sequence[str]
    receivers: Sequence[str]
    window: tuple[int, int] | None


def payment_candidates(store: Store, chain: str,
                       searches: Sequence[CandidateSearch]) -> dict[str, list[ChainTransfer]]:
    """key -> the transfers each search may point to, in chain order: for every report at once, in one pass
    over the transfers (hash joins on tx hash, sender and receiver), so a thousand reports cost about what
    one does. A transfer whose block time the store lacks (an explorer export gives none) is a candidate
    at any date: the amount has to pick it."""
    rows: dict[str, list[object]] = {"k": [], "kind": [], "v": [], "lo": [], "hi": []}
    for s in searches:
        lo, hi = s.window if s.window is not None else (None, None)
        for kind, values in (("tx", s.txs), ("from", s.senders), ("to", s.receivers)):
            for v in dict.fromkeys(values):
                rows["k"].append(s.key)
                rows["kind"].append(kind)
                rows["v"].append(v)
                rows["lo"].append(None if kind == "tx" else lo)
                rows["hi"].append(None if kind == "tx" else hi)
    wanted = pa.table({"k": pa.array(rows["k"], pa.string()), "kind": pa.array(rows["kind"], pa.string()),
                       "v": pa.array(rows["v"], pa.string()), "lo": pa.array(rows["lo"], pa.int64()),
                       "hi": pa.array(rows["hi"], pa.int64())})
    found: dict[str, set[ChainTransfer]] = defaultdict(set)
    with store.transaction(case_searches=wanted) as con:
        result = con.execute(
            """WITH hits AS (
                  SELECT w.k, w.kind, w.lo, w.hi, t.* FROM case_searches w JOIN transfers t ON t.tx_hash = w.v
                    WHERE w.kind = 'tx' AND t.chain = $chain
                  UNION ALL SELECT w.k, w.kind, w.lo, w.hi, t.* FROM case_searches w
                    JOIN transfers t ON t.from_address = w.v WHERE w.kind = 'from' AND t.chain = $chain
                  UNION ALL SELECT w.k, w.kind, w.lo, w.hi, t.* FROM case_searches w
                    JOIN transfers t ON t.to_address = w.v WHERE w.kind = 'to' AND t.chain = $chain)
               SELECT h.k, h.block_number, b.timestamp, h.tx_hash, h.tx_index, h.seq, h.from_address,
                      h.to_address, h.asset, h.amount::VARCHAR
               FROM hits h LEFT JOIN blocks b ON b.chain = h.chain AND b.number = h.block_number
               WHERE h.kind = 'tx' OR h.lo IS NULL OR b.timestamp IS NULL OR b.timestamp BETWEEN h.lo AND h.hi""",
            {"chain": chain}).fetchall()
    for r in result:
        when = None if r[2] is None else int(r[2])
        found[r[0]].add(ChainTransfer(int(r[1]), when, r[3], int(r[4]), int(r[5]), r[6], r[7], r[8], int(r[9])))
    return {s.key: sorted(found.get(s.key, set()), key=lambda c: (c.block, c.tx_index, c.seq)) for s in searches}


def chains_holding(store: Store, txs: Iterable[str]) -> dict[str, list[str]]:
    """tx hash -> the chains whose transfers or transactions hold it."""
    wanted = sorted(set(txs))
    rows = store._con.execute(
        """SELECT DISTINCT hash, chain FROM (
               SELECT tx_hash AS hash, chain FROM transfers WHERE list_contains($txs, tx_hash)
               UNION ALL SELECT hash, chain FROM transactions WHERE list_contains($txs, hash))
           ORDER BY hash, chain""", {"txs": wanted}).fetchall()
    found: dict[str, list[str]] = {}
    for tx, chain in rows:
        found.setdefault(tx, []).append(chain)
    return found


def ever_received(store: Store, chain: str, addresses: Iterable[str]) -> set[str]:
    """Those of `addresses` that received any transfer of value on `chain`."""
    rows = store._con.execute("""SELECT DISTINCT to_address FROM transfers
                                 WHERE chain = ? AND list_contains(?, to_address) AND amount > 0""",
                              [chain, sorted(set(addresses))]).fetchall()
    return {r[0] for r in rows}


def payers_traffic(store: Store, chain: str, into: Iterable[str], *, since: int, ignored: Iterable[str]) -> list[Move]:
    """Every transfer of value (from block `since`, `ignored` assets left out) to or from an address that
    paid one of `into`: what the deposit-address rule needs to see who forwards to them."""
    rows = store._con.execute(
        """WITH payers AS (SELECT DISTINCT from_address AS a FROM transfers
                           WHERE chain = $chain AND block_number >= $since AND list_contains($into, to_address)
                             AND amount > 0)
           SELECT block_number, from_address, to_address, asset, amount::VARCHAR, tx_hash FROM transfers
           WHERE chain = $chain AND block_number >= $since AND amount > 0 AND NOT list_contains($ignored, asset)
             AND (from_address IN (SELECT a FROM payers) OR to_address IN (SELECT a FROM payers))
           ORDER BY block_number, tx_index, seq""",
        {"chain": chain, "since": since, "into": sorted(set(into)), "ignored": sorted(set(ignored))}).fetchall()
    return [Move(int(r[0]), r[1], r[2], r[3], int(r[4]), r[5]) for r in rows]
