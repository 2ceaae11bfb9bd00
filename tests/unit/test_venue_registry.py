"""The shipped venue registry: real mainnet venues with the kind a trace acts on, one kind per address."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import Counter
from types import ModuleType

import pytest

from hotpursuit.attribution.venue_registry import CATEGORY_KIND, KINDS, load_venues

from ..conftest import REPO, SHARED_DATA

HEX = re.compile(r"^0x[0-9a-f]{40}$")
KNOWN = {
    "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2": ("pass-through", "weth", "WETH9"),
    "0x7a250d5630b4cf539739df2c5dacb4c659f2488d": ("pass-through", "dex", "Uniswap V2"),  # Router02
    "0x5c69bee701ef814a2b6a3edd4b1652cb9cc5aa6f": ("pass-through", "dex", "Uniswap"),  # V2 factory
    "0xe592427a0aece92de3edee1f18e0157c05861564": ("pass-through", "dex", "Uniswap V3"),  # SwapRouter
    "0x1f98431c8ad98523631ae4a59f267346ea31f984": ("pass-through", "dex", "Uniswap"),  # V3 factory
    "0x3fc91a3afd70395cd496c647d5a6cc9d4b2b7fad": ("pass-through", "dex", "Uniswap"),  # Universal Router
    "0x1111111254eeb25477b68fb85ed929f73a960582": ("pass-through", "aggregator", "1inch v5"),
    "0xdef1c0ded9bec7f1a1670819833240f027b25eff": ("pass-through", "aggregator", "0x"),
    "0x9008d19f58aabd9ed0d60971565aa8510560ab41": ("pass-through", "aggregator", "CoW Protocol"),
    "0xbebc44782c7db0a1a60cb6fe97d0b483032ff1c7": ("pass-through", "dex", "Curve.fi"),  # 3pool
    "0xba12222222228d8ba445958a75a0704d566bf2c8": ("pass-through", "dex", "Balancer"),
    "0xae7ab96520de3a18e5e111b5eaab095312d7fe84": ("pass-through", "staking", "Lido"),
    "0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0": ("pass-through", "staking", "Lido"),
    "0xd5f7838f5c461feff7fe49ea5ebaf7728bb0adfa": ("pass-through", "staking", "Mantle"),
    "0x910cbd523d972eb0a6f4cae4618ad62622b39dbf": ("mixer", "mixer", "Tornado Cash"),  # 10 ETH
    "0xa160cdab225685da1d56aa342ad8841c3b53f291": ("mixer", "mixer", "Tornado Cash"),  # 100 ETH
    "0xd37bbe5744d730a1d98d8dc97c42f0ca46ad7146": ("bridge", "bridge", "THORChain"),
    "0xf5e10380213880111522dd0efd3dbb45b9f62bcc": ("bridge", "bridge", "Chainflip"),
    "0xdac17f958d2ee523a2206206994597c13d831ec7": ("custodial", "issuer", "Tether"),
    "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48": ("custodial", "issuer", "Circle"),
    "0x77134cbc06cb00b66f4c7e623d5fdbf6777635ec": ("custodial", "exchange", "Bitfinex"),  # hot wallet
}


def test_known_addresses_have_the_right_kinds() -> None:
    venues = {v.address: v for v in load_venues()}
    for address, expected in KNOWN.items():
        v = venues[address]
        assert (v.kind, v.category, v.operator) == expected, v
        assert v.source and v.name
    assert "0x6b175474e89094c44da98b954eedeac495271d0f" not in venues  # DAI: no issuer that can freeze it


def test_every_thorchain_mainnet_eth_router_is_a_bridge() -> None:
    with (SHARED_DATA / "thorchain-swaps" / "addresses" / "thorchain_routers.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    routers = {r["address"].lower() for r in rows if r["network"] == "mainnet" and r["chain"] == "ETH"}
    venues = {v.address: v for v in load_venues()}
    assert len(routers) == 3 and all(venues[a].kind == "bridge" and venues[a].operator == "THORChain" for a in routers)


def test_one_valid_row_per_address() -> None:
    venues = load_venues()
    counts = Counter(v.address for v in venues)
    assert max(counts.values()) == 1
    assert all(HEX.match(v.address) and v.chain == "ethereum" for v in venues)
    assert all(v.kind in KINDS and CATEGORY_KIND[v.category] == v.kind for v in venues)
    assert [v.address for v in venues] == sorted(counts)
    kinds = Counter(v.kind for v in venues)
    print(f"{len(venues)} venues: {dict(kinds)}, {dict(Counter(v.category for v in venues))}")
    assert set(kinds) == set(KINDS)


def _script() -> ModuleType:
    sys.path.insert(0, str(REPO / "scripts"))
    spec = importlib.util.spec_from_file_location("build_venue_registry", REPO / "scripts" / "build_venue_registry.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_rebuild_equals_the_checked_in_registry() -> None:
    if not (SHARED_DATA / "venue-labels").is_dir():
        pytest.skip(f"the label sets are not at {SHARED_DATA}")
    build = _script()
    assert build.render(build.build(SHARED_DATA)) == build.OUT.read_text(encoding="utf-8")
