"""Proof that an organisation controls an address: the address signs a challenge naming the organisation,
the chain, the address and a random nonce. Pure.

EVM: an EIP-191 `personal_sign` signature (what every wallet and `cast wallet sign` produce), recovered
with eth-account. Bitcoin: a legacy signed message (Bitcoin Core's `signmessage`, P2PKH addresses),
verified with python-bitcoinlib, or a BIP-322 "simple" signature (segwit and taproot addresses),
verified with the `bip322` package (rust-bitcoin's bip322 crate). Anything
else (a token contract: see `token_roles`; an address held in a custody system that cannot sign) is
approved by a server-admin, with the reason kept.
"""

from __future__ import annotations

import secrets

import bip322
from bitcoin.signmessage import BitcoinMessage, VerifyMessage
from eth_account import Account
from eth_account.messages import encode_defunct

CHALLENGE_HEADER = "hotpursuit control proof"


def new_challenge(org_id: str, chain: str, address: str, kind: str) -> str:
    """The text the address must sign to prove the organisation controls it."""
    return (f"{CHALLENGE_HEADER}\norganisation: {org_id}\nchain: {chain}\naddress: {address}\nkind: {kind}\n"
            f"nonce: {secrets.token_hex(16)}")


def evm_signer(challenge: str, signature: str) -> str | None:
    """The address that signed `challenge` (EIP-191), lower case; None if the signature is malformed."""
    try:
        return str(Account.recover_message(encode_defunct(text=challenge), signature=signature)).lower()
    except Exception:  # eth-account/eth-keys raise several kinds (ValidationError, ValueError, ...) on bad input
        return None


def bitcoin_message_signed_by(challenge: str, signature: str, address: str) -> bool:
    """Whether `signature` (base64: a legacy signmessage, or a BIP-322 simple signature) is `address`'s
    over `challenge`."""
    try:
        if VerifyMessage(address, BitcoinMessage(challenge), signature):
            return True
    except Exception:  # python-bitcoinlib raises bare errors of several kinds on malformed input
        pass
    try:
        bip322.verify_simple_encoded(address, challenge, signature)  # raises unless it verifies
    except Exception:  # VerificationError, and ValueError-like errors on a malformed address or encoding
        return False
    return True


def proves_control(chain_kind: str, challenge: str, address: str, signature: str) -> bool:
    """Whether `signature` is `address`'s over `challenge` (`chain_kind`: evm or bitcoin)."""
    if chain_kind == "evm":
        return evm_signer(challenge, signature) == address.lower()
    if chain_kind == "bitcoin":
        return bitcoin_message_signed_by(challenge, signature, address)
    return False
