"""How a case report reads each asset's amounts: exact (every digit, for the summary and the appendix) or
rounded down (for graph labels and tables), always with the asset's symbol, from integers. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from hotpursuit.chains.readable import AssetUnits, display_units, exact_units


def short_id(text: str, head: int = 6, tail: int = 4) -> str:
    """`0xbc1fb4…f9e6`: an address or hash cut for a label (the full one is in the tables and appendix)."""
    return text if len(text) <= head + tail + 1 else f"{text[:head]}…{text[-tail:]}"


@dataclass(frozen=True)
class AssetBook:
    """Asset -> how it is read (None: nobody knows its decimals; its amounts stay in base units)."""

    units: dict[str, AssetUnits | None]
    base_units_of: str = "{amount} base units of {asset}"  # translated by the renderer's language

    def symbol(self, asset: str) -> str:
        """The symbol, or a shortened contract for an asset whose decimals are unknown."""
        found = self.units.get(asset)
        return found.symbol if found is not None else short_id(asset, 8, 6)

    def exact(self, amount: int, asset: str) -> str:
        """Every digit: `401,346.77 ETH`; `12,345 base units of 0x…` when the decimals are unknown."""
        found = self.units.get(asset)
        if found is None:
            return self.base_units_of.format(amount=f"{amount:,}", asset=asset)
        return f"{exact_units(amount, found.decimals)} {found.symbol}"

    def shown(self, amount: int, asset: str) -> str:
        """Rounded down for reading (never 0 for an amount that is not 0): `9,721.71 ETH`."""
        found = self.units.get(asset)
        if found is None:
            return self.base_units_of.format(amount=f"{amount:,}", asset=short_id(asset, 8, 6))
        return f"{display_units(amount, found.decimals)} {found.symbol}"


    def brief(self, amount: int, asset: str) -> tuple[str, str]:
        """For a graph label, (number, unit): whole units from 1,000 up (`27,255,277`, `HUSD`), else as
        `shown` (rounded down); an asset whose decimals are unknown in base units."""
        found = self.units.get(asset)
        if found is None:
            return f"{amount:,}", self.base_units_of.format(amount="", asset=short_id(asset, 8, 6)).strip()
        if amount >= 1000 * 10**found.decimals:
            return f"{amount // 10**found.decimals:,}", found.symbol
        return display_units(amount, found.decimals), found.symbol


def units_from_report(assets: dict[str, dict[str, object]]) -> dict[str, AssetUnits | None]:
    """The trace report's `assets` ({"symbol", "decimals"} per asset) as AssetUnits."""
    out: dict[str, AssetUnits | None] = {}
    for asset, info in assets.items():
        decimals = info.get("decimals")
        out[asset] = None if decimals is None else AssetUnits(str(info.get("symbol") or asset), int(str(decimals)))
    return out
