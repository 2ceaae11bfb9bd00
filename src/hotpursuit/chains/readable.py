"""What people read, made from what the store keeps: amounts in human units with the asset's symbol
(exact decimal arithmetic on the integers, never a float), UTC times with block numbers, and explorer
links where a chain has a well-known explorer. The one formatting module: the CLI, the API's JSON, the
reports and the UI all call it. Pure.

Display amounts are rounded *down* (nobody reads more than was there): two decimals from one whole unit
up, four significant digits below it, and never 0 for an amount that is not 0. `exact_units` gives every
digit; the base units stay a `--raw` (or a JSON field) away."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hotpursuit.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class AssetUnits:
    """How an asset is read: its symbol and how many decimals its base unit has."""

    symbol: str
    decimals: int


NATIVE_UNITS: dict[str, AssetUnits] = {
    "ethereum": AssetUnits("ETH", 18), "anvil": AssetUnits("ETH", 18), "arbitrum": AssetUnits("ETH", 18),
    "optimism": AssetUnits("ETH", 18), "base": AssetUnits("ETH", 18), "bsc": AssetUnits("BNB", 18),
    "polygon": AssetUnits("POL", 18), "bitcoin": AssetUnits("BTC", 8), "bitcoin-test": AssetUnits("tBTC", 8),
    "bitcoin-regtest": AssetUnits("BTC", 8),
}
NATIVE_ASSETS = {"ETH": 18, "BTC": 8, "BNB": 18, "POL": 18}  # the store's names for native value

EXPLORERS: dict[str, str] = {
    "ethereum": "https://etherscan.io", "arbitrum": "https://arbiscan.io", "optimism": "https://optimistic.etherscan.io",
    "base": "https://basescan.org", "bsc": "https://bscscan.com", "polygon": "https://polygonscan.com",
    "bitcoin": "https://mempool.space",
}


def units_of(chain: str, asset: str, tokens: dict[str, AssetUnits]) -> AssetUnits | None:
    """How `asset` (a native name like ETH, or a token contract) of `chain` is read; None if unknown."""
    if asset in tokens:
        return tokens[asset]
    native = NATIVE_UNITS.get(chain)
    if native is not None and asset == native.symbol:
        return native
    if asset in NATIVE_ASSETS:
        return AssetUnits(asset, NATIVE_ASSETS[asset])
    return None


def _grouped(whole: int) -> str:
    return f"{whole:,}"


def exact_units(amount: int, decimals: int) -> str:
    """Every digit: 401346770000000000000000 with 18 decimals is "401,346.77" (no trailing zeros)."""
    sign, amount = ("-", -amount) if amount < 0 else ("", amount)
    whole, frac = divmod(amount, 10**decimals)
    digits = f"{frac:0{decimals}d}".rstrip("0") if decimals else ""
    return f"{sign}{_grouped(whole)}" + (f".{digits}" if digits else "")


def display_units(amount: int, decimals: int) -> str:
    """Rounded down for reading: two decimals from one unit up, four significant digits below it."""
    sign, amount = ("-", -amount) if amount < 0 else ("", amount)
    whole, frac = divmod(amount, 10**decimals)
    if amount == 0 or decimals == 0:
        return f"{sign}{_grouped(whole)}"
    digits = f"{frac:0{decimals}d}"
    if whole:
        kept = digits[:2].rstrip("0")
    else:
        first = len(digits) - len(digits.lstrip("0"))
        kept = digits[:first + 4].rstrip("0")
    return f"{sign}{_grouped(whole)}" + (f".{kept}" if kept else "")


def fixed_units(amount: int, decimals: int, shown: int = 4) -> str:
    """A fixed number of places, for columns that line up (rounded down): fixed_units(401_346_770 * 10**15,
    18) == "401,346.7700"."""
    sign, amount = ("-", -amount) if amount < 0 else ("", amount)
    whole, frac = divmod(amount, 10**decimals)
    if shown <= 0:
        return f"{sign}{whole:,}"
    if shown >= decimals:
        return f"{sign}{whole:,}.{frac:0{decimals}d}" + "0" * (shown - decimals) if decimals else f"{sign}{whole:,}"
    return f"{sign}{whole:,}.{frac // 10 ** (decimals - shown):0{shown}d}"


def human(amount: int, units: AssetUnits | None, asset: str = "") -> str:
    """`401,346.77 ETH`; an asset whose decimals nobody knows: `12,345 base units of <asset>`."""
    if units is None:
        return f"{amount:,} base units of {asset}".rstrip()
    return f"{display_units(amount, units.decimals)} {units.symbol}"


def amount_fields(amount: int, units: AssetUnits | None) -> dict[str, object]:
    """An amount in JSON: the base units as a decimal string, with `decimals`, `symbol` and the
    exact human form (null when the asset's decimals are unknown)."""
    return {"amount": str(amount), "decimals": None if units is None else units.decimals,
            "symbol": None if units is None else units.symbol,
            "units": None if units is None else exact_units(amount, units.decimals)}


def utc(moment: dt.datetime | int | None) -> str:
    """`2025-02-21 14:13:35 UTC` from a datetime (naive ones are UTC) or a Unix time; "" for None."""
    if moment is None:
        return ""
    when = dt.datetime.fromtimestamp(moment, dt.UTC) if isinstance(moment, int) else moment
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def at_block(number: int | None, moment: dt.datetime | int | None = None) -> str:
    """`block 21,895,238 (2025-02-21 14:13:35 UTC)`."""
    if number is None:
        return ""
    return f"block {number:,}" + (f" ({utc(moment)})" if moment is not None else "")


def explorer_url(chain: str, kind: str, ident: str) -> str | None:
    """A link to `ident` (kind `tx`, `address` or `block`) on the chain's explorer; None if it has none."""
    base = EXPLORERS.get(chain)
    if base is None or kind not in ("tx", "address", "block"):
        return None
    return f"{base}/{kind}/{ident}"


def parse_units(text: str, decimals: int, field: str = "amount") -> int:
    """Base units from a human amount ('1,234.5'): exact, never through a float; more fractional digits
    than the asset has, a sign, or anything but digits is refused with the field named."""
    plain = text.strip().replace(",", "").replace("_", "")
    if len(plain) > 100:
        raise InvalidInput(f"{field}: {text[:20]!r}... is too long to be an amount")
    whole, _, fraction = plain.partition(".")
    if not plain or not (whole or fraction) or not (whole + fraction).isdigit() or not (whole + fraction).isascii():
        raise InvalidInput(f"{field}: {text!r} is not an amount (digits, one decimal point)")
    if len(fraction) > decimals:
        raise InvalidInput(f"{field}: {text!r} has more than {decimals} decimal places")
    scale: int = 10**decimals
    return int(whole or "0") * scale + int((fraction or "0").ljust(decimals, "0")[:decimals] or "0")

