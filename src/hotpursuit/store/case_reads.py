"""What building a scam case reads from the chain data: the transfers a victim's report may point to,
where its transactions are if not on the chain it names, whether an address ever received anything, and
the payments into the ring's collectors with their payers' own traffic (to find the ring's other deposit
addresses)."""

from __future__ import annotations

from collections.abc import Iterable

from hotpursuit.cluster.evm_deposit import Move
from hotpursuit.store.database import Store
from hotpursuit.victim_reports.payment_match import ChainTransfer

_TRANSFER = """SELECT t.block_number, coalesce(b.timestamp, 0), t.tx_hash, t.tx_index, t.seq, t.from_address,
                      t.to_address, t.asset, t.amount::VARCHAR
               FROM transfers t LEFT JOIN blocks b ON b.chain = t.chain AND b.number = t.block_number"""


def payment_candidates(store: Store, chain: str, *, txs: Iterable[str], senders: Iterable[str],
                       receivers: Iterable[str], window: tuple[int, int] | None) -> list[ChainTransfer]:
    """The transfers in `txs`, and those from `senders` or to `receivers` within `window` (Unix times;
    None: at any time), in chain order."""
    start, end = window if window is not None else (None, None)
    rows = store._con.execute(
        f"""{_TRANSFER}
            WHERE t.chain = $chain AND (list_contains($txs, t.tx_hash)
               OR ((list_contains($senders, t.from_address) OR list_contains($receivers, t.to_address))
                   AND ($start IS NULL OR b.timestamp BETWEEN $start AND $end)))
            ORDER BY t.block_number, t.tx_index, t.seq""",
        {"chain": chain, "txs": sorted(set(txs)), "senders": sorted(set(senders)),
         "receivers": sorted(set(receivers)), "start": start, "end": end}).fetchall()
    return [ChainTransfer(int(r[0]), int(r[1]), r[2], int(r[3]), int(r[4]), r[5], r[6], r[7], int(r[8])) for r in rows]


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
