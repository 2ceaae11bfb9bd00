"""How the assets an answer names are read (symbol and decimals), so a client shows `401,346.77 ETH`
from the base units it is given, never wei labelled ETH."""

from __future__ import annotations

from collections.abc import Iterable

from hotpursuit.api.models.common import AssetOut
from hotpursuit.store.asset_units import AssetReader


def assets_out(reader: AssetReader, chain: str, assets: Iterable[str]) -> dict[str, AssetOut]:
    """asset -> its reading, for each of `assets` (sorted)."""
    found = {a: reader.units(chain, a) for a in sorted(set(assets))}
    return {a: AssetOut(symbol=None if u is None else u.symbol, decimals=None if u is None else u.decimals)
            for a, u in found.items()}
