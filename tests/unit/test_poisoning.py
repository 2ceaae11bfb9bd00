"""Address poisoning on real data: the Bybit hop-1 look-alikes, the Poison-Hunter labelled transfers, and
benign Etherscan-labelled addresses as the false-positive control (a million transfers)."""

from __future__ import annotations

import csv
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from hotpursuit.attribution.asset_trust import AssetTrust, TokenMeta, classify_assets
from hotpursuit.attribution.poisoning import (
    TransferFact,
    find_poisoning,
    is_lookalike,
    lookalikes,
    poisoning_transfers,
)
from hotpursuit.attribution.token_registry import load_canonical_tokens

from ..conftest import SHARED_DATA
from .test_asset_trust import EXPLOITER, HOP1, hop1_tokens_and_stats

POISON_HUNTER = SHARED_DATA / "address-poisoning" / "poison-hunter-ccs24"
USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7"
USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
STETH = "0xae7ab96520de3a18e5e111b5eaab095312d7fe84"
DUST = {"ETH": 10**15, STETH: 10**15, USDT: 10**6, USDC: 10**6}


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_is_lookalike() -> None:
    a = "0xa4b2fd68593b6f34e51cb9edb66e71c1b4ab449e"
    assert is_lookalike(a, "0xA4B24033aaaaaaaaaaaaaaaaaaaaaaaaaaaa449E")  # case-insensitive, 4+4
    assert not is_lookalike(a, a.upper().replace("0X", "0x"))  # the same address is no look-alike
    assert not is_lookalike(a, "0xa4b3fd68593b6f34e51cb9edb66e71c1b4ab449e")  # 4th character differs
    assert is_lookalike(a, "0xa4b3fd68593b6f34e51cb9edb66e71c1b4ab449e", head=3)


def _hop1_facts() -> tuple[list[TransferFact], dict[str, AssetTrust]]:
    """The exploiter's outflows as transfers; the tx sender is the exploiter where the export has its own
    (native) row for the hash, else unknown. Amounts exact from the decimal strings."""
    metas, stats = hop1_tokens_and_stats()
    registry = load_canonical_tokens()
    trust = classify_assets(metas, registry, stats)
    rows = _csv(HOP1)
    signed = {r["hash"] for r in rows if r["kind"] == "native"}
    facts = []
    for r in rows:
        asset = "ETH" if r["kind"] == "native" else r["contract"].lower()
        decimals = registry[asset].decimals if asset in registry else 18
        amount = Decimal(r["amount"]) * 10**decimals
        assert amount == amount.to_integral_value(), r
        facts.append(TransferFact(r["hash"], int(r["block"]), EXPLOITER if r["hash"] in signed else None, EXPLOITER,
                                  r["to"].lower(), asset, int(amount)))
    return facts, trust


def test_bybit_hop1_lookalike_destinations_are_all_found_and_no_genuine_one() -> None:
    facts, trust = _hop1_facts()
    genuine_assets = {a for a, t in trust.items() if t.status == "canonical"} | {
        "0xe6829d9a7ee3040e1276fa75293bde931859e8fa"}  # cmETH: real, unknown to the registry
    genuine = {f.receiver for f in facts if f.asset in genuine_assets and f.amount > 0}
    # the investigation's own count: the first six characters ("0x" and four hex digits) and the last four
    # of a genuine destination
    planted = {f.receiver for f in facts if f.receiver not in genuine
               and any(f.receiver[:6] == g[:6] and f.receiver[-4:] == g[-4:] for g in genuine)}
    assert len(planted) == 31
    findings = find_poisoning(facts, trust, DUST)
    flagged = {p.address for p in findings}
    kinds = dict(Counter(p.kind for p in findings))
    print(f"hop-1: {len(findings)} findings at {len(flagged)} addresses, kinds {kinds}")
    assert planted <= flagged
    assert not flagged & genuine
    assert all(p.victim == EXPLOITER and p.lookalike_of in genuine for p in findings)
    imitated = lookalikes(findings)
    assert set(imitated) == flagged and all(is_lookalike(a, b) for a, b in imitated.items())
    # the three zero-value stETH transferFroms to 0xa4b24033…449e, sent by a third party
    zero = [p for p in findings if p.asset == STETH]
    assert len(zero) == 3 and {p.kind for p in zero} == {"zero-value"}
    assert {p.lookalike_of for p in zero} == {"0xa4b2fd68593b6f34e51cb9edb66e71c1b4ab449e"}
    dropped = poisoning_transfers(findings)
    assert all(f.amount == 0 or trust[f.asset].status in ("impersonating", "spam")
               for f in facts if (f.tx_hash, f.sender, f.receiver, f.asset) in dropped)
    assert not any(f.asset in genuine_assets and f.amount > 0
                   for f in facts if (f.tx_hash, f.sender, f.receiver, f.asset) in dropped)
    assert find_poisoning(list(reversed(facts)), trust, DUST) == findings  # deterministic


def _poison_hunter() -> tuple[list[dict[str, str]], list[TransferFact], dict[str, AssetTrust]]:
    """The 150 labelled poisoning transfers, each with the genuine transfer it imitates. The sample names
    the victim's genuine counterparty (`similar_norm`) but not that transfer's hash or amount, nor the
    poisoning transfer's amount: the genuine one is given 1,000 tokens (any non-dust value), a dust one 1
    base unit, a fake-token one 1 base unit of the counterfeit (whose symbol the sample gives)."""
    rows = _csv(POISON_HUNTER / "phishing_transfers_sample.csv")
    real = {"usdt": USDT, "usdc": USDC}
    fakes = sorted({r["fake_token_address"].lower() for r in rows if r["phishing_type"] == "fake"})
    symbol = {r["fake_token_address"].lower(): r["symbol"].upper() for r in rows}
    registry = load_canonical_tokens()
    metas = [TokenMeta(a, registry[a].symbol, registry[a].name, 6) for a in (USDT, USDC)]
    trust = classify_assets(metas + [TokenMeta(a, symbol[a], None, 6) for a in fakes], registry, {})
    facts = []
    for r in rows:
        victim, attacker, norm = r["victim"].lower(), r["attacker"].lower(), r["similar_norm"].lower()
        block = int(r["block_number"])
        facts.append(TransferFact(f"genuine-before:{r['tx_hash']}", block - int(r["block_distance"]), victim,
                                  victim, norm, real[r["symbol"]], 1000 * 10**6))
        kind, by, token = r["phishing_type"], r["tx_from"].lower(), real[r["symbol"]]
        if kind == "zero":  # transferFrom(victim, look-alike, 0), sent by the attacker's account
            facts.append(TransferFact(r["tx_hash"], block, by, victim, attacker, token, 0))
        elif kind == "dust":  # the look-alike sends a little of the real token
            facts.append(TransferFact(r["tx_hash"], block, by, attacker, victim, token, 1))
        else:  # the counterfeit writes a transfer from the victim to the look-alike
            facts.append(TransferFact(r["tx_hash"], block, by, victim, attacker, r["fake_token_address"].lower(), 1))
    return rows, facts, trust


@pytest.mark.parametrize(("head", "floor"), [(4, 0.40), (3, 0.50), (2, 0.70)])
def test_poison_hunter_recall(head: int, floor: float) -> None:
    rows, facts, trust = _poison_hunter()
    assert {trust[a].status for a in trust if a not in ("ETH", USDT, USDC)} == {"impersonating"}  # counterfeits
    found = {p.tx_hash for p in find_poisoning(facts, trust, DUST, head=head)}
    by_kind = Counter(r["phishing_type"] for r in rows if r["tx_hash"] in found)
    recall = len(found & {r["tx_hash"] for r in rows}) / len(rows)
    print(f"Poison-Hunter sample, first {head} + last 4: recall {recall:.3f} ({dict(by_kind)} of 50 each)")
    assert not any(h.startswith("genuine-before:") for h in found)
    assert recall >= floor


def test_benign_addresses_are_not_flagged_in_a_million_transfers() -> None:
    """False-positive control: each of the 150 victims gets dust, zero-value (sent by the sender itself),
    counterfeit and unknown-token transfers from each of the 1,154 benign Etherscan-labelled addresses
    (858,576 suspect-looking transfers from addresses that imitate no one) next to the labelled attacks."""
    rows, facts, trust = _poison_hunter()
    benign = [a.strip().lower() for a in (POISON_HUNTER / "benign_addresses_on_etherscan.txt").read_text().split()]
    assert len(benign) == 1154
    fake = next(a for a in trust if trust[a].status == "impersonating")
    victims = sorted({r["victim"].lower() for r in rows})
    noise = [TransferFact(f"benign:{i}:{j}:{k}", 0, b, b, v, asset, amount)
             for i, v in enumerate(victims) for j, b in enumerate(benign)
             for k, (asset, amount) in enumerate(((USDT, 1), (USDC, 1), ("ETH", 1), (USDT, 0), (fake, 1),
                                                  ("0x" + "0" * 39 + "1", 5)))]
    start = time.perf_counter()
    findings = find_poisoning(facts + noise, trust, DUST)
    seconds = time.perf_counter() - start
    false = [p for p in findings if p.tx_hash.startswith("benign:")]
    benign_pairs = sum(1 for i, a in enumerate(benign) for b in benign[i + 1:] if is_lookalike(a, b))
    print(f"{len(facts) + len(noise):,} transfers in {seconds:.1f} s; false positives {len(false)} of {len(noise):,} "
          f"benign transfers ({len(false) / len(noise):.2e}); benign 4+4 look-alike pairs {benign_pairs}; "
          f"labelled found {len({p.tx_hash for p in findings} & {r['tx_hash'] for r in rows})} of {len(rows)}")
    assert false == [] and benign_pairs == 0
    assert seconds < 30
    loose = [p for p in find_poisoning(facts + noise, trust, DUST, head=2) if p.tx_hash.startswith("benign:")]
    print(f"first 2 + last 4: false positives {len(loose)} of {len(noise):,}")
    assert len(loose) <= 10
