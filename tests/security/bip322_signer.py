"""A BIP-322 "simple" signer for P2WPKH, as a wallet makes one (the product only verifies): the virtual
`to_spend` transaction commits to the tagged hash of the message and pays the address; `to_sign` spends
it, and its witness is the signature. Built with embit, checked against the BIP's own test vectors."""

from __future__ import annotations

import base64
import hashlib

from embit import ec, script
from embit.script import Witness
from embit.transaction import Transaction, TransactionInput, TransactionOutput


def _tagged(tag: str, data: bytes) -> bytes:
    digest = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(digest + digest + data).digest()


def p2wpkh_address(key: ec.PrivateKey) -> str:
    """The mainnet bech32 address of the key."""
    return str(script.p2wpkh(key.get_public_key()).address())


def sign_simple(key: ec.PrivateKey, message: str) -> str:
    """The BIP-322 simple signature (base64 of the witness stack) of `message` by the key's P2WPKH address."""
    pub = key.get_public_key()
    message_hash = _tagged("BIP0322-signed-message", message.encode())
    to_spend = Transaction(version=0, locktime=0,
                           vin=[TransactionInput(b"\x00" * 32, 0xFFFFFFFF, script.Script(b"\x00\x20" + message_hash),
                                                 sequence=0)],
                           vout=[TransactionOutput(0, script.p2wpkh(pub))])
    to_sign = Transaction(version=0, locktime=0, vin=[TransactionInput(to_spend.txid(), 0, sequence=0)],
                          vout=[TransactionOutput(0, script.Script(b"\x6a"))])
    signature = key.sign(to_sign.sighash_segwit(0, script.p2pkh(pub), 0))
    return base64.b64encode(Witness([signature.serialize() + b"\x01", pub.sec()]).serialize()).decode()
