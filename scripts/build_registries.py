"""Build the shipped registries: canonical tokens (from the pinned npm token lists) and venues (from the
public label sets in ../shared/data). Run from the repository root after `make tools`:

    .venv/bin/python scripts/build_registries.py [--data ../shared/data]

Writes src/hotpursuit/attribution/registry/canonical_tokens.json and venues.csv deterministically; the
test tests/unit/test_registries.py checks a rebuild equals the checked-in files.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "tools" / "node" / "node_modules"
OUT = ROOT / "src" / "hotpursuit" / "attribution" / "registry"
HEX = re.compile(r"^0x[0-9a-f]{40}$")

# Etherscan label pages (accounts): label file -> (kind, category)
ACCOUNT_KINDS = {
    "dex": ("pass-through", "dex"), "1inch": ("pass-through", "aggregator"),
    "0x-protocol": ("pass-through", "aggregator"), "cow-protocol": ("pass-through", "aggregator"),
    "paraswap": ("pass-through", "aggregator"), "kyberswap": ("pass-through", "aggregator"),
    "curve-fi": ("pass-through", "dex"), "router": ("pass-through", "dex"),
    "bridge": ("bridge", "bridge"), "wormhole": ("bridge", "bridge"), "across-protocol": ("bridge", "bridge"),
    "hop-protocol": ("bridge", "bridge"), "multichain": ("bridge", "bridge"), "synapse": ("bridge", "bridge"),
    "celer-network": ("bridge", "bridge"), "connext": ("bridge", "bridge"), "avalanche": ("bridge", "bridge"),
    "tornado-cash": ("mixer", "mixer"), "ethereum-mixer": ("mixer", "mixer"),
}
TOKEN_KINDS = {"wrapped-token": ("pass-through", "weth"), "lido": ("pass-through", "staking")}
ETH_LABELS_KINDS = {"liquid-staking": ("pass-through", "staking"), "mantle": ("pass-through", "staking"),
                    "lido": ("pass-through", "staking"), "wrapped-token": ("pass-through", "weth")}
ISSUERS = {"tether.to": "Tether", "centre.io": "Circle", "circle.com": "Circle", "makerdao.com": "MakerDAO",
           "paxos.com": "Paxos", "trueusd.com": "TrueUSD", "binance.com": "Paxos (BUSD)", "gemini.com": "Gemini"}
OPERATORS = {"tornado-cash": "Tornado Cash", "1inch": "1inch", "0x-protocol": "0x", "cow-protocol": "CoW Protocol",
             "paraswap": "ParaSwap", "kyberswap": "KyberSwap", "curve-fi": "Curve", "wormhole": "Wormhole",
             "across-protocol": "Across", "hop-protocol": "Hop", "multichain": "Multichain", "synapse": "Synapse",
             "celer-network": "Celer", "connext": "Connext", "avalanche": "Avalanche Bridge"}


def canonical_tokens() -> list[dict[str, object]]:
    """Mainnet ERC-20s of the Uniswap default list and the MetaMask contract map, plus native ETH."""
    uni_pkg = json.loads((NODE / "@uniswap/default-token-list/package.json").read_text())
    mm_pkg = json.loads((NODE / "@metamask/contract-metadata/package.json").read_text())
    uni_src = f"@uniswap/default-token-list {uni_pkg['version']}"
    mm_src = f"@metamask/contract-metadata {mm_pkg['version']}"
    tokens: dict[str, dict[str, object]] = {}
    uni = json.loads((NODE / "@uniswap/default-token-list/build/uniswap-default.tokenlist.json").read_text())
    for t in uni["tokens"]:
        if t["chainId"] != 1:
            continue
        address = str(t["address"]).lower()
        tokens[address] = {"address": address, "symbol": t["symbol"], "name": t["name"],
                           "decimals": int(t["decimals"]), "sources": [uni_src]}
    mm = json.loads((NODE / "@metamask/contract-metadata/contract-map.json").read_text())
    for address, t in mm.items():
        if not t.get("erc20") or "decimals" not in t:
            continue
        address = address.lower()
        entry = tokens.setdefault(address, {"address": address, "symbol": t["symbol"], "name": t["name"],
                                            "decimals": int(t["decimals"]), "sources": []})
        entry["sources"].append(mm_src)  # type: ignore[union-attr]
    out = [{"address": "ETH", "symbol": "ETH", "name": "Ether", "decimals": 18, "native": True,
            "sources": ["the chain's native asset"]}]
    return out + [tokens[a] for a in sorted(tokens)]


def venues(data: Path) -> list[dict[str, str]]:
    """Venue rows from the Etherscan label CSVs, the eth-labels token subset and THORChain's routers."""
    rows: dict[str, dict[str, str]] = {}

    def add(address: str, name: str, kind: str, category: str, operator: str, source: str) -> None:
        address = address.strip().lower()
        if HEX.match(address) and address not in rows:
            rows[address] = {"chain": "ethereum", "address": address, "name": name.strip(), "kind": kind,
                             "category": category, "operator": operator, "source": source}

    thor = data / "thorchain-swaps/addresses/thorchain_routers.csv"
    for r in csv.DictReader(thor.open(encoding="utf-8")):
        if r["network"] == "mainnet" and r["chain"] == "ETH":
            add(r["address"], f"THORChain {r['role'].split(' (')[0]}", "bridge", "bridge", "THORChain",
                f"thornode {r['source_path']} ({r['source_repo']}@{r['source_commit'][:12]})")
    chainflip = data / "thorchain-swaps/addresses/chainflip_contracts.csv"
    for r in csv.DictReader(chainflip.open(encoding="utf-8")):
        if r["network"] == "mainnet" and r["chain"] == "Ethereum" and "Vault" in r["role"]:
            add(r["address"], "Chainflip Vault", "bridge", "bridge", "Chainflip",
                f"chainflip-sdk {r['source_path']} ({r['source_repo']}@{r['source_commit'][:12]})")
    etherscan = data / "venue-labels/etherscan-labels-brianleect"
    for path in sorted((etherscan / "tokens").glob("*.csv")):
        label = path.stem
        for r in csv.DictReader(path.open(encoding="utf-8")):
            name, address = r["Token Name"], r["Contract Address"]
            if label == "stablecoin":
                site = (r.get("Website") or "").lower()
                issuer = next((v for k, v in ISSUERS.items() if k in site), None)
                if issuer:
                    add(address, name, "custodial", "issuer", issuer, f"etherscan label 'stablecoin' ({site})")
            elif label in TOKEN_KINDS:
                kind, category = TOKEN_KINDS[label]
                if label != "lido" or "steth" in name.lower():
                    add(address, name, kind, category, "Lido" if label == "lido" else "", f"etherscan label '{label}'")
    for label, (kind, category) in ACCOUNT_KINDS.items():
        path = etherscan / "accounts" / f"{label}.csv"
        for r in csv.DictReader(path.open(encoding="utf-8")):
            add(r["Address"], r["Name Tag"], kind, category, OPERATORS.get(label, r["Name Tag"].split(":")[0]),
                f"etherscan label '{label}'")
    eth_labels = data / "venue-labels/eth-labels-dawsbot/tokens_chain1_selected_labels.csv"
    for r in csv.DictReader(eth_labels.open(encoding="utf-8")):
        if r["label"] in ETH_LABELS_KINDS:
            kind, category = ETH_LABELS_KINDS[r["label"]]
            add(r["address"], f"{r['name']} ({r['symbol']})", kind, category, r["label"].title(),
                f"eth-labels token label '{r['label']}'")
    return [rows[a] for a in sorted(rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "canonical_tokens.json").write_text(json.dumps(canonical_tokens(), indent=0, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
    with (OUT / "venues.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, ["chain", "address", "name", "kind", "category", "operator", "source"],
                           lineterminator="\n")
        w.writeheader()
        w.writerows(venues(args.data))


if __name__ == "__main__":
    main()
