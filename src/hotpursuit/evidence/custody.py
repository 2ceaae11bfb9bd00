"""The custody log: who exported the bundle, when and to whom, who co-signed it, who handed it over to
whom. JSON lines, append-only: each entry names the statement it is about, carries the SHA-256 of the
line before it (a chain, as the audit log's) and is signed by the acting organisation's key."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature

from hotpursuit.evidence.keys import OrgKey, SigningKey, key_label
from hotpursuit.evidence.layout import CUSTODY, canonical_json

GENESIS = "0" * 64
ACTIONS = ("exported", "co-signed", "handed-over")


def _lines(log: bytes) -> list[bytes]:
    return [line + b"\n" for line in log.split(b"\n") if line.strip()]


def append_entry(log: bytes, key: SigningKey, action: str, at: str, statement_sha256: str,
                 to: str | None = None) -> bytes:
    """The log with one more entry, signed by `key` (its organisation is the actor)."""
    lines = _lines(log)
    prev = hashlib.sha256(lines[-1]).hexdigest() if lines else GENESIS
    entry: dict[str, Any] = {"seq": len(lines) + 1, "action": action, "by": key.org, "keyid": key.public.keyid,
                             "at": at, "to": to, "statement_sha256": statement_sha256, "prev": prev}
    entry["sig"] = base64.b64encode(key.private.sign(canonical_json(entry))).decode()
    return b"".join(lines) + canonical_json(entry)


@dataclass
class CustodyCheck:
    """The entries read, every broken one named, and notes (entries by keys the verifier does not trust)."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_custody(log: bytes | None, statement_sha256: str, trusted: Mapping[str, OrgKey]) -> CustodyCheck:
    """Walk the chain: each entry's number, its link to the line before, the statement it names, its
    signature (by a trusted key: a failure if it does not verify; by another key: noted, not checked)."""
    check = CustodyCheck()
    if log is None:
        check.problems.append(f"missing: {CUSTODY}")
        return check
    prev = GENESIS
    lines = _lines(log)
    if not lines:
        check.problems.append(f"custody log is empty: {CUSTODY}")
    for n, line in enumerate(lines, start=1):
        reason = _entry_problem(line, n, prev, statement_sha256, trusted, check)
        if reason:
            check.problems.append(f"custody log entry {n} broken: {reason}")
        prev = hashlib.sha256(line).hexdigest()
    return check


def _entry_problem(line: bytes, n: int, prev: str, statement_sha256: str, trusted: Mapping[str, OrgKey],
                   check: CustodyCheck) -> str | None:
    try:
        entry = json.loads(line)
        if not isinstance(entry, dict):
            return "not a JSON object"
        sig = base64.b64decode(str(entry.pop("sig")), validate=True)
    except KeyError:
        return "it has no signature"
    except (ValueError, binascii.Error) as exc:
        return f"not valid JSON ({exc})"
    if entry.get("prev") != prev:
        return f"its prev hash does not match entry {n - 1}" if n > 1 else "its prev hash is not the chain's start"
    if entry.get("seq") != n:
        return f"numbered {entry.get('seq')!r}"
    if entry.get("action") not in ACTIONS:
        return f"unknown action {entry.get('action')!r}"
    if entry.get("statement_sha256") != statement_sha256:
        return "it names another statement"
    key = trusted.get(str(entry.get("keyid")))
    if key is None:
        check.notes.append(f"custody log entry {n} ({entry.get('action')} by {entry.get('by')}) is signed by an "
                           f"untrusted key {entry.get('keyid')}: its signature is not checked")
    else:
        try:
            key.public.verify(sig, canonical_json(entry))
        except InvalidSignature:
            return f"signature by {key_label(key)} does not verify"
    check.entries.append({**entry, "seq": n})
    return None
