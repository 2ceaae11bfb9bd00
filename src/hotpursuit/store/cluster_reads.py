"""What clustering reads: the chain's kind, Bitcoin transactions' input and output
addresses, EVM movements, and the exchanges' labelled hot wallets."""

from __future__ import annotations

from hotpursuit.store.database import Store

BitcoinOutputs = list[tuple[str, list[str | None], list[str], list[int] | None]]


def has_utxo_rows(store: Store, chain: str) -> bool:
    """Whether `chain` is stored as a UTXO chain (Bitcoin outputs)."""
    row = store._con.execute("SELECT count(*) FROM utxo_outputs WHERE chain = ?", [chain]).fetchone()
    return bool(row and row[0])


def bitcoin_input_addresses(store: Store, chain: str, after: int) -> dict[str, list[str]]:
    """tx -> its inputs' addresses in input order, for transactions above block `after`."""
    return {str(t): list(a or []) for t, a in store._con.execute(
        """SELECT tx_hash, list(address ORDER BY input_index) FILTER (WHERE address IS NOT NULL)
           FROM utxo_inputs WHERE chain = ? AND block_number > ? GROUP BY tx_hash""", [chain, after]).fetchall()}


def bitcoin_outputs(store: Store, chain: str, after: int) -> BitcoinOutputs:
    """(tx, output addresses, values as decimal text, indexes of outputs paying an address for the first
    time) of each transaction above block `after`."""
    return [(str(t), list(a), list(v), None if f is None else list(f)) for t, a, v, f in store._con.execute(
        """SELECT tx_hash, list(address ORDER BY output_index), list(value::VARCHAR ORDER BY output_index),
                  list(output_index ORDER BY output_index) FILTER (WHERE fresh)
           FROM (SELECT *, address IS NOT NULL AND row_number() OVER (
                     PARTITION BY address ORDER BY block_number, tx_index, output_index) = 1 AS fresh
                 FROM utxo_outputs WHERE chain = ?)
           WHERE block_number > ? GROUP BY tx_hash""", [chain, after]).fetchall()]


def exchange_hot_wallets(store: Store, chain: str) -> dict[str, str]:
    """Addresses labelled `exchange` -> the exchange (the best claim's actor or label)."""
    return {str(a): str(e) for a, e in store._con.execute(
        """SELECT address, arg_max(coalesce(actor, label), confidence) FROM labels
           WHERE chain = ? AND category = 'exchange' GROUP BY address""", [chain]).fetchall()}


def evm_moves(store: Store, chain: str) -> list[tuple[int, str, str, str, int, str]]:
    """(block, from, to, asset, amount, tx) of every movement of `chain`, in chain order."""
    return [(int(b), str(f), str(t), str(a), int(x), str(h)) for b, f, t, a, x, h in store._con.execute(
        """SELECT block_number, from_address, to_address, asset, amount::VARCHAR, tx_hash FROM transfers
           WHERE chain = ? ORDER BY block_number, tx_index, seq""", [chain]).fetchall()]
