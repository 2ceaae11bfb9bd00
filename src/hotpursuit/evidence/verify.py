"""Verifying a bundle from its files alone (no store, no network): the manifest against the files, the
statement against the manifest, the signatures against the keys the verifier trusts and the threshold,
the timestamp against the statement and the trusted authorities, the custody chain. Every failure is
named, one line each; nothing stops at the first."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from hotpursuit.evidence.custody import check_custody
from hotpursuit.evidence.dsse import PAYLOAD_TYPE, check_signatures, parse_envelope, payload_json
from hotpursuit.evidence.keys import OrgKey, load_org_key
from hotpursuit.evidence.layout import (
    CUSTODY,
    ENVELOPE,
    KEYS,
    MANIFEST,
    PUBLIC_KEY_SUFFIX,
    TIMESTAMP,
    EvidenceError,
    outside_manifest,
)
from hotpursuit.evidence.manifest import check_manifest
from hotpursuit.evidence.statement import predicate, statement_problems
from hotpursuit.evidence.timestamp import TimestampInfo, check_timestamp


@dataclass
class Verdict:
    """The outcome: every problem (none: verified), notes, and what was verified."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signers: list[OrgKey] = field(default_factory=list)
    threshold: int = 1
    files: int = 0
    timestamp: TimestampInfo | None = None
    timestamp_checked: bool = False  # against a trusted authority's root
    custody: list[dict[str, Any]] = field(default_factory=list)
    predicate: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line for a person: what was verified."""
        names = ", ".join(k.org for k in self.signers)
        parts = [f"{len(self.signers)} trusted signature{'s' if len(self.signers) != 1 else ''} ({names}), "
                 f"threshold {self.threshold}", f"manifest {self.files} files"]
        if self.timestamp is not None:
            parts.append(f"timestamp {self.timestamp.gen_time} by {self.timestamp.authority}"
                         + ("" if self.timestamp_checked else " (authority not checked: no --tsa-root)"))
        parts.append(f"custody log {len(self.custody)} entr{'y' if len(self.custody) == 1 else 'ies'}")
        return ("verified: " if self.ok else "NOT verified: ") + "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The verdict for scripts."""
        return {"verified": self.ok, "problems": self.problems, "notes": self.notes,
                "signers": [{"org": k.org, "keyid": k.keyid} for k in self.signers], "threshold": self.threshold,
                "files": self.files, "incident": self.predicate.get("incident"),
                "exported_by": self.predicate.get("exported_by"), "exported_at": self.predicate.get("exported_at"),
                "timestamp": None if self.timestamp is None else {
                    "time": self.timestamp.gen_time, "authority": self.timestamp.authority,
                    "serial": str(self.timestamp.serial), "authority_checked": self.timestamp_checked},
                "custody": self.custody}


def verify_bundle(files: Mapping[str, bytes], trusted: list[OrgKey], threshold: int = 1,
                  tsa_roots: list[x509.Certificate] | None = None) -> Verdict:
    """Check everything a bundle's files can show; see the module docstring."""
    verdict = Verdict(threshold=threshold)
    manifest = check_manifest(files)
    verdict.files = manifest.listed
    verdict.problems += manifest.problems
    verdict.problems += _malformed_content(files)
    trust = {k.keyid: k for k in trusted}
    if ENVELOPE not in files:
        verdict.problems.append(f"missing: {ENVELOPE}")
        verdict.problems.append(f"threshold not met: 0 of {threshold}")
        return verdict
    try:
        envelope = parse_envelope(files[ENVELOPE])
        statement = payload_json(envelope)
        verdict.predicate = predicate(statement)
    except EvidenceError as exc:
        verdict.problems.append(str(exc))
        verdict.problems.append(f"threshold not met: 0 of {threshold}")
        return verdict
    if envelope.payload_type != PAYLOAD_TYPE:
        verdict.problems.append(f"malformed: {ENVELOPE} payloadType {envelope.payload_type!r} is not {PAYLOAD_TYPE}")
    verdict.problems += statement_problems(statement, files.get(MANIFEST))
    signatures = check_signatures(envelope, trust, threshold, _named_keys(files, verdict.notes))
    verdict.signers = signatures.valid
    verdict.problems += signatures.problems
    verdict.notes += signatures.notes
    _check_timestamp(files, envelope.payload, tsa_roots or [], verdict)
    custody = check_custody(files.get(CUSTODY), hashlib.sha256(envelope.payload).hexdigest(), trust)
    verdict.custody = custody.entries
    verdict.problems += custody.problems
    verdict.notes += custody.notes
    return verdict


def _check_timestamp(files: Mapping[str, bytes], payload: bytes, roots: list[x509.Certificate],
                     verdict: Verdict) -> None:
    token = files.get(TIMESTAMP)
    if token is None:
        if roots:
            verdict.problems.append(f"missing: {TIMESTAMP} (a timestamp authority's root was given)")
        return
    verdict.timestamp, problems = check_timestamp(token, payload, roots)
    verdict.problems += problems
    verdict.timestamp_checked = bool(roots) and not problems
    if not roots:
        verdict.notes.append("the timestamp's authority was not checked: give its root certificate with --tsa-root")


def _named_keys(files: Mapping[str, bytes], notes: list[str]) -> dict[str, str]:
    """key id -> organisation, as the bundle's keys/ folder names them (information, never trust)."""
    named = {}
    for path, data in sorted(files.items()):
        if path.startswith(KEYS) and outside_manifest(path):
            try:
                key = load_org_key(data, path)
            except EvidenceError as exc:
                notes.append(f"ignored: {exc}")
                continue
            named[key.keyid] = path[len(KEYS):].removesuffix(PUBLIC_KEY_SUFFIX)
    return named


def _malformed_content(files: Mapping[str, bytes]) -> list[str]:
    """A JSON or JSON-lines content file that does not parse, named with its line."""
    problems = []
    for path, data in sorted(files.items()):
        if outside_manifest(path):
            continue
        try:
            if path.endswith(".jsonl"):
                for n, line in enumerate(data.decode("utf-8").splitlines(), start=1):
                    if line.strip():
                        try:
                            json.loads(line)
                        except ValueError as exc:
                            problems.append(f"malformed: {path} line {n} ({exc})")
                            break
            elif path.endswith(".json"):
                json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(f"malformed: {path} ({exc})")
    return problems
