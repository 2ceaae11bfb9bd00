"""The audit log's hash chain: each entry hashes the previous entry's hash and its own fields, so
editing or deleting any entry breaks every hash after it. Pure."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited request or change."""

    seq: int
    occurred_at: str
    org_id: str | None
    action: str
    detail: str
    prev_hash: str
    hash: str


def entry_hash(seq: int, occurred_at: str, org_id: str | None, action: str, detail: str, prev_hash: str) -> str:
    """SHA-256 of the canonical JSON of the fields and the previous hash."""
    body = json.dumps([seq, occurred_at, org_id, action, detail, prev_hash], separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def verify_chain(entries: list[AuditEntry]) -> list[str]:
    """Problems found (empty when the chain is intact): gaps, edits, broken links."""
    problems = []
    prev = GENESIS
    for expected_seq, e in enumerate(entries, start=1):
        if e.seq != expected_seq:
            problems.append(f"entry {expected_seq} is missing (found seq {e.seq} there): deleted")
            return problems
        if e.prev_hash != prev:
            problems.append(f"entry {e.seq}: does not follow entry {e.seq - 1} (previous hash differs)")
        if entry_hash(e.seq, e.occurred_at, e.org_id, e.action, e.detail, e.prev_hash) != e.hash:
            problems.append(f"entry {e.seq}: its content was changed after it was written")
        prev = e.hash
    return problems
