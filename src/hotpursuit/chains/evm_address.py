"""EVM addresses: validation, EIP-55 checksums, and the lowercase form the store keeps."""

from __future__ import annotations

import re

from eth_utils import to_checksum_address

from hotpursuit.errors import InvalidAddress

_HEX40 = re.compile(r"0x[0-9a-fA-F]{40}")


def normalize_evm_address(text: str, *, where: str = "") -> str:
    """Return the lowercase 0x form of `text`, or raise InvalidAddress.

    Mixed-case input must carry a valid EIP-55 checksum; all-lower or all-upper hex is accepted
    unchecked, as EIP-55 prescribes.
    """
    place = f" ({where})" if where else ""
    if not isinstance(text, str) or not _HEX40.fullmatch(text):  # fullmatch: "$" lets a trailing newline in
        raise InvalidAddress(f"{text!r}{place}: not an EVM address (want 0x and 40 hex digits)")
    body = text[2:]
    if body != body.lower() and body != body.upper() and to_checksum_address(text) != text:
        raise InvalidAddress(f"{text!r}{place}: EIP-55 checksum mismatch")
    return "0x" + body.lower()


def checksum_evm_address(text: str) -> str:
    """The EIP-55 checksummed form of a valid address."""
    return str(to_checksum_address(normalize_evm_address(text)))
