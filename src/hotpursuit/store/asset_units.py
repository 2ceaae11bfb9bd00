"""How each stored token is read (symbol and decimals), for the readable forms of amounts. The asset
assessment's view comes first: a token that impersonates another reads `fake USDT`, a spam token `spam
XYZ`, so a copied symbol never passes for the real asset; tokens not assessed yet read as their metadata
says. On Ethereum, a canonical token whose decimals no stored row holds (an explorer export carries
none) reads as the bundled registry of canonical tokens says."""

from __future__ import annotations

from hotpursuit.attribution.token_registry import load_canonical_tokens
from hotpursuit.chains.readable import AssetUnits, units_of
from hotpursuit.store.database import Store

_MARKED = {"impersonating": "fake ", "spam": "spam "}


def token_units(store: Store, chain: str) -> dict[str, AssetUnits]:
    """Token contract -> how it is read, for the tokens of `chain` whose decimals are known."""
    rows = store._con.execute(
        """SELECT asset, status, symbol, decimals FROM asset_trust WHERE chain = $c AND decimals IS NOT NULL
           UNION ALL
           SELECT address, NULL, any_value(symbol), min(decimals) FROM tokens t
           WHERE chain = $c AND decimals IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM asset_trust a WHERE a.chain = $c AND a.asset = t.address
                             AND a.decimals IS NOT NULL)
           GROUP BY address""", {"c": chain}).fetchall()
    out: dict[str, AssetUnits] = {}
    for asset, status, symbol, decimals in rows:
        name = symbol if symbol else str(asset)
        out[str(asset)] = AssetUnits(_MARKED.get(str(status), "") + name, int(decimals))
    if chain == "ethereum":
        for address, token in load_canonical_tokens().items():
            if address.startswith("0x") and address not in out:
                out[address] = AssetUnits(token.symbol, token.decimals)
    return out


class AssetReader:
    """Reads assets of any chain, each chain's tokens looked up once (per answer, report or stream)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._tokens: dict[str, dict[str, AssetUnits]] = {}

    def units(self, chain: str, asset: str) -> AssetUnits | None:
        """How `asset` of `chain` is read; None if its decimals are unknown."""
        if chain not in self._tokens:
            self._tokens[chain] = token_units(self._store, chain)
        return units_of(chain, asset, self._tokens[chain])
