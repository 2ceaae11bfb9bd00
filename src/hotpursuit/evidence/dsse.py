"""DSSE v1 envelopes signed with Ed25519: the pre-authentication encoding, signing, co-signing, and the
threshold check that names every signature it cannot count and why.

The envelope is `{"payload", "payloadType", "signatures": [{"keyid", "sig"}]}` with standard base64, as
securesystemslib and sigstore write it; signatures are over PAE(payloadType, payload), never the raw
payload; a key id is the SHA-256 of the raw public key (evidence.keys.keyid)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature

from hotpursuit.evidence.keys import OrgKey, SigningKey, key_label
from hotpursuit.evidence.layout import ENVELOPE, EvidenceError, canonical_json

PAYLOAD_TYPE = "application/vnd.in-toto+json"


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


@dataclass(frozen=True)
class Envelope:
    """A parsed envelope: the payload bytes, its type and the (keyid, signature bytes) pairs."""

    payload: bytes
    payload_type: str
    signatures: tuple[tuple[str, bytes], ...]

    def to_json(self) -> bytes:
        """The envelope file's bytes (canonical JSON)."""
        return canonical_json({
            "payload": base64.b64encode(self.payload).decode(), "payloadType": self.payload_type,
            "signatures": [{"keyid": k, "sig": base64.b64encode(s).decode()} for k, s in self.signatures]})

    def signed_by(self, key: SigningKey) -> Envelope:
        """This envelope with `key`'s signature added; EvidenceError if that key has signed it already."""
        mine = key.public.keyid
        if any(k == mine for k, _ in self.signatures):
            raise EvidenceError(f"{ENVELOPE}: already signed by {key_label(key.public)}")
        sig = key.private.sign(pae(self.payload_type, self.payload))
        return Envelope(self.payload, self.payload_type, (*self.signatures, (mine, sig)))


def seal(payload: bytes, key: SigningKey, payload_type: str = PAYLOAD_TYPE) -> Envelope:
    """A new envelope over `payload` with `key`'s signature."""
    return Envelope(payload, payload_type, ()).signed_by(key)


def parse_envelope(data: bytes) -> Envelope:
    """An envelope from its file's bytes; EvidenceError naming the file and what is wrong."""
    try:
        raw = json.loads(data)
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
        payload = base64.b64decode(raw["payload"], validate=True)
        payload_type = raw["payloadType"]
        if not isinstance(payload_type, str):
            raise ValueError("payloadType is not a string")
        sigs = tuple((str(s["keyid"]), base64.b64decode(s["sig"], validate=True)) for s in raw["signatures"])
    except (ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise EvidenceError(f"malformed: {ENVELOPE} ({type(exc).__name__}: {exc})") from None
    return Envelope(payload, payload_type, sigs)


@dataclass
class SignatureCheck:
    """Who signed validly (trusted keys, each counted once), the failures and what is only worth noting."""

    valid: list[OrgKey] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_signatures(envelope: Envelope, trusted: Mapping[str, OrgKey], threshold: int,
                     named: Mapping[str, str] | None = None) -> SignatureCheck:
    """Count the distinct trusted keys whose signature verifies. A trusted key's signature that does not
    verify is a failure; a signature by a key the verifier does not trust is not counted, and a failure only
    when the threshold is not met (`named`: key id -> the organisation the bundle's keys/ says it is, shown
    for information). Below the threshold: `threshold not met: N of M`."""
    check = SignatureCheck()
    message = pae(envelope.payload_type, envelope.payload)
    counted: set[str] = set()
    untrusted: list[str] = []
    for keyid, sig in envelope.signatures:
        key = trusted.get(keyid)
        if key is None:
            claimed = (named or {}).get(keyid)
            untrusted.append(f"signature by an untrusted key {keyid}"
                             + (f" (the bundle names it {claimed})" if claimed else ""))
            continue
        try:
            key.public.verify(sig, message)
        except InvalidSignature:
            check.problems.append(f"signature by {key_label(key)} does not verify")
            continue
        if keyid not in counted:
            counted.add(keyid)
            check.valid.append(key)
    if len(check.valid) < threshold:
        check.problems += untrusted
        check.problems.append(f"threshold not met: {len(check.valid)} of {threshold}")
    else:
        check.notes += [f"{u}: not counted" for u in untrusted]
    return check


def payload_json(envelope: Envelope) -> dict[str, Any]:
    """The envelope's payload parsed as a JSON object; EvidenceError if it is not one."""
    try:
        value = json.loads(envelope.payload)
    except ValueError as exc:
        raise EvidenceError(f"malformed: {ENVELOPE} payload ({exc})") from None
    if not isinstance(value, dict):
        raise EvidenceError(f"malformed: {ENVELOPE} payload (not a JSON object)")
    return value
