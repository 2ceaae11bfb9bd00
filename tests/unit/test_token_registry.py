"""The shipped canonical token registry: a rebuild from the pinned npm lists equals the checked-in file."""

from __future__ import annotations

import importlib.util
import re
import sys
from types import ModuleType

import pytest

from hotpursuit.attribution.token_registry import load_canonical_tokens
from hotpursuit.store import Store

from ..conftest import REPO

SCRIPT = REPO / "scripts" / "build_token_registry.py"
HEX = re.compile(r"^0x[0-9a-f]{40}$")


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_token_registry", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_rebuild_equals_the_checked_in_registry() -> None:
    build = _script()
    missing = [p for p in (build.UNISWAP, build.METAMASK, build.STABLECOINS) if not p.exists()]
    if missing:
        pytest.skip(f"registry inputs absent ({', '.join(map(str, missing))}): run `npm ci` in tools/node")
    assert build.render(build.build()) == build.OUT.read_text(encoding="utf-8")


def test_registry_names_the_real_contracts_and_issuers() -> None:
    reg = load_canonical_tokens()
    assert reg["ETH"].decimals == 18 and reg["ETH"].sources == ("native",)
    expected = {
        "0xdac17f958d2ee523a2206206994597c13d831ec7": ("USDT", 6, "Tether"),
        "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48": ("USDC", 6, "Circle"),
        "0x8e870d67f660d95d5be530380d0ec0bd388289e1": ("USDP", 18, "Paxos"),
        "0x6b175474e89094c44da98b954eedeac495271d0f": ("DAI", 18, None),  # no freezer: no issuer
        "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2": ("WETH", 18, None),
        "0xae7ab96520de3a18e5e111b5eaab095312d7fe84": ("stETH", 18, None),
        "0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0": ("wstETH", 18, None),
        "0xd5f7838f5c461feff7fe49ea5ebaf7728bb0adfa": ("mETH", 18, None),
    }
    for address, (symbol, decimals, issuer) in expected.items():
        t = reg[address]
        assert (t.symbol, t.decimals, t.issuer) == (symbol, decimals, issuer)
    assert reg["0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"].sources == (
        "uniswap-default-token-list", "metamask-contract-metadata")
    assert "0xe6829d9a7ee3040e1276fa75293bde931859e8fa" not in reg  # cmETH: real, in neither list
    assert all(a == "ETH" or HEX.match(a) for a in reg)
    assert all(a == t.address for a, t in reg.items())
    assert len(reg) == 930 and sum(1 for t in reg.values() if t.issuer) == 17


def test_mainnet_stablecoins_have_their_issuer_as_freezer_without_any_label(store: Store) -> None:
    from hotpursuit.jobs.trace_setup import issuer_tokens

    issuers = issuer_tokens(store, "ethereum")
    assert issuers["0xdac17f958d2ee523a2206206994597c13d831ec7"].owner == "Tether"
    assert issuers["0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"].owner == "Circle"
    assert issuer_tokens(store, "anvil") == {}  # the registry describes mainnet only
