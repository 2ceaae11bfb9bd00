"""Organisations' Ed25519 keys: new key pairs, PEM files (PKCS#8 private, SPKI public), key ids, and the
keys a verifier trusts, named by their files (`kr-nis.ed25519.pub` is kr-nis's key)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hotpursuit.evidence.layout import PRIVATE_KEY_SUFFIX, PUBLIC_KEY_SUFFIX, EvidenceError

ORG_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class OrgKey:
    """A public key and the organisation it stands for."""

    org: str
    keyid: str
    public: Ed25519PublicKey


@dataclass(frozen=True)
class SigningKey:
    """An organisation's private key."""

    org: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> OrgKey:
        pub = self.private.public_key()
        return OrgKey(self.org, keyid(pub), pub)


def keyid(public: Ed25519PublicKey) -> str:
    """The key's id: the SHA-256 hex of its raw 32 bytes."""
    return hashlib.sha256(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).hexdigest()


def check_org_name(org: str) -> str:
    """An organisation name fit for file names (letters, digits, '.', '_', '-'); EvidenceError otherwise."""
    if not ORG_NAME.match(org):
        raise EvidenceError(f"organisation name {org!r}: use letters, digits, '.', '_' or '-' (e.g. kr-nis)")
    return org


def new_key_pair(org: str) -> tuple[bytes, bytes, str]:
    """(private PEM, public PEM, key id) of a fresh Ed25519 key for `org`."""
    check_org_name(org)
    private = Ed25519PrivateKey.generate()
    return (private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()),
            public_pem(private.public_key()), keyid(private.public_key()))


def public_pem(public: Ed25519PublicKey) -> bytes:
    """The SubjectPublicKeyInfo PEM of a public key."""
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def org_of_file(name: str, suffix: str) -> str:
    """The organisation a key file stands for: `kr-nis.ed25519.pub` -> kr-nis (else the name before its
    last dot)."""
    base = name.rsplit("/", 1)[-1]
    return base[: -len(suffix)] if base.endswith(suffix) else base.rsplit(".", 1)[0]


def load_signing_key(data: bytes, where: str, org: str | None = None) -> SigningKey:
    """A private Ed25519 key from PEM bytes read from `where`; its organisation is `org` or the file's name."""
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise EvidenceError(f"{where}: not an unencrypted PEM private key ({exc})") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise EvidenceError(f"{where}: not an Ed25519 key ({type(private).__name__})")
    return SigningKey(check_org_name(org or org_of_file(where, PRIVATE_KEY_SUFFIX)), private)


def load_org_key(data: bytes, where: str, org: str | None = None) -> OrgKey:
    """A public Ed25519 key from PEM bytes read from `where`; its organisation is `org` or the file's name."""
    if b"PRIVATE KEY-----" in data:
        raise EvidenceError(f"{where}: a private key; give its public key file ({PUBLIC_KEY_SUFFIX}), and never "
                            "hand out the private one")
    try:
        public = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise EvidenceError(f"{where}: not a PEM public key ({exc})") from None
    if not isinstance(public, Ed25519PublicKey):
        raise EvidenceError(f"{where}: not an Ed25519 public key ({type(public).__name__})")
    return OrgKey(org or org_of_file(where, PUBLIC_KEY_SUFFIX), keyid(public), public)


def key_label(key: OrgKey) -> str:
    """How a key is named in messages: `kr-nis (3f2a9c1b0d4e5f60)`."""
    return f"{key.org} ({key.keyid[:16]})"
