"""Writing and reading the UTXO tables (blocks, utxo_outputs, utxo_inputs) and bridge links.

Like the account tables, writes replace whole height ranges inside one transaction together with
the job's checkpoint: a re-run changes nothing and a crash leaves the whole range or none of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hotpursuit.chains.utxo_records import Outpoint, Prevout, UtxoBlock, UtxoBlockBundle, UtxoInput, UtxoOutput
from hotpursuit.store.arrow_rows import records_to_arrow
from hotpursuit.store.checkpoints import set_checkpoint
from hotpursuit.store.database import Store

UTXO_TABLES = (("blocks", "number"), ("utxo_outputs", "block_number"), ("utxo_inputs", "block_number"))


def replace_utxo_blocks(store: Store, chain: str, bundles: Sequence[UtxoBlockBundle], source: str,
                        checkpoint_job: str | None = None) -> None:
    """Atomically replace the heights of `bundles` (and only those) with their rows."""
    if not bundles:
        return
    heights = sorted({b.block.number for b in bundles})
    blocks = records_to_arrow([b.block for b in bundles], UtxoBlock, set())
    outputs = records_to_arrow([o for b in bundles for o in b.outputs], UtxoOutput, {"value"})
    inputs = records_to_arrow([i for b in bundles for i in b.inputs], UtxoInput, {"value"})
    with store.transaction(new_blocks=blocks, new_outputs=outputs, new_inputs=inputs) as con:
        for table, column in UTXO_TABLES:
            con.execute(f"DELETE FROM {table} WHERE chain = ? AND {column} IN (SELECT unnest(?))",
                        [chain, heights])
        con.execute("""INSERT INTO blocks SELECT ?, number, hash, parent_hash, timestamp, NULL, NULL, NULL,
                       NULL, transaction_count, ? FROM new_blocks""", [chain, source])
        con.execute("""INSERT INTO utxo_outputs SELECT ?, block_number, tx_hash, tx_index, output_index,
                       address, script_type, script_hex, value::BIGNUM, memo, ? FROM new_outputs""",
                    [chain, source])
        con.execute("""INSERT INTO utxo_inputs SELECT ?, block_number, tx_hash, tx_index, input_index,
                       spent_tx_hash, spent_output_index, address, value::BIGNUM, ? FROM new_inputs""",
                    [chain, source])
        if checkpoint_job is not None:
            set_checkpoint(store, checkpoint_job, chain, heights[-1])


def stored_prevouts(store: Store, chain: str, points: Iterable[Outpoint]) -> dict[Outpoint, Prevout]:
    """Address and value of each stored output among `points`."""
    wanted = list(set(points))
    if not wanted:
        return {}
    rows = store._con.execute(
        """SELECT o.tx_hash, o.output_index, o.address, o.value::VARCHAR
           FROM utxo_outputs o JOIN (SELECT unnest(?) AS tx_hash, unnest(?) AS output_index) w
             ON o.tx_hash = w.tx_hash AND o.output_index = w.output_index
           WHERE o.chain = ?""",
        [[p[0] for p in wanted], [p[1] for p in wanted], chain]).fetchall()
    return {(str(r[0]), int(r[1])): Prevout(r[2], int(r[3])) for r in rows}


def stored_block_hash(store: Store, chain: str, number: int) -> str | None:
    """The hash stored for height `number`, if any."""
    row = store._con.execute("SELECT hash FROM blocks WHERE chain = ? AND number = ?", [chain, number]).fetchone()
    return str(row[0]) if row else None


def stored_heights(store: Store, chain: str, hashes: Iterable[str]) -> dict[str, int]:
    """Height of each stored block among `hashes`."""
    wanted = list(set(hashes))
    if not wanted:
        return {}
    rows = store._con.execute("SELECT hash, number FROM blocks WHERE chain = ? AND hash IN (SELECT unnest(?))",
                             [chain, wanted]).fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


def rollback_utxo_above(store: Store, chain: str, ancestor: int, checkpoint_job: str | None = None) -> int:
    """Delete every block above `ancestor` (a reorg); returns how many blocks were removed."""
    with store.transaction() as con:
        row = con.execute("SELECT count(*) FROM blocks WHERE chain = ? AND number > ?", [chain, ancestor]).fetchone()
        for table, column in UTXO_TABLES:
            con.execute(f"DELETE FROM {table} WHERE chain = ? AND {column} > ?", [chain, ancestor])
        if checkpoint_job is not None:
            set_checkpoint(store, checkpoint_job, chain, ancestor)
    return int(row[0]) if row else 0
