"""The server's audit log writer: a journal first, the store's audit_log table in groups.

Each entry is hash-chained in memory in the order requests make it, then appended to a journal file
next to the store (`<store>.audit-journal`, one JSON line) with one `write` before the answer leaves:
a kill -9 of the server loses no entry, since the bytes are already in the kernel. A worker thread
moves journaled entries into `audit_log` in groups, every `GATHER_SECONDS` (one DuckDB commit costs
about a millisecond of CPU: committing per request would cost more than screening). At start, entries
the journal holds beyond the store's last one are committed first; then the journal is emptied.
Not protected: a power loss may lose the entries of the last `GATHER_SECONDS` (the journal is not
fsynced; the store's commit is).

If a group's commit fails, the failure is logged and the group is retried, in order, with the next
one (the journal keeps it meanwhile). Replay stops at the first journal line that is torn or does not
chain onto the store, naming it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
from pathlib import Path

from hotpursuit.security.audit_chain import AuditEntry, entry_hash
from hotpursuit.store.database import Store
from hotpursuit.store.org_tables import insert_audit_entries, last_audit_link

log = logging.getLogger(__name__)
GATHER_SECONDS = 0.5


class AuditWriter:
    """Appends to the audit log of a store this process owns (use one writer per process)."""

    def __init__(self, store: Store) -> None:
        self._store = store.cursor()  # its own cursor: commits from the worker thread
        self._journal_path = None if store.path == ":memory:" else Path(store.path + ".audit-journal")
        self._pending: list[AuditEntry] = []
        self._flusher: asyncio.Task[None] | None = None
        self._restart_chain()
        self.replayed = self._replay_journal()
        self._fd = None if self._journal_path is None else os.open(
            self._journal_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)

    def _restart_chain(self) -> None:
        self._seq, self._prev = last_audit_link(self._store)

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

    def append(self, org_id: str | None, action: str, detail: str) -> AuditEntry:
        """Chain one entry and journal it (durable against a crash of this process once this returns)."""
        self._seq += 1
        when = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
        digest = entry_hash(self._seq, when, org_id, action, detail, self._prev)
        entry = AuditEntry(self._seq, when, org_id, action, detail, self._prev, digest)
        self._prev = digest
        if self._fd is not None:
            os.write(self._fd, (json.dumps(_fields(entry)) + "\n").encode())
        self._pending.append(entry)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        return entry

    async def stop(self) -> None:
        """Commit what is pending and stop the flusher (at shutdown)."""
        if self._flusher is not None:
            self._flusher.cancel()
        await self.commit_pending()

    async def _flush(self) -> None:
        while self._pending:
            await asyncio.sleep(GATHER_SECONDS)
            await self.commit_pending()

    async def commit_pending(self) -> None:
        """Commit every entry journaled so far (the flusher does this every GATHER_SECONDS; also at
        shutdown, and by tests that read the table)."""
        group, self._pending = self._pending, []
        if not group:
            return
        try:
            await asyncio.to_thread(self._write, group)
        except Exception as exc:  # kept, in order, for the next commit; the journal holds them too
            log.error("audit log commit of %d entries failed (will retry; kept in the journal): %s", len(group), exc)
            self._pending = group + self._pending
            return
        if not self._pending and self._fd is not None:
            os.ftruncate(self._fd, 0)  # everything journaled is in the store

    def _write(self, entries: list[AuditEntry]) -> None:
        insert_audit_entries(self._store, entries)

    def close(self) -> None:
        """Release the journal and the cursor (call after `commit_pending`)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._store.close()


def _fields(entry: AuditEntry) -> dict[str, object]:
    return {name: getattr(entry, name) for name in AuditEntry.__slots__}
