"""What a bundle holds and how its JSON is written: the file names, canonical JSON, and the one error class."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hotpursuit.errors import HotpursuitError

TRACE_REPORT = "trace-report.json"
STIX_BUNDLE = "stix-bundle.json"
SOURCE_ROWS = "source-rows/"
MANIFEST = "MANIFEST.json"
ENVELOPE = "statement.dsse.json"
TIMESTAMP = "timestamp.tsr"
CUSTODY = "custody.jsonl"
KEYS = "keys/"
PUBLIC_KEY_SUFFIX = ".ed25519.pub"
PRIVATE_KEY_SUFFIX = ".ed25519.key"
# written after the manifest (or appended to by co-signers), so outside it; the statement binds the manifest,
# the signatures and the timestamp bind the statement, and the custody entries name the statement's digest
CONTROL_FILES = (MANIFEST, ENVELOPE, TIMESTAMP, CUSTODY)


class EvidenceError(HotpursuitError):
    """A bundle, key or timestamp that cannot be made or read (the message names the file and the reason)."""


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, ASCII, one trailing newline: the same value always gives the same bytes."""
    return (json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True) + "\n").encode()


def outside_manifest(path: str) -> bool:
    """Whether a bundle file is one the manifest does not list: the control files and the signers' public
    keys under keys/ (for information: trust comes from the keys a verifier passes)."""
    return path in CONTROL_FILES or (path.startswith(KEYS) and path.endswith(PUBLIC_KEY_SUFFIX)
                                     and "/" not in path[len(KEYS):])


def utc_text(moment: dt.datetime) -> str:
    """ISO 8601 UTC to the second, with Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
