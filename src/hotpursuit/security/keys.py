"""API keys: `hp_<key id>_<secret>`, shown once, stored as SHA-256 of the whole key. Pure."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCOPES = ("screen", "read", "write", "incident", "org-admin", "server-admin")
"""screen: screening; read: labels, addresses, incidents, traces, boards; write: assert labels, answer
freeze requests; incident: open and close incidents (agencies only: they are the task force's
authorities); org-admin: the organisation's own settings (webhook, controls, its keys); server-admin:
the server (clustering, reloads, organisations, every key, control approvals)."""
ALL_SCOPES_ALIAS = "admin"  # shorthand when creating a key: every scope


def expand_scopes(scopes: list[str]) -> list[str]:
    """The scopes a key gets: `admin` stands for all of them."""
    return sorted(set(SCOPES) if ALL_SCOPES_ALIAS in scopes else set(scopes))


def new_key() -> tuple[str, str, str]:
    """(key id, full key to hand out once, hash to store)."""
    key_id = secrets.token_hex(6)
    key = f"hp_{key_id}_{secrets.token_urlsafe(24)}"
    return key_id, key, hash_key(key)


def hash_key(key: str) -> str:
    """What the store keeps of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_id_of(key: str) -> str | None:
    """The id part of a well-formed key, else None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "hp" or len(parts[1]) != 12:
        return None
    return parts[1]


def matches(key: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented key with a stored hash."""
    return hmac.compare_digest(hash_key(key), stored_hash)
