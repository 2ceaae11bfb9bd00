"""Asset trust on real tokens: the Bybit hop-1 forgeries, published counterfeits, and the real label sets."""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from pathlib import Path

import pytest

from hotpursuit.attribution.asset_trust import (
    NATIVE,
    SPAM_MIN_FORGED,
    TokenMeta,
    TokenStats,
    classify_assets,
    fold,
)
from hotpursuit.attribution.token_registry import load_canonical_tokens

from ..conftest import SHARED_DATA

HOP1 = SHARED_DATA / "lazarus" / "bybit_2025_hop1_all.csv"
EXPLOITER = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2"
STETH = "0xae7ab96520de3a18e5e111b5eaab095312d7fe84"
METH = "0xd5f7838f5c461feff7fe49ea5ebaf7728bb0adfa"
CMETH = "0xe6829d9a7ee3040e1276fa75293bde931859e8fa"
COUNTERFEITS = SHARED_DATA / "address-poisoning" / "ethereum-poisoning-detector" / "counterfeit_tokens.csv"
ETH_LABELS = SHARED_DATA / "venue-labels" / "eth-labels-dawsbot" / "tokens_chain1_selected_labels.csv"
CANONICAL = SHARED_DATA / "canonical-tokens"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def hop1_tokens_and_stats() -> tuple[list[TokenMeta], dict[str, TokenStats]]:
    """The hop-1 tokens with what the export proves of them. The export lists every transaction the
    exploiter sent (a `native` row, zero-value contract calls included), so a token row whose hash has no
    native row was sent by someone else; the exploiter is an account (it signs), and since the export
    holds only its outflows, none of its token sends is backed by a receipt in the data (phantom)."""
    rows = _csv(HOP1)
    signed = {r["hash"] for r in rows if r["kind"] == "native"}
    metas: dict[str, TokenMeta] = {}
    counts: dict[str, Counter[str]] = {}
    for r in rows:
        if r["kind"] != "token":
            continue
        contract = r["contract"].lower()
        metas.setdefault(contract, TokenMeta(contract, r["asset"], None, None))
        c = counts.setdefault(contract, Counter())
        if r["to"].lower() == EXPLOITER:
            continue  # a self-transfer proves nothing
        c["transfers"] += 1
        c["phantom"] += 1
        c["forged" if r["hash"] not in signed else "signed"] += 1
    stats = {a: TokenStats(transfers=c["transfers"], phantom_sends=c["phantom"], signed_by_sender=c["signed"],
                           forged_sends=c["forged"]) for a, c in counts.items()}
    return list(metas.values()), stats


def test_bybit_hop1_forgeries_are_named_with_their_reason() -> None:
    metas, stats = hop1_tokens_and_stats()
    trust = classify_assets(metas, load_canonical_tokens(), stats)
    fakes = {m.address for m in metas} - {STETH, METH, CMETH}
    assert len(fakes) == 14
    for a in sorted(fakes):
        print(f"{trust[a].status:13} {trust[a].symbol!r:18} {trust[a].reason}")
    assert {trust[a].status for a in fakes} <= {"impersonating", "spam"}
    assert all(trust[a].reason for a in fakes)
    assert trust[STETH].status == trust[METH].status == trust[NATIVE].status == "canonical"
    assert trust[CMETH].status == "unknown"
    # Cyrillic ЕТН and its variants imitate the native asset; the plain and look-alike stETHs imitate Lido's
    cyrillic_eth = trust["0x0d99217c4084b141dcab56d83693994ba8fda911"]
    assert cyrillic_eth.imitates == NATIVE
    assert cyrillic_eth.reason.startswith("symbol 'ЕТН' folds to 'ETH' (the native asset) but this is a token contract")
    assert trust["0x2f22686d82dded300c975e63b62efbe824c9d236"].imitates == NATIVE  # plain ASCII "ETH"
    for forged_steth in ("0xee33058e9fceb8ebece8bdb0e70fcb257595c562", "0x3d3dd8256195c8aa2056a8d25e02924c3a45fe5e",
                         "0xa4287479814cddbeb33d06cb922e9d2de8254f54", "0x7de2a96f4c3f0035ad49674b58a9f53e2e5a8d64"):
        assert trust[forged_steth].imitates == STETH
    assert trust["0x3d3dd8256195c8aa2056a8d25e02924c3a45fe5e"].reason.startswith("plain symbol 'stETH' at 0x3d3d")
    assert "mixes Latin letters" in trust["0xf61e18a4f2b1a3784054393fce90848394fc3799"].reason  # ЕRC20
    spam = trust["0x98bdd7aadda75cc41776c4e8e529457a781c6c5f"]  # "BybitExploiter"
    assert spam.status == "spam" and spam.reason.startswith("Transfer senders never held it: 4 of 4 transfers")


def test_published_counterfeit_tokens_are_all_impersonating() -> None:
    rows = _csv(COUNTERFEITS)
    metas = [TokenMeta(r["token_address"].lower(), r["token_symbol"], None, None) for r in rows]
    trust = classify_assets(metas, load_canonical_tokens(), {})
    got = Counter(trust[m.address].status for m in metas)
    print(f"counterfeit tokens (homoglyph and invisible symbols): {dict(got)} of {len(metas)}")
    assert got == {"impersonating": len({m.address for m in metas})}


def test_canonical_lists_are_canonical_and_never_flagged() -> None:
    registry = load_canonical_tokens()
    metas = [TokenMeta(a, t.symbol, t.name, t.decimals) for a, t in registry.items() if a != NATIVE]
    hostile = {m.address: TokenStats(transfers=10, phantom_sends=10, forged_sends=10) for m in metas}
    trust = classify_assets(metas, registry, hostile)  # even with every spam signal, canonical stays canonical
    assert {t.status for t in trust.values()} == {"canonical"}
    assert "in the Uniswap default list and the MetaMask contract map" in trust[
        "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"].reason
    # the lists' Git copies in shared data are other versions: the Uniswap one is wholly in the registry;
    # the MetaMask one (a later commit than npm 2.5.0) has tokens npm does not, which stay out (the registry
    # is built from the pinned packages); the few of them flagged copy a canonical ticker in plain ASCII
    uni = json.loads((CANONICAL / "uniswap-default-token-list" / "mainnet.json").read_text(encoding="utf-8"))
    assert {t["address"].lower() for t in uni} <= set(registry)
    cmap = json.loads((CANONICAL / "metamask-contract-metadata" / "contract-map.json").read_text(encoding="utf-8"))
    copies = [TokenMeta(a.lower(), t["symbol"], t["name"], t.get("decimals"))
              for a, t in cmap.items() if t.get("erc20")]
    later = [m for m in copies if m.address not in registry]
    judged = classify_assets(later, registry, {})
    flagged = [m for m in later if judged[m.address].status != "unknown"]
    print(f"MetaMask git copy: {len(copies)} ERC-20s, {len(later)} not in npm 2.5.0, {len(flagged)} flagged:")
    for m in flagged:
        print(f"  {judged[m.address].reason}")
    assert all((m.symbol or "").isascii() and judged[m.address].reason.startswith("plain") for m in flagged)
    assert len(flagged) <= 3


def test_eth_labels_tokens_fold_without_false_look_alikes() -> None:
    rows = _csv(ETH_LABELS)
    labels: dict[str, set[str]] = {}
    metas: dict[str, TokenMeta] = {}
    for r in rows:
        a = r["address"].lower()
        metas.setdefault(a, TokenMeta(a, r["symbol"], r["name"], None))
        labels.setdefault(a, set()).add(r["label"])
    registry = load_canonical_tokens()
    trust = classify_assets(metas.values(), registry, {})
    outside = [a for a in metas if a not in registry]
    flagged = sorted(a for a in outside if trust[a].status in ("impersonating", "spam"))
    labelled_spam = [a for a in flagged if "spam-token" in labels[a]]
    clashes = [a for a in flagged if a not in labelled_spam]
    print(f"eth-labels: {len(metas)} tokens, {len(outside)} outside the registry; flagged {len(flagged)}: "
          f"{len(labelled_spam)} labelled spam-token by Etherscan, {len(clashes)} plain symbol/name clashes")
    for a in clashes:
        print(f"  {sorted(labels[a])} {trust[a].reason}")
    # the only non-spam tokens flagged carry a plain ASCII symbol or name that equals a canonical one exactly
    # (legacy contracts, other issuers' same ticker): folding never invents a look-alike among real tokens
    canonical_keys = {fold(t.symbol) for t in registry.values()} | {fold(t.name) for t in registry.values()}
    for a in clashes:
        m = metas[a]
        assert (m.symbol or "").isascii() and (m.name or "").isascii()
        assert fold(m.symbol) in canonical_keys or fold(m.name) in canonical_keys
    assert len(clashes) <= 20  # 19 measured, of 379 tokens outside the registry
    assert all(trust[a].status != "spam" for a in outside)  # no stats: never spam
    # Wormhole-bridged USDT/USDC are other assets sharing a ticker, not forgeries
    wormhole_usdt = trust["0x1cdd2eab61112697626f7b4bb0e23da4febf7b7c"]
    assert wormhole_usdt.status == "unknown" and "bridged representation" in wormhole_usdt.reason


@pytest.mark.parametrize(("text", "folded"), [
    ("ЕТН...", "eth"), ("ѕтETН", "steth"), ("B\u180eN\u180eB", "bnb"), ("USDTㅤ", "usdt"), ("USDŦ", "usdt"),
    ("ＵＳＤＣ", "usdc"), ("st.ETH ", "steth"), ("", ""), (None, ""),
])
def test_fold_reads_look_alikes_as_latin(text: str | None, folded: str) -> None:
    assert fold(text) == folded


def test_fold_of_a_long_confusable_name_is_fast() -> None:
    start = time.perf_counter()
    assert fold("ЕТНЕТНЅТЕТНΝΝΝΝ" * 20).startswith("eth")
    assert time.perf_counter() - start < 1.0


def test_spam_needs_enough_forged_sends() -> None:
    registry = load_canonical_tokens()
    meta = TokenMeta("0x" + "ab" * 20, "AIRDROP", "Free Airdrop", 18)
    few = TokenStats(transfers=5, phantom_sends=5, forged_sends=SPAM_MIN_FORGED - 1)
    many = TokenStats(transfers=5, phantom_sends=5, forged_sends=SPAM_MIN_FORGED)
    diluted = TokenStats(transfers=100, phantom_sends=100, phantom_unsigned=100, forged_sends=SPAM_MIN_FORGED)
    assert classify_assets([meta], registry, {meta.address: few})[meta.address].status == "unknown"
    assert classify_assets([meta], registry, {meta.address: many})[meta.address].status == "spam"
    # phantom sends in txs others sent are what every pool output looks like on partial data: not spam alone
    assert classify_assets([meta], registry, {meta.address: diluted})[meta.address].status == "unknown"
