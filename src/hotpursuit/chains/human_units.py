"""Base units as people read them: a decimal with a fixed number of places, made from the integer exactly
(integer arithmetic, rounded down; never a float). The API and the store keep base units."""

from __future__ import annotations


def units(amount: int, decimals: int, shown: int = 4) -> str:
    """`amount` base units of an asset with `decimals` as a decimal with `shown` places (thousands
    separated, rounded down): units(401_346_770 * 10**15, 18) == "401,346.7700"."""
    sign, amount = ("-", -amount) if amount < 0 else ("", amount)
    whole, frac = divmod(amount, 10**decimals)
    if shown <= 0:
        return f"{sign}{whole:,}"
    if shown >= decimals:
        return f"{sign}{whole:,}.{frac:0{decimals}d}" + "0" * (shown - decimals) if decimals else f"{sign}{whole:,}"
    return f"{sign}{whole:,}.{frac // 10 ** (decimals - shown):0{shown}d}"
