"""Reading fields of JSON-RPC objects: hex quantities and addresses, validated with their place."""

from __future__ import annotations

import re
from typing import Any

from hotpursuit.errors import IngestError

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")


def quantity(obj: dict[str, Any], field: str, where: str) -> int:
    """A required hex quantity (`0x1a`) as int; plain ints are accepted too (some traces)."""
    value = obj.get(field)
    if type(value) is str and value.startswith("0x") and value.isascii() and value.isalnum():
        # the cheap checks leave only hex digits (int() then checks them) or a bare "0x"
        if len(value) == 2:
            if field == "input":
                return 0
        else:
            try:
                return int(value, 16)
            except ValueError:
                pass
    elif isinstance(value, int) and not isinstance(value, bool):
        return value
    raise IngestError(f"{where}: field {field!r} is not a hex quantity: {value!r}")


def optional_quantity(obj: dict[str, Any], field: str, where: str) -> int | None:
    """A hex quantity that may be absent or null."""
    if obj.get(field) is None:
        return None
    return quantity(obj, field, where)


def address(obj: dict[str, Any], field: str, where: str) -> str:
    """A required address, lowercased."""
    value = obj.get(field)
    if not isinstance(value, str) or not _ADDRESS.match(value):
        raise IngestError(f"{where}: field {field!r} is not an address: {value!r}")
    return value.lower()


def optional_address(obj: dict[str, Any], field: str, where: str) -> str | None:
    """An address that may be absent or null (contract creation has no `to`)."""
    if obj.get(field) is None:
        return None
    return address(obj, field, where)


def hash32(obj: dict[str, Any], field: str, where: str) -> str:
    """A required 32-byte hash, lowercased."""
    value = obj.get(field)
    if not isinstance(value, str) or not _HASH.match(value):
        raise IngestError(f"{where}: field {field!r} is not a 32-byte hash: {value!r}")
    return value.lower()
