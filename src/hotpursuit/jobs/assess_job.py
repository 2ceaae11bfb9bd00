"""Assess a chain's assets and poisoning: asset trust for every token, poisoning transfers and claims.

Asset trust (attribution/asset_trust.py) judges each token from the shipped canonical registry, its
metadata and what the store counts of its transfers; the poisoning heuristic (attribution/poisoning.py)
finds zero-value, dust and fake-token transfers around look-alikes of real counterparties. Both results
are stored together, with a fingerprint of the chain's data, so a trace re-assesses only when the data
changed; each poisoner or look-alike gets one claim of category `poisoning` (source "heuristic").
Every import and ingest assesses the chains it touched, and the server its chains at start and on
reload, so the address page and screening warn before anyone runs a trace.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotpursuit.attribution.asset_trust import STATUSES, AssetTrust, classify_assets
from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.attribution.poisoning import TransferFact, find_poisoning
from hotpursuit.attribution.token_registry import load_canonical_tokens
from hotpursuit.store.asset_trust_tables import (
    StoredPoisoning,
    StoredTrust,
    account_chains,
    assessed_fingerprint,
    assessment_counts,
    chain_fingerprint,
    labelled_assets,
    load_trust,
    poisoning_inputs,
    save_assessment,
)
from hotpursuit.store.database import Store
from hotpursuit.store.label_tables import replace_import
from hotpursuit.store.token_stats import load_token_metas, load_token_stats

POISONING_IMPORT = "heuristic:poisoning"
POISONING_CONFIDENCE = 60
ASSESSOR = "hotpursuit"


def dust_thresholds(trust: dict[str, StoredTrust], stablecoins: set[str]) -> dict[str, int]:
    """Below what a canonical asset's transfer is dust: 0.001 of a unit, 1 unit of a stablecoin."""
    return {asset: 10 ** t.decimals if asset in stablecoins else 10 ** max(t.decimals - 3, 0)
            for asset, t in trust.items() if t.status == "canonical" and t.decimals is not None}


def assess_chain(store: Store, chain: str) -> dict[str, StoredTrust]:
    """Classify every asset of `chain`, find poisoning, store both; the chain's asset trust. A token whose
    contract is labelled as its issuer's stablecoin or as a venue's own token (WETH, a staking token) is
    canonical on that chain, whatever the mainnet registry says of its symbol."""
    fingerprint = chain_fingerprint(store, chain)
    registry = load_canonical_tokens()
    judged = classify_assets(load_token_metas(store, chain), registry, load_token_stats(store, chain))
    vouched = labelled_assets(store, chain)
    trust = {a: StoredTrust(a, "canonical", vouched[a], t.symbol, t.name, t.decimals, None)
             if a in vouched and t.status != "canonical" else
             StoredTrust(a, t.status, t.reason, t.symbol, t.name, t.decimals, t.imitates) for a, t in judged.items()}
    stablecoins = {a for a, reason in vouched.items() if reason.startswith("issued")} | {
        a for a, c in registry.items() if c.issuer is not None}
    canonical = sorted(a for a, t in trust.items() if t.status == "canonical")
    dust = dust_thresholds(trust, stablecoins)
    facts = [TransferFact(*row) for row in poisoning_inputs(store, chain, canonical, dust)]
    vouched_trust = {a: AssetTrust(t.asset, t.status, t.reason, t.symbol, t.name, t.decimals, t.imitates)
                     for a, t in trust.items()}
    findings = find_poisoning(facts, vouched_trust, dust)
    poisoning = [StoredPoisoning(p.tx_hash, p.sender, p.receiver, p.asset, p.address, p.victim, p.lookalike_of,
                                 p.kind, p.reason) for p in findings]
    save_assessment(store, chain, fingerprint, sorted(trust.values(), key=lambda t: t.asset), poisoning)
    claims: dict[str, LabelClaim] = {}
    for p in poisoning:
        claims.setdefault(p.address, LabelClaim(
            chain, p.address, f"address poisoning ({p.kind})", "poisoning", None, POISONING_CONFIDENCE,
            f"heuristic: {p.reason} (tx {p.tx_hash})", None, "CLEAR", ASSESSOR))
    replace_import(store, f"{POISONING_IMPORT}:{chain}", ASSESSOR, [claims[a] for a in sorted(claims)])
    return trust


def _stale(store: Store, chain: str) -> bool:
    """Whether the chain's data changed since its last assessment (or it has none)."""
    return assessed_fingerprint(store, chain) != chain_fingerprint(store, chain)


def ensure_assessed(store: Store, chain: str) -> dict[str, StoredTrust]:
    """The chain's asset trust, assessed anew only if its data changed since the last assessment."""
    return assess_chain(store, chain) if _stale(store, chain) else load_trust(store, chain)


@dataclass(frozen=True)
class AssessmentSummary:
    """What a chain's assessment found: assets per trust status, poisoning transfers, look-alikes."""

    chain: str
    assets: dict[str, int]
    poisoning_transfers: int
    lookalikes: int

    def line(self) -> str:
        """One line for the CLI."""
        assets = ", ".join(f"{self.assets[s]:,} {s}" for s in STATUSES if self.assets.get(s))
        return (f"asset trust ({self.chain}): {assets or 'no tokens'}; address poisoning: "
                f"{self.poisoning_transfers:,} transfers around {self.lookalikes:,} look-alike or poisoner "
                "addresses (kept out of taint and counterparties; `address show` warns)")


def assess_and_summarise(store: Store, chain: str) -> AssessmentSummary:
    """Assess `chain` if its data changed, and say what the assessment holds."""
    ensure_assessed(store, chain)
    assets, transfers, addresses = assessment_counts(store, chain)
    return AssessmentSummary(chain, assets, transfers, addresses)


def assess_if_changed(store: Store, chain: str) -> bool:
    """Assess an account-model `chain` whose data changed since its last assessment; True if it ran
    (its claims changed, so a screening index built before is stale). Other chains: nothing to do."""
    return chain in account_chains(store) and _assess_if_stale(store, chain)


def assess_changed(store: Store) -> bool:
    """Assess every account-model chain whose data changed; True if any assessment ran."""
    return any([_assess_if_stale(store, chain) for chain in account_chains(store)])


def _assess_if_stale(store: Store, chain: str) -> bool:
    if not _stale(store, chain):
        return False
    assess_chain(store, chain)
    return True
