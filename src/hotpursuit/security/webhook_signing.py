"""Signing webhook deliveries (freeze requests, retractions): HMAC-SHA256 over the timestamp and the
exact body bytes, in the style of Stripe's `t=...,v1=...` header. Pure.

Headers on every delivery:
  X-Hotpursuit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>
  Idempotency-Key: <outbox id>  (the same on every retry of one delivery)
A receiver recomputes the HMAC with the shared secret, compares in constant time, refuses a timestamp
older than its tolerance (replays), and applies each idempotency key once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Hotpursuit-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
DEFAULT_TOLERANCE = 300  # seconds


class SignatureError(ValueError):
    """A delivery whose signature does not verify, with the reason."""


def new_secret() -> str:
    """A fresh shared secret for an organisation's webhook."""
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, body: bytes, header: str | None, now: int, tolerance: int = DEFAULT_TOLERANCE) -> int:
    """The signed timestamp if `header` signs `body` with `secret` within `tolerance` seconds of `now`;
    raises SignatureError saying what is wrong otherwise."""
    if not header:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        raise SignatureError(f"malformed {SIGNATURE_HEADER} header (want t=<seconds>,v1=<hex>)")
    timestamp = int(parts["t"])
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"timestamp {timestamp} is more than {tolerance} s from now ({now}): a replay?")
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts["v1"]):
        raise SignatureError("signature does not match the body (wrong secret, or the body was altered)")
    return timestamp
