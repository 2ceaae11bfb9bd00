"""The bridge_links table: a deposit with a memo on one chain, linked to its payout on another.

EVM ingest records each router `Deposit` with its memo and intended destination; when a Bitcoin
transaction whose OP_RETURN says `OUT:<deposit tx>` is stored, the link is completed with that
transaction, the address it paid and the amount.
"""

from __future__ import annotations

from collections.abc import Sequence

from hotpursuit.chains.bridge_memo import BridgeDeposit, outbound_reference, parse_swap_memo
from hotpursuit.store.database import Store


def replace_bridge_deposits(store: Store, chain: str, first: int, last: int,
                            deposits: Sequence[BridgeDeposit], source: str) -> None:
    """Replace the deposits of blocks `first..last` (call inside the chunk's transaction)."""
    store._con.execute("DELETE FROM bridge_links WHERE from_chain = ? AND from_block BETWEEN ? AND ?",
                      [chain, first, last])
    for d in deposits:
        swap = parse_swap_memo(d.memo)
        store._con.execute(
            """INSERT INTO bridge_links (from_chain, from_tx_hash, memo, to_chain, to_address, to_tx_hash,
                 amount_in, amount_out, source, from_block, from_log_index, from_asset)
               VALUES (?, ?, ?, ?, ?, NULL, ?::BIGNUM, NULL, ?, ?, ?, ?)""",
            [chain, d.tx_hash, d.memo, swap.to_chain if swap else "unknown", swap.to_address if swap else None,
             str(d.amount), source, d.block_number, d.log_index, d.asset])
    # a re-ingested deposit whose payout is stored already is linked again at once (not only when the next
    # payout block arrives)
    for to_chain in sorted({s.to_chain for d in deposits if (s := parse_swap_memo(d.memo)) is not None}):
        link_bitcoin_outputs(store, to_chain)


def link_bitcoin_outputs(store: Store, chain: str) -> int:
    """Complete open links whose payout (an `OUT:<hash>` output) is stored on `chain`; returns how many."""
    con = store._con
    open_refs = con.execute("SELECT DISTINCT from_tx_hash FROM bridge_links WHERE to_tx_hash IS NULL "
                            "AND to_chain = ?", [chain]).fetchall()
    if not open_refs:
        return 0
    memos = con.execute("SELECT tx_hash, memo FROM utxo_outputs WHERE chain = ? AND memo ILIKE 'OUT:%'",
                        [chain]).fetchall()
    payouts = {ref: str(tx) for tx, memo in memos if (ref := outbound_reference(memo)) is not None}
    linked = 0
    for (ref,) in open_refs:
        tx = payouts.get(str(ref))
        if tx is None:
            continue
        con.execute(
            """UPDATE bridge_links SET to_tx_hash = ?, amount_out = (
                 SELECT sum(value) FROM utxo_outputs o WHERE o.chain = ? AND o.tx_hash = ?
                   AND o.address = bridge_links.to_address)
               WHERE from_tx_hash = ? AND to_chain = ? AND to_tx_hash IS NULL""",
            [tx, chain, tx, ref, chain])
        linked += 1
    return linked


def bridge_link_counts(store: Store) -> tuple[int, int]:
    """(deposits whose payout is linked, deposits)."""
    row = store._con.execute("SELECT count(to_tx_hash), count(*) FROM bridge_links").fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)
