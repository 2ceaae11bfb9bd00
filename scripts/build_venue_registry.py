"""Build the shipped venue registry from the MIT/ISC-licensed public label sets in ../shared/data.

Usage: python scripts/build_venue_registry.py [--data ../shared/data] [--check]

Writes src/hotpursuit/attribution/registry/venues.csv (`chain,address,name,kind,category,operator,source`),
one row per address, in address order. Sources, in priority order (an address takes its first source's row,
so no address has two kinds): THORChain routers and the Chainflip vault (protocol repositories), the
Balancer V2 vault (Balancer's deployments repository), stablecoin contracts with their issuers, WETH and
liquid-staking tokens, Tornado Cash pools, Etherscan's bridge, exchange and DEX/aggregator labels, and the
GraphSense DeFi TagPacks' DEX entries. `--check` exits 1 if the checked-in file differs from a rebuild.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_token_registry import issuer_for_site

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "hotpursuit" / "attribution" / "registry" / "venues.csv"
FIELDS = ("chain", "address", "name", "kind", "category", "operator", "source")
HEX = re.compile(r"^0x[0-9a-f]{40}$")
KIND_OF = {"dex": "pass-through", "aggregator": "pass-through", "weth": "pass-through", "staking": "pass-through",
           "bridge": "bridge", "mixer": "mixer", "exchange": "custodial", "issuer": "custodial"}
ETHERSCAN = "brianleect/etherscan-labels@923aba72"
GRAPHSENSE = "graphsense/graphsense-tagpacks@29ff93c8"
ETH_LABELS = "dawsbot/eth-labels@bdbdcccb"
# Balancer V2's Vault (every V2 pool's swaps settle in it); not in the label sets. Source: Balancer's
# deployments repository, addresses/mainnet.json ("0xBA12…2C8": task 20210418-vault, name Vault).
BALANCER_VAULT = ("0xba12222222228d8ba445958a75a0704d566bf2c8", "Balancer V2: Vault",
                  "balancer/balancer-deployments@00f91487 addresses/mainnet.json (task 20210418-vault)")
# Entries of protocol label pages that are not where value is swapped, bridged or mixed
NOT_A_VENUE = re.compile(
    r"deployer|vesting|treasury|multisig|governor|governance|timelock|\bstaking\b|registry|verifier|"
    r"community fund|donate|\bteam\b|fee manager|echoer|poseidon|trees|mining|airdrop|merkle|distributor|"
    r"dev utils|sampler|validator|authentication|owner|emergency|token$|\btoken\b|reward|node operator|"
    r"insurance|oracle|\bvote|\bdao\b|permanent storage|gas compensation|instance registry|\bfarm", re.IGNORECASE)
# Tokens labelled liquid-staking that are lending receipts, debts or pool shares, not staking wrappers
NOT_STAKING = re.compile(r"debt|aave|\bpool\b|liquidity|eigen", re.IGNORECASE)
# Etherscan account label pages: page -> (category, operator); None operator: the name tag's prefix
ACCOUNT_PAGES: dict[str, tuple[str, str | None]] = {
    "bridge": ("bridge", None), "wormhole": ("bridge", "Wormhole"), "across-protocol": ("bridge", "Across"),
    "hop-protocol": ("bridge", "Hop"), "multichain": ("bridge", "Multichain"), "synapse": ("bridge", "Synapse"),
    "celer-network": ("bridge", "Celer"), "connext": ("bridge", "Connext"), "avalanche": ("bridge", "Avalanche"),
    "dex": ("dex", None), "curve-fi": ("dex", "Curve"), "router": ("dex", None),
    "1inch": ("aggregator", "1inch"), "0x-protocol": ("aggregator", "0x"),
    "cow-protocol": ("aggregator", "CoW Protocol"),
    "paraswap": ("aggregator", "ParaSwap"), "kyberswap": ("aggregator", "KyberSwap"),
}
AGGREGATOR_NAMES = re.compile(r"1inch|0x:|paraswap|kyberswap|cow protocol|metamask: swap|dex\.ag|totle|rubic",
                              re.IGNORECASE)
# GraphSense DeFi packs: actors whose `defi_dex` entries are swap venues
GRAPHSENSE_DEX = {"uniswap": "Uniswap", "sushiswap": "SushiSwap", "curvefinance": "Curve", "curve": "Curve",
                  "balancer": "Balancer", "bancor": "Bancor", "1inch": "1inch", "0x": "0x", "kyber": "Kyber",
                  "dodo": "DODO", "mooniswap": "1inch"}


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _operator(name: str) -> str:
    return name.split(":")[0].strip()


def build(data: Path) -> list[dict[str, str]]:
    """The registry rows, in address order; duplicates resolved by source priority."""
    rows: dict[str, dict[str, str]] = {}
    clashes: Counter[str] = Counter()

    def add(address: str, name: str, category: str, operator: str, source: str) -> None:
        address = address.strip().lower()
        if not HEX.match(address):
            return
        if address in rows:
            if KIND_OF[category] != rows[address]["kind"]:
                clashes[f"{rows[address]['category']} over {category}"] += 1
            return
        rows[address] = {"chain": "ethereum", "address": address, "name": " ".join(name.split()),
                         "kind": KIND_OF[category], "category": category, "operator": operator, "source": source}

    addresses = data / "thorchain-swaps" / "addresses"
    for r in _rows(addresses / "thorchain_routers.csv"):
        if r["network"] == "mainnet" and r["chain"] == "ETH":
            add(r["address"], f"THORChain: {r['role'].split(' (')[0]}", "bridge", "THORChain",
                f"{r['source_repo']}@{r['source_commit'][:8]} {r['source_path']}")
    for r in _rows(addresses / "chainflip_contracts.csv"):
        if r["network"] == "mainnet" and r["chain"] == "Ethereum" and r["role"].startswith("Chainflip Vault"):
            add(r["address"], "Chainflip: Vault", "bridge", "Chainflip",
                f"{r['source_repo']}@{r['source_commit'][:8]} {r['source_path']}")
    add(BALANCER_VAULT[0], BALANCER_VAULT[1], "dex", "Balancer", BALANCER_VAULT[2])

    etherscan = data / "venue-labels" / "etherscan-labels-brianleect"
    for r in _rows(etherscan / "tokens" / "stablecoin.csv"):
        issuer = issuer_for_site(r["Website"])
        if issuer is not None:
            add(r["Contract Address"], r["Token Name"], "issuer", issuer,
                f"{ETHERSCAN} tokens/stablecoin.csv ({r['Website'].strip()})")
    for page, issuer in (("centre", "Circle"), ("bitfinex", "Tether")):
        for r in _rows(etherscan / "accounts" / f"{page}.csv"):
            name = r["Name Tag"]
            if (page == "centre" or re.match(r"(Euro )?Tether", name)) and "Deployer" not in name:
                add(r["Address"], name, "issuer", issuer, f"{ETHERSCAN} accounts/{page}.csv")
    for r in _rows(etherscan / "tokens" / "wrapped-token.csv"):
        if r["Token Name"] == "Wrapped Ether":
            add(r["Contract Address"], "WETH9: Wrapped Ether", "weth", "WETH9", f"{ETHERSCAN} tokens/wrapped-token.csv")
    for r in _rows(etherscan / "tokens" / "lido.csv"):
        if "staked" in r["Token Name"].lower() or "steth" in r["Token Name"].lower():
            add(r["Contract Address"], f"Lido: {r['Token Name']}", "staking", "Lido", f"{ETHERSCAN} tokens/lido.csv")
    eth_labels = list(_rows(data / "venue-labels" / "eth-labels-dawsbot" / "tokens_chain1_selected_labels.csv"))
    for label in ("mantle", "liquid-staking", "wrapped-token"):  # Mantle's mETH first, under its operator
        for r in eth_labels:
            if r["label"] != label or NOT_A_VENUE.search(r["name"]) or NOT_STAKING.search(r["name"]):
                continue
            if label == "wrapped-token":
                if r["symbol"] == "WETH":
                    add(r["address"], f"{r['name']} ({r['symbol']})", "weth", "WETH9", f"{ETH_LABELS} tokens.csv")
                continue
            add(r["address"], f"{r['name']} ({r['symbol']})", "staking", "Mantle" if label == "mantle" else r["name"],
                f"{ETH_LABELS} tokens.csv label '{label}'")
    for r in _rows(etherscan / "accounts" / "tornado-cash.csv"):
        name = r["Name Tag"]
        if name.startswith("Tornado.Cash:") and re.search(r": ([\d.,]+ \w+|Mixer \d|Router|Proxy|Old Proxy)$", name):
            add(r["Address"], name, "mixer", "Tornado Cash", f"{ETHERSCAN} accounts/tornado-cash.csv")
    for r in _rows(etherscan / "accounts" / "ethereum-mixer.csv"):
        add(r["Address"], r["Name Tag"], "mixer", _operator(r["Name Tag"]), f"{ETHERSCAN} accounts/ethereum-mixer.csv")
    for r in _rows(etherscan / "accounts" / "bitfinex.csv"):
        if r["Name Tag"].startswith("Bitfinex") and not NOT_A_VENUE.search(r["Name Tag"]):
            add(r["Address"], r["Name Tag"], "exchange", "Bitfinex", f"{ETHERSCAN} accounts/bitfinex.csv")
    for page, (category, operator) in ACCOUNT_PAGES.items():
        for r in _rows(etherscan / "accounts" / f"{page}.csv"):
            name = r["Name Tag"]
            if NOT_A_VENUE.search(name):
                continue
            cat = "aggregator" if category == "dex" and AGGREGATOR_NAMES.search(name) else category
            add(r["Address"], name, cat, operator or _operator(name), f"{ETHERSCAN} accounts/{page}.csv")

    packs = data / "venue-labels" / "graphsense-defi-packs"
    for path in [packs / "defi-protocols-csh.yaml", *sorted((packs / "defi_updated").glob("*.yaml"))]:
        pack = yaml.safe_load(path.read_text(encoding="utf-8"))
        for tag in pack["tags"]:
            category = tag.get("category", pack.get("category"))
            actor = str(tag.get("actor", pack.get("actor", "")))
            label = str(tag["label"])
            if category != "defi_dex" or actor not in GRAPHSENSE_DEX or NOT_A_VENUE.search(label):
                continue
            cat = "aggregator" if actor in ("1inch", "0x", "mooniswap") else "dex"
            add(str(tag["address"]), label.replace("_", ": ", 1), cat, GRAPHSENSE_DEX[actor],
                f"{GRAPHSENSE} packs/{path.relative_to(packs).as_posix()}")
    if clashes:
        print(f"addresses in several sources with different kinds (first source kept): {dict(clashes)}",
              file=sys.stderr)
    return [rows[a] for a in sorted(rows)]


def render(rows: list[dict[str, str]]) -> str:
    """The CSV text (LF line ends)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if not (args.data / "venue-labels").is_dir():
        print(f"no venue labels under {args.data}", file=sys.stderr)
        return 1
    rows = build(args.data)
    text = render(rows)
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("venues.csv is up to date" if same else "venues.csv differs from a rebuild")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}: {len(rows)} venues, {dict(Counter(r['kind'] for r in rows))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
