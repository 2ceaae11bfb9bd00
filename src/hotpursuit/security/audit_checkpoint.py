"""Signed checkpoints of the audit log: the server signs (sequence number, hash) of the chain's head
with its Ed25519 key at intervals. A partner keeps the checkpoints it was sent; given one, `audit verify`
detects a log cut short below it (truncation) and a log rewritten with recomputed hashes (the entry at
the checkpoint no longer has the signed hash). Without the server's private key nobody can make a
checkpoint for a rewritten log, and the server cannot deny one it signed. Pure: keys are handed in.

A checkpoint travels as one JSON object: `{"type", "server_key", "seq", "hash", "signed_at",
"signature"}`; the signature (hex) covers the canonical JSON of the other fields."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hotpursuit.errors import InvalidInput
from hotpursuit.security.audit_chain import AuditEntry

CHECKPOINT_TYPE = "hotpursuit-audit-checkpoint"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The server's signed statement that its audit log's entry `seq` has hash `hash`."""

    server_key: str  # Ed25519 public key, hex
    seq: int
    hash: str
    signed_at: str  # UTC, ISO 8601
    signature: str  # hex

    def to_json(self) -> dict[str, object]:
        """The exported form."""
        return {"type": CHECKPOINT_TYPE, **asdict(self)}


def public_key_hex(key: Ed25519PrivateKey) -> str:
    """The public half of a server key, hex (what partners pin)."""
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _signed_bytes(server_key: str, seq: int, digest: str, signed_at: str) -> bytes:
    body = {"type": CHECKPOINT_TYPE, "server_key": server_key, "seq": seq, "hash": digest, "signed_at": signed_at}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def sign_checkpoint(key: Ed25519PrivateKey, seq: int, digest: str, signed_at: str) -> Checkpoint:
    """A checkpoint of the log whose last entry is number `seq` with hash `digest`."""
    server_key = public_key_hex(key)
    signature = key.sign(_signed_bytes(server_key, seq, digest, signed_at)).hex()
    return Checkpoint(server_key, seq, digest, signed_at, signature)


def signature_holds(checkpoint: Checkpoint) -> bool:
    """Whether the checkpoint was signed by the key it names."""
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(checkpoint.server_key))
        public.verify(bytes.fromhex(checkpoint.signature), _signed_bytes(
            checkpoint.server_key, checkpoint.seq, checkpoint.hash, checkpoint.signed_at))
    except (ValueError, InvalidSignature):
        return False
    return True


def checkpoint_from_json(value: object, where: str) -> Checkpoint:
    """A checkpoint read from an export; InvalidInput naming `where` if it is not one."""
    fields = ("server_key", "seq", "hash", "signed_at", "signature")
    if not isinstance(value, dict) or value.get("type") != CHECKPOINT_TYPE:
        raise InvalidInput(f"{where}: not a hotpursuit audit checkpoint (expected an object with "
                           f"\"type\": \"{CHECKPOINT_TYPE}\")")
    missing = [f for f in fields if f not in value]
    if missing:
        raise InvalidInput(f"{where}: the checkpoint lacks {', '.join(missing)}")
    seq = value["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise InvalidInput(f"{where}: seq must be a positive integer, not {seq!r}")
    texts = {f: value[f] for f in fields if f != "seq"}
    wrong = [f for f, v in texts.items() if not isinstance(v, str)]
    if wrong:
        raise InvalidInput(f"{where}: {', '.join(wrong)} must be text")
    return Checkpoint(str(value["server_key"]), seq, str(value["hash"]), str(value["signed_at"]),
                      str(value["signature"]))


def checkpoint_problems(entries: list[AuditEntry], checkpoint: Checkpoint, trusted_key: str | None) -> list[str]:
    """What a checkpoint shows about a log (empty when the log holds it): a bad or foreign signature,
    entries removed from the end, or the checkpointed entry changed (a rewrite, hashes recomputed)."""
    label = f"checkpoint of entry {checkpoint.seq} signed {checkpoint.signed_at}"
    if trusted_key is not None and checkpoint.server_key != trusted_key:
        return [f"{label}: signed by key {checkpoint.server_key[:16]}…, not the server key given "
                f"({trusted_key[:16]}…)"]
    if not signature_holds(checkpoint):
        return [f"{label}: its signature does not verify (the checkpoint was altered or forged)"]
    if len(entries) < checkpoint.seq:
        return [f"{label}: the log ends at entry {len(entries)}, so entries {len(entries) + 1}-{checkpoint.seq} "
                "(at least) were removed: truncated"]
    found = entries[checkpoint.seq - 1]
    if found.seq != checkpoint.seq or found.hash != checkpoint.hash:
        return [f"{label}: entry {checkpoint.seq} now hashes to {found.hash[:16]}…, the server signed "
                f"{checkpoint.hash[:16]}…: the log up to it was rewritten"]
    return []


def checkpoints_from_text(text: str, where: str) -> list[Checkpoint]:
    """Checkpoints kept by a partner: the API's answer (`{"checkpoints": [...]}`), a JSON list, one
    checkpoint, or JSON lines (as `audit export-checkpoints` writes); InvalidInput naming the place."""
    try:
        whole = json.loads(text)
    except ValueError:
        whole = None
        found: list[object] = []
        for n, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    found.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InvalidInput(f"{where}:{n}: not JSON ({exc.msg})") from None
        return [checkpoint_from_json(v, f"{where}:{n}") for n, v in enumerate(found, start=1)]
    if isinstance(whole, dict) and "checkpoints" in whole:
        whole = whole["checkpoints"]
    if isinstance(whole, list):
        return [checkpoint_from_json(v, f"{where}: item {n}") for n, v in enumerate(whole, start=1)]
    return [checkpoint_from_json(whole, where)]
