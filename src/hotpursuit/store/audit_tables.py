"""The audit log in the store: hash-chained entries and the server's signed checkpoints of its head."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from hotpursuit.security.audit_chain import GENESIS, AuditEntry, entry_hash
from hotpursuit.security.audit_checkpoint import Checkpoint
from hotpursuit.store.database import Store


def append_audit(store: Store, org_id: str | None, action: str, detail: str) -> AuditEntry:
    """Append one hash-chained entry."""
    with store.transaction() as con:
        last = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
        when = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
        digest = entry_hash(seq, when, org_id, action, detail, prev)
        con.execute("INSERT INTO audit_log VALUES (?, ?::TIMESTAMP, ?, ?, ?, ?, ?)",
                    [seq, when, org_id, action, detail, prev, digest])
    return AuditEntry(seq, when, org_id, action, detail, prev, digest)


def audit_entries(store: Store) -> list[AuditEntry]:
    """The whole log in order."""
    rows = store._con.execute("""SELECT seq, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%f'), org_id, action, detail,
                                       prev_hash, hash FROM audit_log ORDER BY seq""").fetchall()
    return [AuditEntry(int(r[0]), str(r[1]), r[2], str(r[3]), str(r[4] or ""), str(r[5]), str(r[6])) for r in rows]


def last_audit_link(store: Store) -> tuple[int, str]:
    """(sequence number, hash) of the log's last entry; (0, GENESIS) for an empty log."""
    last = store._con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS)


def insert_audit_entries(store: Store, entries: list[AuditEntry]) -> None:
    """Store already chained entries in one transaction (one INSERT from an Arrow table: executemany
    costs about half a millisecond per row)."""
    table = pa.table({"seq": [e.seq for e in entries], "occurred_at": [e.occurred_at for e in entries],
                      "org_id": pa.array([e.org_id for e in entries], pa.string()),
                      "action": [e.action for e in entries], "detail": [e.detail for e in entries],
                      "prev_hash": [e.prev_hash for e in entries], "hash": [e.hash for e in entries]})
    with store.transaction(audit_group=table) as con:
        con.execute("""INSERT INTO audit_log SELECT seq, occurred_at::TIMESTAMP, org_id, action, detail,
                              prev_hash, hash FROM audit_group""")


def add_checkpoint(store: Store, checkpoint: Checkpoint) -> None:
    """Keep a checkpoint the server signed (again: kept once)."""
    with store.transaction() as con:
        con.execute("INSERT INTO audit_checkpoints VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [checkpoint.seq, checkpoint.hash, checkpoint.signed_at, checkpoint.server_key,
                     checkpoint.signature])


def checkpoints(store: Store, after_seq: int = 0) -> list[Checkpoint]:
    """The kept checkpoints past entry `after_seq`, oldest first."""
    rows = store._con.execute("""SELECT server_key, seq, hash, signed_at, signature FROM audit_checkpoints
                                 WHERE seq > ? ORDER BY seq, server_key""", [after_seq]).fetchall()
    return [Checkpoint(str(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows]


__all__ = ["add_checkpoint", "append_audit", "audit_entries", "checkpoints", "insert_audit_entries",
           "last_audit_link"]
