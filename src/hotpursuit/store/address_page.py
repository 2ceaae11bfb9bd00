"""The facts of an address page: balances, first/last seen, counterparties, cluster and its labels."""

from __future__ import annotations

from dataclasses import dataclass, field

from hotpursuit.cluster.bitcoin_heuristics import Link
from hotpursuit.cluster.inheritance import inheritance_path
from hotpursuit.store.asset_trust_tables import NOT_POISONING, load_poisoning
from hotpursuit.store.database import Store
from hotpursuit.store.label_tables import StoredClaim, claims_for


@dataclass
class AddressPage:
    """Everything the store knows about one address."""

    chain: str
    address: str
    claims: list[StoredClaim]
    balances: dict[str, int] = field(default_factory=dict)
    first_seen: int | None = None
    last_seen: int | None = None
    first_seen_at: int | None = None  # Unix time of those blocks, where the store holds them
    last_seen_at: int | None = None
    counterparties: list[tuple[str, str, int, int]] = field(default_factory=list)  # address, asset, n, amount
    cluster_id: int | None = None
    cluster_size: int = 1
    cluster_reason: str | None = None
    entity: StoredClaim | None = None
    entity_address: str | None = None
    inherited_via: list[Link] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # look-alike / poisoning, fake assets held


def block_times(store: Store, chain: str, numbers: list[int]) -> dict[int, int]:
    """Block number -> its Unix time, for the blocks of `numbers` the store holds."""
    if not numbers:
        return {}
    return {int(n): int(t) for n, t in store._con.execute(
        "SELECT number, timestamp FROM blocks WHERE chain = ? AND list_contains(?, number)",
        [chain, sorted(set(numbers))]).fetchall()}


def address_page(store: Store, chain: str, address: str, *, limit: int = 5, offset: int = 0) -> AddressPage:
    """Build the page (EVM transfers or Bitcoin outputs, whichever the chain has), with the `limit`
    busiest counterparties after the first `offset`."""
    con = store._con
    page = AddressPage(chain, address, claims_for(store, chain, address))
    evm = con.execute("SELECT count(*) FROM transfers WHERE chain = ? AND (from_address = ? OR to_address = ?)",
                      [chain, address, address]).fetchone()
    if evm and evm[0]:
        rows = con.execute(
            """SELECT asset, (sum(CASE WHEN to_address = $a THEN amount ELSE 0 END)
                            - sum(CASE WHEN from_address = $a THEN amount ELSE 0 END))::VARCHAR,
                      min(block_number), max(block_number)
               FROM transfers WHERE chain = $c AND (from_address = $a OR to_address = $a) GROUP BY asset""",
            {"a": address, "c": chain}).fetchall()
        page.balances = {str(a): int(b) for a, b, _, _ in rows}
        page.first_seen = min(int(r[2]) for r in rows)
        page.last_seen = max(int(r[3]) for r in rows)
        # real counterparties only: no zero-value, impersonating or spam transfers, no poisoning transfers
        page.counterparties = [(str(c), str(a), int(n), int(x)) for c, a, n, x in con.execute(
            f"""SELECT CASE WHEN t.from_address = $a THEN t.to_address ELSE t.from_address END AS other, t.asset,
                      count(*) AS n, sum(t.amount)::VARCHAR
               FROM transfers t
               WHERE t.chain = $c AND (t.from_address = $a OR t.to_address = $a) AND t.amount <> 0::BIGNUM
                 AND t.asset NOT IN (SELECT asset FROM asset_trust
                                     WHERE chain = $c AND status IN ('impersonating', 'spam'))
                 AND {NOT_POISONING}
               GROUP BY ALL ORDER BY n DESC, other, asset LIMIT $l OFFSET $o""",
            {"a": address, "c": chain, "l": limit, "o": offset}).fetchall()]
    else:
        row = con.execute(
            """SELECT coalesce(sum(o.value) FILTER (WHERE i.tx_hash IS NULL), 0)::VARCHAR,
                      min(o.block_number), max(coalesce(i.block_number, o.block_number))
               FROM utxo_outputs o LEFT JOIN utxo_inputs i ON i.chain = o.chain AND i.spent_tx_hash = o.tx_hash
                    AND i.spent_output_index = o.output_index
               WHERE o.chain = ? AND o.address = ?""", [chain, address]).fetchone()
        if row and row[1] is not None:
            page.balances = {"BTC": int(row[0])}
            page.first_seen, page.last_seen = int(row[1]), int(row[2])
            page.counterparties = [(str(c), "BTC", int(n), int(x)) for c, n, x in con.execute(
                """SELECT o.address, count(*) AS n, sum(o.value)::VARCHAR FROM utxo_outputs o
                   WHERE o.chain = ? AND o.address IS NOT NULL AND o.address <> ? AND o.tx_hash IN (
                       SELECT tx_hash FROM utxo_inputs WHERE chain = ? AND address = ?)
                   GROUP BY 1 ORDER BY n DESC, 1 LIMIT ? OFFSET ?""",
                [chain, address, chain, address, limit, offset]).fetchall()]
    page.warnings = poisoning_warnings(store, chain, address)
    times = block_times(store, chain, [n for n in (page.first_seen, page.last_seen) if n is not None])
    page.first_seen_at = times.get(page.first_seen) if page.first_seen is not None else None
    page.last_seen_at = times.get(page.last_seen) if page.last_seen is not None else None
    cluster = con.execute("SELECT cluster_id, reason FROM clusters WHERE chain = ? AND address = ?",
                          [chain, address]).fetchone()
    if cluster is None:
        return page
    page.cluster_id, page.cluster_reason = int(cluster[0]), str(cluster[1])
    members = [str(r[0]) for r in con.execute("SELECT address FROM clusters WHERE chain = ? AND cluster_id = ?",
                                              [chain, page.cluster_id]).fetchall()]
    page.cluster_size = len(members)
    best = con.execute(
        """SELECT address FROM labels WHERE chain = ? AND address IN (SELECT unnest(?))
           ORDER BY confidence DESC, address LIMIT 1""", [chain, members]).fetchone()
    if best is None:
        return page
    page.entity_address = str(best[0])
    page.entity = claims_for(store, chain, page.entity_address)[0]
    links = [Link(str(a), str(b), str(r), int(c), t) for a, b, r, c, t in con.execute(
        """SELECT a, b, reason, confidence, tx_hash FROM cluster_links WHERE chain = ?
           AND a IN (SELECT unnest(?))""", [chain, members]).fetchall()]
    page.inherited_via = inheritance_path(address, {page.entity_address}, links)
    return page


def poisoning_warnings(store: Store, chain: str, address: str) -> list[str]:
    """What an investigator must be warned of about `address`: it imitates a real counterparty of
    someone, or it is the target of a poisoning campaign."""
    out: list[str] = []
    for p in load_poisoning(store, chain, address):
        if p.address == address and p.lookalike_of:
            text = f"look-alike of {p.lookalike_of}, a counterparty of {p.victim} (address poisoning, tx {p.tx_hash})"
        elif p.address == address:
            text = f"planted a {p.kind} transfer naming {p.victim} (address poisoning, tx {p.tx_hash})"
        else:
            text = f"targeted by address poisoning: {p.address} imitates {p.lookalike_of or 'a counterparty'}"
        if text not in out:
            out.append(text)
    return out[:20]


def tx_chains(store: Store, tx_hash: str) -> list[str]:
    """The chains whose stored transfers (account chains) or outputs (UTXO chains) include this transaction."""
    return [str(c) for (c,) in store._con.execute(
        """SELECT chain FROM transfers WHERE tx_hash = ? UNION SELECT chain FROM utxo_outputs WHERE tx_hash = ?
           ORDER BY chain""", [tx_hash, tx_hash]).fetchall()]


UtxoTxView = tuple[int, list[tuple[str, int | None]], list[tuple[str, int]]]


def utxo_tx(store: Store, chain: str, txid: str) -> UtxoTxView | None:
    """(block, inputs as (address or spent outpoint, value if known), outputs as (address or script type,
    value)) of a UTXO-chain transaction, in order; None if the store has no output of it."""
    outputs = store._con.execute(
        """SELECT block_number, coalesce(address, script_type), value::VARCHAR FROM utxo_outputs
           WHERE chain = ? AND tx_hash = ? ORDER BY output_index""", [chain, txid]).fetchall()
    if not outputs:
        return None
    inputs = store._con.execute(
        """SELECT coalesce(address, spent_tx_hash || ':' || spent_output_index::VARCHAR, 'coinbase'),
                  value::VARCHAR FROM utxo_inputs WHERE chain = ? AND tx_hash = ? ORDER BY input_index""",
        [chain, txid]).fetchall()
    return (int(outputs[0][0]), [(str(a), None if v is None else int(v)) for a, v in inputs],
            [(str(a), int(v)) for _, a, v in outputs])


def tx_transfers(store: Store, chain: str, tx_hash: str) -> list[tuple[int, str, str, str, int]]:
    """(block, from, to, asset, amount) of each value movement of one transaction, in order."""
    return [(int(b), str(f), str(t), str(a), int(v)) for b, f, t, a, v in store._con.execute(
        """SELECT block_number, from_address, to_address, asset, amount::VARCHAR FROM transfers
           WHERE chain = ? AND tx_hash = ? ORDER BY seq""", [chain, tx_hash]).fetchall()]
