"""Who is asked to freeze what, after a block: pure rules over an incident's live taint state.

Two kinds of control give an organisation the power to freeze:
  * addresses it operates (exchange hot wallets and deposit addresses, bridge contracts), declared
    by it, plus the members of their clusters: taint stops there (they are trace endpoints), and what
    arrived tainted is asked frozen (the exchange freezes the credited account);
  * a token it issues (a stablecoin with a blacklist): tainted units of that token held anywhere
    else are asked frozen at the holding address (the issuer blacklists it).
A request asks for the tainted amount at the address minus what was already asked there for the
incident (retracted requests do not count), when that is at least the asset's threshold: so each
tainted arrival is asked once, and re-processing a block asks nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotpursuit.trace.account_taint import AccountTracer, evidence_path

CONTROL_KINDS = ("hot_wallet", "deposit_address", "token", "bridge")
ENDPOINT_KIND = {"hot_wallet": "exchange", "deposit_address": "exchange", "bridge": "bridge"}


@dataclass(frozen=True, slots=True)
class Control:
    """An address or token an organisation controls."""

    org_id: str
    kind: str


@dataclass(frozen=True, slots=True)
class FreezeCandidate:
    """A freeze request to make: `amount` more of `asset` at `address` is tainted by `incident`."""

    incident: str
    org_id: str
    address: str
    asset: str
    amount: int
    tainted_total: int
    evidence: list[dict[str, str]]


def freeze_candidates(incident: str, tracer: AccountTracer, touched: set[tuple[str, str]],
                      controlled: dict[str, Control], issued: dict[str, Control],
                      requested: dict[tuple[str, str, str], int], thresholds: dict[str, int]) -> list[FreezeCandidate]:
    """Requests due for the (address, asset) pairs a block touched, sorted by org, address, asset.

    `controlled`: address -> control (operated addresses); `issued`: token asset -> issuer control;
    `requested`: (org, address, asset) -> amount already asked; `thresholds`: asset -> minimum amount
    (default 1 base unit)."""
    out = []
    for address, asset in sorted(touched):
        control = controlled.get(address)
        if control is not None:
            arrival = tracer.result.arrivals.get((address, asset))
            tainted = 0 if arrival is None else arrival.tainted
        elif asset in issued and address not in tracer.endpoints:
            control, tainted = issued[asset], tracer.tainted(address, asset)
        else:
            continue
        due = amount_due(control.org_id, address, asset, tainted, requested, thresholds)
        if due:
            out.append(FreezeCandidate(incident, control.org_id, address, asset, due, tainted,
                                       evidence_path(tracer.result, address, asset)))
    return sorted(out, key=lambda c: (c.org_id, c.address, c.asset))


def amount_due(org: str, address: str, asset: str, tainted: int, requested: dict[tuple[str, str, str], int],
               thresholds: dict[str, int]) -> int:
    """What to ask `org` at `address` now: the tainted amount beyond what was already asked there, if
    it reaches the asset's threshold (default 1 base unit); else 0."""
    due = tainted - requested.get((org, address, asset), 0)
    return due if due >= max(1, thresholds.get(asset, 1)) else 0
