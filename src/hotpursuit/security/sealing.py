"""Secrets at rest (webhook secrets in the store): sealed with Fernet (AES-128-CBC + HMAC-SHA256) under a
key kept apart from the store file. Pure: the key is handed in."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from hotpursuit.errors import StoreError

SEALED_PREFIX = "sealed:"


def new_sealing_key() -> bytes:
    """A fresh key (URL-safe base64, as Fernet wants it)."""
    return Fernet.generate_key()


class Sealer:
    """Seals and opens short secrets with one key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as exc:
            raise StoreError(f"the sealing key is not a Fernet key (32 bytes, URL-safe base64): {exc}") from exc

    def seal(self, secret: str) -> str:
        """The text to store."""
        return SEALED_PREFIX + self._fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        """The secret; a value stored before secrets were sealed is returned as it is."""
        if not stored.startswith(SEALED_PREFIX):
            return stored
        try:
            return self._fernet.decrypt(stored.removeprefix(SEALED_PREFIX).encode()).decode()
        except InvalidToken as exc:
            raise StoreError("a sealed secret does not open with this store's key (HOTPURSUIT_SEALING_KEY or "
                             "the .key file beside the store): was the key replaced?") from exc
