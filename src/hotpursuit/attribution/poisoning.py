"""Address poisoning: transfers planted to make a look-alike address appear in a victim's history. Pure.

A look-alike shares the first 4 and last 4 hex characters of a *real counterparty* of the victim (an
address it exchanged value with: a native or non-impersonating token transfer of at least the dust
threshold) without being it. Findings:
  * zero-value: a zero-value Transfer naming the victim as sender in a transaction the victim did not
    sign (a `transferFrom(victim, x, 0)` anyone may send), or one between the victim and a look-alike;
  * dust: a transfer below the dust threshold between the victim and a look-alike;
  * fake-token: an impersonating or spam token moved between the victim and a look-alike.
Such transfers carry no taint, are left out of evidence paths and counterparty rankings, and make the
look-alike a `poisoning` claim (never a reason to flag it as holding stolen funds).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hotpursuit.attribution.asset_trust import AssetTrust

UNTRUSTED = ("impersonating", "spam")


@dataclass(frozen=True, slots=True)
class TransferFact:
    """One transfer as the heuristic sees it (`tx_sender`: who signed the tx, None if unknown)."""

    tx_hash: str
    block: int
    tx_sender: str | None
    sender: str
    receiver: str
    asset: str
    amount: int


@dataclass(frozen=True, slots=True, order=True)
class PoisoningFinding:
    """A poisoning transfer: who planted or is imitating (`address`), whom it targets, what it copies."""

    address: str
    victim: str
    lookalike_of: str | None
    tx_hash: str
    asset: str
    kind: str  # zero-value | dust | fake-token
    reason: str


def lookalike_key(address: str, head: int = 4, tail: int = 4) -> str:
    """The characters a hurried reader compares: the first `head` and last `tail` hex digits."""
    digits = address[2:].lower() if address.startswith("0x") else address.lower()
    return digits[:head] + "…" + digits[-tail:]


def is_lookalike(a: str, b: str, head: int = 4, tail: int = 4) -> bool:
    """Whether two different addresses look the same at both ends."""
    return a.lower() != b.lower() and lookalike_key(a, head, tail) == lookalike_key(b, head, tail)


def find_poisoning(transfers: Sequence[TransferFact], trust: Mapping[str, AssetTrust],
                   dust: Mapping[str, int]) -> list[PoisoningFinding]:
    """Every poisoning transfer among `transfers`, sorted."""
    def kind_of(f: TransferFact) -> str | None:
        status = trust.get(f.asset)
        if status is not None and status.status in UNTRUSTED:
            return "fake-token"
        if f.amount == 0:
            return "zero-value"
        if f.amount < dust.get(f.asset, 0):
            return "dust"
        return None

    counterparties: dict[str, set[str]] = defaultdict(set)
    candidates: list[tuple[TransferFact, str]] = []
    for f in transfers:
        kind = kind_of(f)
        if kind is None:
            counterparties[f.sender].add(f.receiver)
            counterparties[f.receiver].add(f.sender)
        elif f.sender != f.receiver:
            candidates.append((f, kind))
    by_key: dict[str, set[str]] = defaultdict(set)
    for peers in counterparties.values():
        for peer in peers:
            by_key[lookalike_key(peer)].add(peer)
    found: set[PoisoningFinding] = set()
    for f, kind in candidates:
        hit = False
        for victim, other in ((f.sender, f.receiver), (f.receiver, f.sender)):
            real = counterparties.get(victim)
            if not real or other in real:
                continue
            imitated = sorted(c for c in by_key.get(lookalike_key(other), ()) if c in real and c != other)
            if imitated:
                hit = True
                way = "to" if victim == f.sender else "from"
                found.add(PoisoningFinding(other, victim, imitated[0], f.tx_hash, f.asset, kind,
                                           f"{kind} transfer {way} {other}, a look-alike of {imitated[0]}, "
                                           f"a real counterparty of {victim}"))
        if not hit and kind == "zero-value" and f.tx_sender is not None and f.tx_sender != f.sender:
            found.add(PoisoningFinding(f.receiver, f.sender, None, f.tx_hash, f.asset, kind,
                                       f"zero-value transfer naming {f.sender} as sender in a transaction "
                                       f"signed by {f.tx_sender}"))
    return sorted(found)


def poisoning_transfers(findings: Sequence[PoisoningFinding]) -> set[tuple[str, str, str]]:
    """(tx, poisoner or look-alike, victim) of each finding."""
    return {(p.tx_hash, p.address, p.victim) for p in findings}


def lookalikes(findings: Sequence[PoisoningFinding]) -> dict[str, str]:
    """Look-alike -> the real counterparty it imitates."""
    return {p.address: p.lookalike_of for p in findings if p.lookalike_of is not None}
