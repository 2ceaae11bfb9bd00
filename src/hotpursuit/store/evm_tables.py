"""Writing and reading the account-model tables: blocks, transactions, transfers, tokens.

Writes replace whole block ranges inside one transaction, together with the job's checkpoint, so a
re-run changes nothing and a crash leaves either the whole range or none of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hotpursuit.chains.evm_records import (
    EvmBlock,
    EvmBlockBundle,
    EvmTransaction,
    EvmTransfer,
    TokenInfo,
)
from hotpursuit.store.arrow_rows import records_to_arrow
from hotpursuit.store.bridge_links import replace_bridge_deposits
from hotpursuit.store.checkpoints import set_checkpoint
from hotpursuit.store.database import Store

_BLOCK_BIG = {"base_fee_per_gas"}
_TX_BIG = {"value", "gas_price", "effective_gas_price"}
_TRANSFER_BIG = {"amount"}


def replace_evm_blocks(
    store: Store,
    chain: str,
    first_block: int,
    last_block: int,
    bundles: Sequence[EvmBlockBundle],
    source: str,
    checkpoint_job: str | None = None,
    tokens: Sequence[TokenInfo] = (),
) -> None:
    """Atomically replace blocks `first_block..last_block` of `chain` with `bundles`."""
    blocks = records_to_arrow([b.block for b in bundles], EvmBlock, _BLOCK_BIG)
    txs = records_to_arrow([t for b in bundles for t in b.transactions], EvmTransaction, _TX_BIG)
    transfers = records_to_arrow([t for b in bundles for t in b.transfers], EvmTransfer, _TRANSFER_BIG)
    with store.transaction(new_blocks=blocks, new_txs=txs, new_transfers=transfers) as con:
        _delete_range(store, chain, first_block, last_block)
        con.execute(
            """INSERT INTO blocks SELECT ?, number, hash, parent_hash, timestamp, miner, gas_used,
               gas_limit, base_fee_per_gas::BIGNUM, transaction_count, ? FROM new_blocks""",
            [chain, source],
        )
        con.execute(
            """INSERT INTO transactions SELECT ?, block_number, block_hash, tx_index, hash, from_address,
               to_address, value::BIGNUM, nonce, gas, gas_price::BIGNUM, gas_used,
               effective_gas_price::BIGNUM, status, contract_address, input_selector, ? FROM new_txs""",
            [chain, source],
        )
        con.execute(
            """INSERT INTO transfers SELECT ?, block_number, tx_hash, tx_index, seq, kind, log_index,
               trace_address, from_address, to_address, asset, amount::BIGNUM, ? FROM new_transfers""",
            [chain, source],
        )
        for token in tokens:
            con.execute("DELETE FROM tokens WHERE chain = ? AND address = ?", [chain, token.address])
            con.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?)",
                [chain, token.address, token.symbol, token.name, token.decimals, source],
            )
        replace_bridge_deposits(store, chain, first_block, last_block,
                                [d for b in bundles for d in b.bridge_deposits], source)
        if checkpoint_job is not None:
            set_checkpoint(store, checkpoint_job, chain, last_block)


def rollback_above(store: Store, chain: str, ancestor: int, checkpoint_job: str | None = None) -> int:
    """Delete every block above `ancestor` (a reorg); returns how many blocks were removed."""
    with store.transaction() as con:
        row = con.execute(
            "SELECT count(*) FROM blocks WHERE chain = ? AND number > ?", [chain, ancestor]
        ).fetchone()
        _delete_range(store, chain, ancestor + 1, 2**62)
        if checkpoint_job is not None:
            set_checkpoint(store, checkpoint_job, chain, ancestor)
    return int(row[0]) if row else 0


def _delete_range(store: Store, chain: str, first: int, last: int) -> None:
    store._con.execute("DELETE FROM bridge_links WHERE from_chain = ? AND from_block BETWEEN ? AND ?",
                      [chain, first, last])
    for table, column in (("blocks", "number"), ("transactions", "block_number"),
                          ("transfers", "block_number")):
        store._con.execute(
            f"DELETE FROM {table} WHERE chain = ? AND {column} BETWEEN ? AND ?", [chain, first, last]
        )


def stored_block_hash(store: Store, chain: str, number: int) -> str | None:
    """The hash the store holds for block `number`, if any."""
    row = store._con.execute(
        "SELECT hash FROM blocks WHERE chain = ? AND number = ?", [chain, number]
    ).fetchone()
    return str(row[0]) if row else None


def known_token_addresses(store: Store, chain: str) -> set[str]:
    """Tokens whose metadata has been read already."""
    rows = store._con.execute("SELECT address FROM tokens WHERE chain = ?", [chain]).fetchall()
    return {str(r[0]) for r in rows}


def latest_block(store: Store, chain: str) -> int | None:
    """The highest stored block of `chain`."""
    row = store._con.execute("SELECT max(number) FROM blocks WHERE chain = ?", [chain]).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def transaction_signers(store: Store, chain: str, tx_hashes: Iterable[str]) -> dict[str, str]:
    """Who sent each of these transactions, where the store knows (node ingest, ethereum-etl, explorer)."""
    wanted = sorted(set(tx_hashes))
    if not wanted:
        return {}
    return {str(h): str(f) for h, f in store._con.execute(
        """SELECT hash, from_address FROM transactions
           WHERE chain = ? AND hash IN (SELECT unnest(?::VARCHAR[])) AND from_address IS NOT NULL""",
        [chain, wanted]).fetchall()}


def top_block(store: Store, chain: str) -> int:
    """The highest stored block of `chain`, -1 if none."""
    row = store._con.execute("SELECT max(number) FROM blocks WHERE chain = ?", [chain]).fetchone()
    return int(row[0]) if row and row[0] is not None else -1
