"""Webhook signatures: what a receiver accepts and refuses."""

from __future__ import annotations

import pytest

from hotpursuit.security.webhook_signing import SignatureError, new_secret, sign, verify

BODY = b'{"type":"freeze_request","id":"fr-1","amount":"1000000"}'


def test_a_signed_body_verifies_and_any_change_is_refused() -> None:
    secret = new_secret()
    header = sign(secret, BODY, 1_700_000_000, "ob-1")
    assert verify(secret, BODY, header, 1_700_000_010, "ob-1") == 1_700_000_000
    with pytest.raises(SignatureError, match="does not match"):
        verify(secret, BODY.replace(b"1000000", b"9000000"), header, 1_700_000_010, "ob-1")
    with pytest.raises(SignatureError, match="does not match"):
        verify(new_secret(), BODY, header, 1_700_000_010, "ob-1")
    with pytest.raises(SignatureError, match="does not match"):  # a captured delivery under a new key
        verify(secret, BODY, header, 1_700_000_010, "ob-2")
    with pytest.raises(SignatureError, match="a replay"):
        verify(secret, BODY, header, 1_700_000_000 + 301, "ob-1")
    with pytest.raises(SignatureError, match="in the future"):
        verify(secret, BODY, sign(secret, BODY, 1_700_000_000 + 3600, "ob-1"), 1_700_000_000, "ob-1")
    with pytest.raises(SignatureError, match="malformed"):
        verify(secret, BODY, "v1=abc", 1_700_000_000, "ob-1")
    with pytest.raises(SignatureError, match="missing"):
        verify(secret, BODY, None, 1_700_000_000, "ob-1")
    with pytest.raises(SignatureError, match="missing Idempotency-Key"):
        verify(secret, BODY, header, 1_700_000_010, None)
