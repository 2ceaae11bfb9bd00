"""The shipped canonical token registry: which contract is the real USDT, USDC, WETH, stETH (mainnet).

Built by scripts/build_registries.py from the pinned npm packages `@uniswap/default-token-list` and
`@metamask/contract-metadata` (registry/PROVENANCE.md), plus the native asset; stablecoin issuers come
from the venue registry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from hotpursuit.attribution.venue_registry import load_venues


@dataclass(frozen=True, slots=True)
class CanonicalToken:
    """A genuine asset: its contract (lowercase) or "ETH" for the native asset."""

    address: str
    symbol: str
    name: str
    decimals: int
    issuer: str | None
    sources: tuple[str, ...]


@cache
def load_canonical_tokens() -> dict[str, CanonicalToken]:
    """Every canonical asset keyed by lowercase address ("ETH" for the native asset)."""
    text = (resources.files("hotpursuit.attribution") / "registry" / "canonical_tokens.json").read_text("utf-8")
    issuers = {v.address: v.operator for v in load_venues() if v.category == "issuer"}
    return {str(t["address"]): CanonicalToken(str(t["address"]), str(t["symbol"]), str(t["name"]), int(t["decimals"]),
                                              issuers.get(str(t["address"])), tuple(t["sources"]))
            for t in json.loads(text)}
