"""The in-toto Statement v1 a bundle's signatures cover: its subject is MANIFEST.json with its SHA-256, its
predicate says what was exported, by whom, when, with which tool and from which trace."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotpursuit.evidence.layout import ENVELOPE, MANIFEST, EvidenceError, canonical_json

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://hotpursuit.dev/evidence-bundle/v1"


@dataclass(frozen=True)
class ExportFacts:
    """The predicate: what the bundle is."""

    incident: str
    exported_by: str
    exporter_keyid: str
    exported_at: str  # ISO 8601 UTC, seconds
    exported_to: str | None
    tool: str
    tool_version: str
    trace: Mapping[str, Any]  # input_hash, model, max_hops, dust of the trace in the report

    def as_predicate(self) -> dict[str, Any]:
        return {"incident": self.incident, "exported_by": self.exported_by, "exporter_keyid": self.exporter_keyid,
                "exported_at": self.exported_at, "exported_to": self.exported_to,
                "tool": {"name": self.tool, "version": self.tool_version}, "trace": dict(self.trace)}


def build_statement(manifest: bytes, facts: ExportFacts) -> bytes:
    """The statement's canonical bytes (the DSSE payload)."""
    return canonical_json({
        "_type": STATEMENT_TYPE,
        "subject": [{"name": MANIFEST, "digest": {"sha256": hashlib.sha256(manifest).hexdigest()}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": facts.as_predicate()})


def statement_problems(statement: Mapping[str, Any], manifest: bytes | None) -> list[str]:
    """What is wrong with a statement, or between it and the bundle's manifest bytes."""
    if statement.get("_type") != STATEMENT_TYPE:
        return [f"malformed: {ENVELOPE} payload is not an in-toto Statement v1 (_type {statement.get('_type')!r})"]
    if statement.get("predicateType") != PREDICATE_TYPE:
        return [f"malformed: {ENVELOPE} predicateType {statement.get('predicateType')!r} is not {PREDICATE_TYPE}"]
    subjects = statement.get("subject")
    digest = None
    if isinstance(subjects, list):
        digest = next((s.get("digest", {}).get("sha256") for s in subjects
                       if isinstance(s, dict) and s.get("name") == MANIFEST and isinstance(s.get("digest"), dict)),
                      None)
    if digest is None:
        return [f"malformed: {ENVELOPE} statement has no subject {MANIFEST} with a sha256"]
    if manifest is not None and hashlib.sha256(manifest).hexdigest() != digest:
        return [f"changed: {MANIFEST} (sha256 {hashlib.sha256(manifest).hexdigest()} != {digest} in the statement)"]
    return []


def predicate(statement: Mapping[str, Any]) -> dict[str, Any]:
    """The statement's predicate (EvidenceError if it is not an object)."""
    value = statement.get("predicate")
    if not isinstance(value, dict):
        raise EvidenceError(f"malformed: {ENVELOPE} statement has no predicate object")
    return value
