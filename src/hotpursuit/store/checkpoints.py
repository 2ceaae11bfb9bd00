"""Ingest checkpoints: the last block a job has fully stored, per job and chain."""

from __future__ import annotations

from hotpursuit.store.database import Store


def get_checkpoint(store: Store, job: str, chain: str) -> int | None:
    """The last block `job` stored for `chain`, or None if it never ran."""
    row = store._con.execute(
        "SELECT last_block FROM ingest_checkpoints WHERE job = ? AND chain = ?", [job, chain]
    ).fetchone()
    return None if row is None else int(row[0])


def set_checkpoint(store: Store, job: str, chain: str, last_block: int) -> None:
    """Record progress; call inside the transaction that stored the blocks."""
    store._con.execute("DELETE FROM ingest_checkpoints WHERE job = ? AND chain = ?", [job, chain])
    store._con.execute(
        "INSERT INTO ingest_checkpoints VALUES (?, ?, ?, current_timestamp)", [job, chain, last_block]
    )
