"""How the assets an answer names are read (symbol and decimals), so a client shows `401,346.77 ETH`
from the base units it is given, never wei labelled ETH."""

from __future__ import annotations

from collections.abc import Iterable

from hotpursuit.api.models.common import AssetOut
from hotpursuit.api.state import ApiState
from hotpursuit.chains.readable import AssetUnits, units_of
from hotpursuit.store.asset_units import token_units


class AssetReader:
    """Reads assets chain by chain, each chain's tokens looked up once per answer."""

    def __init__(self, state: ApiState) -> None:
        self._state = state
        self._tokens: dict[str, dict[str, AssetUnits]] = {}

    def units(self, chain: str, asset: str) -> AssetUnits | None:
        """How `asset` of `chain` is read; None if its decimals are unknown."""
        if chain not in self._tokens:
            self._tokens[chain] = token_units(self._state.store, chain)
        return units_of(chain, asset, self._tokens[chain])

    def out(self, chain: str, assets: Iterable[str]) -> dict[str, AssetOut]:
        """asset -> its reading, for each of `assets` (sorted)."""
        found = {a: self.units(chain, a) for a in sorted(set(assets))}
        return {a: AssetOut(symbol=None if u is None else u.symbol, decimals=None if u is None else u.decimals)
                for a, u in found.items()}
