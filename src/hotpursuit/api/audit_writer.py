"""The server's audit log writer: changes audited in their own transaction, reads journaled first.

A change (a claim, an incident, a key, a control, an answer to a freeze request) is audited with
`with writer.change(org, action) as note:`: the body's store writes and the hash-chained entry (with
any entries still waiting, in order) commit in one transaction, so a kill -9 leaves either both or
neither: never a change without its entry.

Reads and other entries (`append`) are chained in memory in the order requests make them, then
appended to a journal file next to the store (`<store>.audit-journal`, one JSON line) with one
`write` before the answer leaves: a kill -9 of the server loses no entry, since the bytes are already
in the kernel. A worker thread moves journaled entries into `audit_log` in groups, every
`GATHER_SECONDS` (one DuckDB commit costs about a millisecond of CPU: committing per read would cost
more than screening). At start, entries the journal holds beyond the store's last one are committed
first; then the journal is emptied. Not protected: a power loss may lose the journaled reads of the
last `GATHER_SECONDS` (the journal is not fsynced; the store's commit is).

If a group's commit fails, the failure is logged and the group is retried, in order, with the next
one (the journal keeps it meanwhile). Replay stops at the first journal line that is torn or does not
chain onto the store, naming it.

Checkpoints: every `checkpoint_seconds`, and when the server starts and stops, the writer signs the
committed head (sequence number and hash) with the server's Ed25519 key if it moved, and keeps the
checkpoint in the store; partners fetch them (`GET /v1/audit/checkpoints`) and keep them, so a log
later cut short or rewritten with recomputed hashes no longer matches what they hold.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hotpursuit.security.audit_chain import AuditEntry, entry_hash
from hotpursuit.security.audit_checkpoint import Checkpoint, public_key_hex, sign_checkpoint
from hotpursuit.store.audit_tables import add_checkpoint, checkpoints, insert_audit_entries, last_audit_link
from hotpursuit.store.database import Store, audit_signing_key

log = logging.getLogger(__name__)
GATHER_SECONDS = 0.5
CHECKPOINT_SECONDS = 60.0


class AuditNote:
    """What an audited change says about itself, set by its body (`note.detail = ...`)."""

    def __init__(self) -> None:
        self.detail = ""


class AuditWriter:
    """Appends to the audit log of a store this process owns (use one writer per process; `change` and
    `append` from the event loop's thread)."""

    def __init__(self, store: Store, *, checkpoint_seconds: float = CHECKPOINT_SECONDS,
                 signing_key: Ed25519PrivateKey | None = None) -> None:
        self._main = store  # the routes' cursor: changes and their entries commit on it together
        self._store = store.cursor()  # its own cursor: group commits and checkpoints from a worker thread
        self._lock = threading.Lock()  # one commit into audit_log at a time, so the chain stays in order
        self._in_change = False
        self._journal_path = None if store.path == ":memory:" else Path(store.path + ".audit-journal")
        self._pending: list[AuditEntry] = []
        self._flusher: asyncio.Task[None] | None = None
        self._checkpointer: asyncio.Task[None] | None = None
        self._checkpoint_seconds = checkpoint_seconds
        self._signing_key = signing_key
        self._seq, self._prev = last_audit_link(self._store)
        self.replayed = self._replay_journal()
        self._fd = None if self._journal_path is None else os.open(
            self._journal_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)

    def _replay_journal(self) -> int:
        if self._journal_path is None or not self._journal_path.exists():
            return 0
        replay = []
        for n, line in enumerate(self._journal_path.read_text(encoding="utf-8").splitlines(), start=1):
            try:
                entry = AuditEntry(**json.loads(line))
            except (ValueError, TypeError):
                log.error("audit journal line %d is not an entry (a torn last write?): replay stops there", n)
                break
            if entry.seq <= self._seq:
                continue
            if entry.seq != self._seq + 1 or entry.prev_hash != self._prev or entry.hash != entry_hash(
                    entry.seq, entry.occurred_at, entry.org_id, entry.action, entry.detail, entry.prev_hash):
                log.error("audit journal line %d (seq %d) does not chain onto the store: replay stops there",
                          n, entry.seq)
                break
            replay.append(entry)
            self._seq, self._prev = entry.seq, entry.hash
        if replay:
            self._write(replay)
        return len(replay)

    def _chain(self, org_id: str | None, action: str, detail: str) -> AuditEntry:
        self._seq += 1
        when = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
        digest = entry_hash(self._seq, when, org_id, action, detail, self._prev)
        entry = AuditEntry(self._seq, when, org_id, action, detail, self._prev, digest)
        self._prev = digest
        return entry

    def append(self, org_id: str | None, action: str, detail: str) -> AuditEntry:
        """Chain one entry and journal it (durable against a crash of this process once this returns).
        For reads and jobs; a change of stored data is audited with `change`."""
        entry = self._chain(org_id, action, detail)
        if self._fd is not None:
            os.write(self._fd, (json.dumps(_fields(entry)) + "\n").encode())
        self._pending.append(entry)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        return entry

    @contextlib.contextmanager
    def change(self, org_id: str | None, action: str) -> Iterator[AuditNote]:
        """Audit a change: the body's writes to the store (through the routes' store) and its entry,
        with `note.detail`, commit in one transaction; if the body raises, neither is kept and no entry
        is chained. The body must not await (the chain's order is the event loop's)."""
        if self._in_change:
            raise RuntimeError("audited changes do not nest: one request makes one change")
        note = AuditNote()
        seq, prev = self._seq, self._prev
        with self._lock:
            self._in_change = True
            try:
                with self._main.transaction():
                    yield note
                    waiting = list(self._pending)
                    insert_audit_entries(self._main, [*waiting, self._chain(org_id, action, note.detail)])
            except BaseException:
                self._seq, self._prev = seq, prev
                raise
            finally:
                self._in_change = False
            del self._pending[:len(waiting)]
        if not self._pending and self._fd is not None:
            os.ftruncate(self._fd, 0)  # what was journaled went in with the change

    def start(self) -> None:
        """Begin signing checkpoints (from the server's event loop)."""
        self._checkpointer = asyncio.get_running_loop().create_task(self._checkpoint_loop())

    async def stop(self) -> None:
        """Commit what is pending, sign a last checkpoint and stop the background tasks (at shutdown)."""
        for task in (self._flusher, self._checkpointer):
            if task is not None:
                task.cancel()
        await self.commit_pending()
        await asyncio.to_thread(self.checkpoint)

    async def _flush(self) -> None:
        while self._pending:
            await asyncio.sleep(GATHER_SECONDS)
            await self.commit_pending()

    async def _checkpoint_loop(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.checkpoint)
            except Exception as exc:  # the next round tries again
                log.error("signing an audit checkpoint failed: %s", exc)
            await asyncio.sleep(self._checkpoint_seconds)

    async def commit_pending(self) -> None:
        """Commit every entry journaled so far (the flusher does this every GATHER_SECONDS; also at
        shutdown, and by tests that read the table)."""
        group = list(self._pending)
        if not group:
            return
        try:
            await asyncio.to_thread(self._commit_group, group)
        except Exception as exc:  # kept, in order, for the next commit; the journal holds them too
            log.error("audit log commit of %d entries failed (will retry; kept in the journal): %s", len(group), exc)
            return
        if not self._pending and self._fd is not None:
            os.ftruncate(self._fd, 0)  # everything journaled is in the store

    def _commit_group(self, group: list[AuditEntry]) -> None:
        with self._lock:
            if not self._pending or self._pending[0] is not group[0]:
                return  # a change committed them meanwhile
            self._write(group)
            del self._pending[:len(group)]

    def _write(self, entries: list[AuditEntry]) -> None:
        insert_audit_entries(self._store, entries)

    def _key(self) -> Ed25519PrivateKey:
        if self._signing_key is None:
            self._signing_key = audit_signing_key(self._main.path)
        return self._signing_key

    def server_key(self) -> str:
        """The public key that signs this server's checkpoints, hex."""
        return public_key_hex(self._key())

    def checkpoint(self) -> Checkpoint | None:
        """Sign the committed head if no checkpoint of it exists yet; the new checkpoint, if any."""
        key = self._key()
        with self._lock:
            seq, digest = last_audit_link(self._store)
            if seq == 0 or any(c.seq == seq for c in checkpoints(self._store, after_seq=seq - 1)):
                return None
            signed_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
            made = sign_checkpoint(key, seq, digest, signed_at)
            add_checkpoint(self._store, made)
        return made

    def close(self) -> None:
        """Release the journal and the cursor (call after `commit_pending`)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._store.close()


def _fields(entry: AuditEntry) -> dict[str, object]:
    return {name: getattr(entry, name) for name in AuditEntry.__slots__}
