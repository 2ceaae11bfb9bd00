"""The shipped canonical token registry: which contract is the real USDT, USDC, WETH, stETH (mainnet).

Built by scripts/build_token_registry.py from the pinned npm packages `@uniswap/default-token-list` and
`@metamask/contract-metadata`, plus the native asset and the issuers of centralised stablecoins (from
Etherscan's stablecoin labels); see registry/PROVENANCE.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from hotpursuit.errors import HotpursuitError

REGISTRY_FILE = "canonical_tokens.json"


@dataclass(frozen=True, slots=True)
class CanonicalToken:
    """A genuine asset: its contract (lowercase) or "ETH" for the native asset; `issuer` names a
    centralised stablecoin's issuer (who can freeze it), None otherwise."""

    address: str
    symbol: str
    name: str
    decimals: int
    issuer: str | None
    sources: tuple[str, ...]


@cache
def load_canonical_tokens() -> dict[str, CanonicalToken]:
    """Every canonical asset keyed by lowercase address ("ETH" for the native asset)."""
    text = (resources.files("hotpursuit.attribution") / "registry" / REGISTRY_FILE).read_text("utf-8")
    out: dict[str, CanonicalToken] = {}
    for i, row in enumerate(json.loads(text)):
        try:
            token = CanonicalToken(str(row["address"]), str(row["symbol"]), str(row["name"]), int(row["decimals"]),
                                   None if row.get("issuer") is None else str(row["issuer"]),
                                   tuple(str(s) for s in row["sources"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise HotpursuitError(f"registry/{REGISTRY_FILE} entry {i}: {exc!r}") from exc
        out[token.address] = token
    return out
