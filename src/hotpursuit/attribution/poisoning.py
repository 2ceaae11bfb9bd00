"""Address poisoning: transfers planted to make a look-alike address appear in a victim's history. Pure.

A *real counterparty* of a victim is an address it exchanged canonical value with (the native asset or a
canonical token, at least the asset's dust threshold, either direction). A *look-alike* of it shares its
first 4 and last 4 hex characters without being it. Findings, one per (transfer, victim):
  * zero-value: a zero-value Transfer naming the victim as `from` in a transaction the victim did not send
    (a `transferFrom(victim, x, 0)` anyone may send), or any zero-value transfer between the victim and a
    look-alike of one of its real counterparties;
  * dust: a canonical transfer below the dust threshold between the victim and such a look-alike;
  * fake-token: an impersonating or spam token moved between the victim and such a look-alike;
  * look-alike: a non-canonical token of unknown trust moved between the victim and such a look-alike.
Such transfers carry no taint, are left out of evidence paths and counterparty rankings, and make the
look-alike a `poisoning` claim (never a reason to flag it as holding stolen funds). A victim's own
non-dust canonical payment to a look-alike (the attack's payoff) is real value and is not a finding.

The look-alike join is keyed by prefix+suffix: every real counterparty is indexed under (victim, key), so
each suspect transfer costs two dictionary look-ups whatever the size of the history.
Limits: a counterparty counts as real whenever the data shows the exchange, before or after the planted
transfer; an address whose only real counterparty is outside the data cannot be protected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from hotpursuit.attribution.asset_trust import NATIVE, AssetTrust

UNTRUSTED = ("impersonating", "spam")
KINDS = ("zero-value", "dust", "fake-token", "look-alike")
HEAD = 4
TAIL = 4


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
    """A poisoning transfer: the poisoner or look-alike (`address`), whom it targets (`victim`), the real
    counterparty it imitates (None for a zero-value transferFrom without one), the transfer, the kind
    (one of KINDS) and the reason a human reads."""

    address: str
    victim: str
    lookalike_of: str | None
    tx_hash: str
    asset: str
    kind: str
    reason: str
    sender: str = ""
    receiver: str = ""


def lookalike_key(address: str, head: int = HEAD, tail: int = TAIL) -> str:
    """The characters a hurried reader compares: the first `head` and last `tail` hex digits."""
    digits = address[2:].lower() if address[:2].lower() == "0x" else address.lower()
    return digits[:head] + "…" + digits[-tail:]


def is_lookalike(a: str, b: str, head: int = HEAD, tail: int = TAIL) -> bool:
    """Whether two different addresses share their first `head` and last `tail` hex digits (case-insensitive)."""
    return a.lower() != b.lower() and lookalike_key(a, head, tail) == lookalike_key(b, head, tail)


def _status(trust: Mapping[str, AssetTrust], asset: str) -> str:
    if asset == NATIVE:
        return "canonical"
    t = trust.get(asset)
    return t.status if t is not None else "unknown"


def _suspect_kind(f: TransferFact, status: str, dust: Mapping[str, int]) -> str | None:
    """What a transfer is if it turns out to touch a look-alike; None for a real exchange of value."""
    if f.amount == 0:
        return "zero-value"
    if status in UNTRUSTED:
        return "fake-token"
    if status != "canonical":
        return "look-alike"
    if f.amount < dust.get(f.asset, 0):
        return "dust"
    return None


def find_poisoning(transfers: Sequence[TransferFact], trust: Mapping[str, AssetTrust],
                   dust: Mapping[str, int], *, head: int = HEAD, tail: int = TAIL) -> list[PoisoningFinding]:
    """Every poisoning transfer among `transfers`, deterministic and sorted. `trust` gives each asset's
    status (the native "ETH" is canonical; an asset missing from it is unknown); `dust[asset]` is the
    amount below which a canonical transfer is dust (0 where absent); `head`/`tail`: how many leading and
    trailing hex characters make a look-alike."""
    real: dict[tuple[str, str], set[str]] = defaultdict(set)  # (victim, key) -> its real counterparties
    suspects: list[tuple[TransferFact, str]] = []
    for f in transfers:
        if f.sender == f.receiver:
            continue
        kind = _suspect_kind(f, _status(trust, f.asset), dust)
        if kind is None:
            real[(f.sender, lookalike_key(f.receiver, head, tail))].add(f.receiver)
            real[(f.receiver, lookalike_key(f.sender, head, tail))].add(f.sender)
        else:
            suspects.append((f, kind))
    found: set[PoisoningFinding] = set()
    for f, kind in suspects:
        hit = False
        for victim, other in ((f.sender, f.receiver), (f.receiver, f.sender)):
            imitated = sorted(c for c in real.get((victim, lookalike_key(other, head, tail)), ()) if c != other)
            if not imitated:
                continue
            hit = True
            way = "to" if victim == f.sender else "from"
            found.add(PoisoningFinding(
                other, victim, imitated[0], f.tx_hash, f.asset, kind,
                f"{kind} transfer {way} {other}, a look-alike of {imitated[0]}, a counterparty of {victim}",
                f.sender, f.receiver))
        if not hit and kind == "zero-value" and f.tx_sender is not None and f.tx_sender != f.sender:
            found.add(PoisoningFinding(
                f.receiver, f.sender, None, f.tx_hash, f.asset, kind,
                f"zero-value transfer naming {f.sender} as sender in a transaction sent by {f.tx_sender}",
                f.sender, f.receiver))
    return sorted(found)


def poisoning_transfers(findings: Iterable[PoisoningFinding]) -> set[tuple[str, str, str, str]]:
    """(tx_hash, sender, receiver, asset) of each finding: the transfers a trace must drop."""
    return {(p.tx_hash, p.sender, p.receiver, p.asset) for p in findings}


def lookalikes(findings: Iterable[PoisoningFinding]) -> dict[str, str]:
    """Look-alike -> the real counterparty it imitates (the first in address order if several)."""
    out: dict[str, str] = {}
    for p in sorted(findings):
        if p.lookalike_of is not None:
            out.setdefault(p.address, p.lookalike_of)
    return out
