"""Build the shipped canonical token registry from the pinned npm token lists and Etherscan's stablecoin labels.

Usage: python scripts/build_token_registry.py [--check]

Inputs (read-only):
- tools/node/node_modules/@uniswap/default-token-list/build/uniswap-default.tokenlist.json (GPL-3.0)
- tools/node/node_modules/@metamask/contract-metadata/contract-map.json (ISC)
- ../shared/data/venue-labels/etherscan-labels-brianleect/tokens/stablecoin.csv (MIT): the issuer's website
Output: src/hotpursuit/attribution/registry/canonical_tokens.json (facts only: address, symbol, name,
decimals, issuer, sources; no logos). `--check` exits 1 if the checked-in file differs from a rebuild.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
NODE = REPO / "tools" / "node" / "node_modules"
UNISWAP = NODE / "@uniswap" / "default-token-list" / "build" / "uniswap-default.tokenlist.json"
METAMASK = NODE / "@metamask" / "contract-metadata" / "contract-map.json"
LABELS = REPO.parent / "shared" / "data" / "venue-labels" / "etherscan-labels-brianleect"
STABLECOINS = LABELS / "tokens" / "stablecoin.csv"
OUT = REPO / "src" / "hotpursuit" / "attribution" / "registry" / "canonical_tokens.json"

UNISWAP_SOURCE = "uniswap-default-token-list"
METAMASK_SOURCE = "metamask-contract-metadata"
ISSUER_SOURCE = "etherscan-stablecoin-labels"

# Centralised issuers that can freeze (blacklist) their tokens, by the website Etherscan gives for the
# stablecoin. Decentralised stablecoins (DAI, FRAX, LUSD, sUSD, ...) have no freezer and get no issuer.
ISSUER_BY_DOMAIN = {
    "tether.to": "Tether",
    "centre.io": "Circle",
    "circle.com": "Circle",
    "paxos.com": "Paxos",
    "trueusd.com": "TrueUSD",
    "trusttoken.com": "TrueUSD",
    "gemini.com": "Gemini",
    "straitsx.com": "StraitsX",
    "stablecoin.z.com": "GMO Trust",
    "stasis.net": "STASIS",
    "stcoins.com": "Stable Universal",
    "bitcoinsuisse.com": "Bitcoin Suisse",
    "stably.io": "Stably",
}


def issuer_for_site(url: str) -> str | None:
    """The freezing issuer behind a stablecoin's website (Etherscan's `Website` column), if known."""
    host = urlparse(url.strip()).netloc.lower()
    return ISSUER_BY_DOMAIN.get(host[4:] if host.startswith("www.") else host)


def _issuers(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            issuer = issuer_for_site(row["Website"])
            if issuer is not None:
                out[row["Contract Address"].strip().lower()] = issuer
    return out


def build(uniswap: Path = UNISWAP, metamask: Path = METAMASK, stablecoins: Path = STABLECOINS) -> list[dict[str, Any]]:
    """The registry rows (native ETH first, then tokens by address), deterministic for the same inputs."""
    ulist = json.loads(uniswap.read_text(encoding="utf-8"))
    cmap = json.loads(metamask.read_text(encoding="utf-8"))
    tokens: dict[str, dict[str, Any]] = {}
    for t in ulist["tokens"]:
        if t["chainId"] != 1:
            continue
        tokens[t["address"].lower()] = {"symbol": t["symbol"], "name": t["name"], "decimals": int(t["decimals"]),
                                        "sources": [UNISWAP_SOURCE]}
    for address, t in cmap.items():
        if not t.get("erc20") or t.get("erc721") or "decimals" not in t:
            continue
        entry = tokens.setdefault(address.lower(), {"symbol": t["symbol"], "name": t["name"],
                                                    "decimals": int(t["decimals"]), "sources": []})
        entry["sources"].append(METAMASK_SOURCE)
    issuers = _issuers(stablecoins)
    rows: list[dict[str, Any]] = [{"address": "ETH", "symbol": "ETH", "name": "Ether", "decimals": 18,
                                   "issuer": None, "sources": ["native"]}]
    for address in sorted(tokens):
        entry = tokens[address]
        issuer = issuers.get(address)
        sources = entry["sources"] + ([ISSUER_SOURCE] if issuer else [])
        rows.append({"address": address, "symbol": entry["symbol"], "name": entry["name"],
                     "decimals": entry["decimals"], "issuer": issuer, "sources": sources})
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    """The file text: a JSON array, one asset per line so diffs stay readable."""
    return "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n"


def main(argv: list[str]) -> int:
    for path in (UNISWAP, METAMASK, STABLECOINS):
        if not path.exists():
            print(f"missing input {path} (run `npm ci` in tools/node; ../shared/data must be present)", file=sys.stderr)
            return 1
    rows = build()
    text = render(rows)
    if "--check" in argv:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("canonical_tokens.json is up to date" if same else "canonical_tokens.json differs from a rebuild")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}: {len(rows)} assets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
