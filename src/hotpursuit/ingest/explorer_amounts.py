"""Exact decimal-to-base-unit conversion for amounts printed by block explorers (string arithmetic)."""

from __future__ import annotations

import re

UINT256_MAX = 2**256 - 1

# digits with optional thousands separators ("1,234,567.5") or plain digits, optional fraction
_GROUPED = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]*))?$")
_INTEGER = re.compile(r"^[0-9]{1,78}$")


class AmountError(ValueError):
    """An amount cell that is not an exact non-negative decimal in range; the reason says why."""


def decimal_to_base_units(text: str, decimals: int) -> int:
    """`text` (token units, e.g. "1,234.5" or "0.000001") as an integer of base units.

    Exact: the digits are shifted by `decimals` as text, never through a float. A fraction with
    more digits than `decimals` allows (other than trailing zeros) is refused, as is anything but
    a plain non-negative decimal (no sign, no exponent) or a value above 2^256-1.
    """
    cell = text.strip()
    match = _GROUPED.match(cell)
    if match is None or cell in ("", "."):
        raise AmountError(f"{text!r} is not a non-negative decimal number")
    whole = cell.replace(",", "").partition(".")[0]
    fraction = (match.group(1) or "").rstrip("0")
    if len(fraction) > decimals:
        raise AmountError(f"{text!r} has {len(fraction)} fractional digits; the token has {decimals} decimals")
    value = int(whole + fraction.ljust(decimals, "0"))
    if value > UINT256_MAX:
        raise AmountError(f"{text!r} is above 2^256-1 base units")
    return value


def base_units(text: str) -> int:
    """An integer amount already in base units (API replies: wei, token units), checked to uint256."""
    cell = text.strip()
    if not _INTEGER.match(cell):
        raise AmountError(f"{text!r} is not a non-negative integer of base units")
    value = int(cell)
    if value > UINT256_MAX:
        raise AmountError(f"{text!r} is above 2^256-1")
    return value
