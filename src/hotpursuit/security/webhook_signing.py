"""Signing webhook deliveries (freeze requests, retractions): HMAC-SHA256 over the timestamp, the
idempotency key and the exact body bytes, in the style of Stripe's `t=...,v1=...` header. Pure.

Headers on every delivery:
  X-Hotpursuit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<idempotency key>." + body)>
  Idempotency-Key: <outbox id>  (the same on every retry of one delivery)
A receiver recomputes the HMAC with the shared secret, compares in constant time, refuses a timestamp
older than its tolerance (a replay) or in the future (a signature made to outlive the tolerance), and
applies each message once by the `type` and `id` of its signed body (a captured delivery replayed under
another Idempotency-Key no longer verifies, and would be a duplicate anyway).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Hotpursuit-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
DEFAULT_TOLERANCE = 300  # seconds
FUTURE_SKEW = 30  # seconds a sender's clock may run ahead


class SignatureError(ValueError):
    """A delivery whose signature does not verify, with the reason."""


def new_secret() -> str:
    """A fresh shared secret for an organisation's webhook."""
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: int, idempotency_key: str) -> str:
    """The signature header's value for `body` sent at `timestamp` under `idempotency_key`."""
    signed = f"{timestamp}.{idempotency_key}.".encode() + body
    mac = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, body: bytes, header: str | None, now: int, idempotency_key: str | None,
           tolerance: int = DEFAULT_TOLERANCE) -> int:
    """The signed timestamp if `header` signs `idempotency_key` and `body` with `secret`, dated within
    `tolerance` seconds before `now` (and not in the future); raises SignatureError saying what is wrong
    otherwise."""
    if not idempotency_key:
        raise SignatureError(f"missing {IDEMPOTENCY_HEADER} header")
    if not header:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        raise SignatureError(f"malformed {SIGNATURE_HEADER} header (want t=<seconds>,v1=<hex>)")
    timestamp = int(parts["t"])
    if timestamp > now + FUTURE_SKEW:
        raise SignatureError(f"timestamp {timestamp} is dated in the future (now {now})")
    if now - timestamp > tolerance:
        raise SignatureError(f"timestamp {timestamp} is more than {tolerance} s before now ({now}): a replay?")
    expected = sign(secret, body, timestamp, idempotency_key).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts["v1"]):
        raise SignatureError("signature does not match the body and idempotency key (wrong secret, or altered)")
    return timestamp
