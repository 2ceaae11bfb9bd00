"""Sealing a bundle (manifest, signed statement, timestamp, first custody entry), co-signing it and handing
it over: pure functions from file contents to file contents; the timestamp authority is a callable."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

from hotpursuit.evidence.custody import append_entry
from hotpursuit.evidence.dsse import parse_envelope, payload_json, seal
from hotpursuit.evidence.keys import SigningKey, public_pem
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
from hotpursuit.evidence.manifest import build_manifest, check_manifest
from hotpursuit.evidence.statement import ExportFacts, build_statement, statement_problems

Timestamper = Callable[[bytes], bytes]  # the statement's bytes -> a timestamp reply (DER TimeStampResp)


def seal_bundle(content: Mapping[str, bytes], key: SigningKey, facts: ExportFacts,
                timestamper: Timestamper | None = None) -> dict[str, bytes]:
    """Every file of a new bundle: the content, its manifest, the statement signed by `key`, the timestamp
    (when a timestamper is given), the signer's public key under keys/ and the custody log's first entry."""
    clashes = sorted(p for p in content if outside_manifest(p))
    if clashes:
        raise EvidenceError(f"content files may not be named like the bundle's own: {', '.join(clashes)}")
    manifest = build_manifest(content)
    payload = build_statement(manifest, facts)
    files = {**content, MANIFEST: manifest, ENVELOPE: seal(payload, key).to_json(), **_key_file({}, key)}
    if timestamper is not None:
        files[TIMESTAMP] = timestamper(payload)
    files[CUSTODY] = append_entry(b"", key, "exported", facts.exported_at, hashlib.sha256(payload).hexdigest(),
                                  to=facts.exported_to)
    return files


def cosign(files: Mapping[str, bytes], key: SigningKey, at: str) -> dict[str, bytes]:
    """The files a co-signature changes or adds (the envelope, the custody log, the co-signer's public key).
    Refused, naming every problem, if the files no longer match the manifest or the manifest the statement:
    nobody should put their name under a changed bundle."""
    payload = _intact_payload(files)
    envelope = parse_envelope(files[ENVELOPE]).signed_by(key)
    return {ENVELOPE: envelope.to_json(), **_key_file(files, key),
            CUSTODY: append_entry(files.get(CUSTODY, b""), key, "co-signed", at, hashlib.sha256(payload).hexdigest())}


def hand_over(files: Mapping[str, bytes], key: SigningKey, at: str, to: str) -> dict[str, bytes]:
    """The custody log with a hand-over entry (from `key`'s organisation to `to`)."""
    payload = _intact_payload(files)
    return {CUSTODY: append_entry(files.get(CUSTODY, b""), key, "handed-over", at,
                                  hashlib.sha256(payload).hexdigest(), to=to)}


def _intact_payload(files: Mapping[str, bytes]) -> bytes:
    problems = check_manifest(files).problems
    if ENVELOPE not in files:
        problems.append(f"missing: {ENVELOPE}")
    if problems:
        raise EvidenceError("the bundle is not intact: " + "; ".join(problems))
    envelope = parse_envelope(files[ENVELOPE])
    problems = statement_problems(payload_json(envelope), files.get(MANIFEST))
    if problems:
        raise EvidenceError("the bundle is not intact: " + "; ".join(problems))
    return envelope.payload


def _key_file(files: Mapping[str, bytes], key: SigningKey) -> dict[str, bytes]:
    pem = public_pem(key.public.public)
    path = f"{KEYS}{key.org}{PUBLIC_KEY_SUFFIX}"
    if files.get(path, pem) != pem:  # another key under the same name: keep both
        path = f"{KEYS}{key.org}-{key.public.keyid[:12]}{PUBLIC_KEY_SUFFIX}"
    return {path: pem}
