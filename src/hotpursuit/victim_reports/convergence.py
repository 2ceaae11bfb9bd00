"""Where victims' money converges: the ring's addresses and its collectors, ranked with evidence. Pure.

Input: per report, the taint its victim's payment brought to each address (the flows of a trace of that
payment alone, so the loot is counted once per victim), and the addresses that are nobody's ring (the
services a trace stops at, venues, token contracts).

  * every address a victim's money reached that is no service is the ring's: the deposit addresses the
    victims paid, and whatever the money went through after; except where the victims' money is diluted
    (less than `MIN_VICTIM_SHARE` of everything the address received, in every asset): that is a service
    nobody labelled (an exchange's hot wallet takes everyone's money) or downstream of one, and is listed
    apart, never as the ring's;
  * collectors are the ring's addresses that two or more victims' money reached, ranked by how many
    victims (the convergence), then by how early all of them had arrived (the first address where the
    money met comes before the relays it went on through), then by the value;
  * cash-out addresses are the ring's addresses that paid a service (an exchange's deposit address);
  * the deposit-address rule (cluster.evm_deposit) run with the collectors downstream of the deposit
    addresses in the role of an exchange's hot wallet finds the deposit addresses of victims who have not
    reported: addresses that forward what they receive to a collector, as the reported ones do, and are
    paid by someone other than a service (an address funded only by exchange withdrawals or mints that
    pays a collector is a payer, like a victim). Those who paid them are listed as likely further victims.
Value is compared across assets as shares of each asset's total paid by the victims (a ratio, for
ranking only); every amount stays an integer in base units per asset.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from hotpursuit.cluster.evm_deposit import Move, find_deposit_addresses

Flows = Mapping[tuple[str, str, str, str], int]  # (from, to, asset, tx) -> taint, of one report's payment
EXAMPLES = 5
MIN_VICTIM_SHARE = 0.01  # below this part of its inflow from the victims, an address is a service, not the ring


@dataclass
class RingAddress:
    """One address of the ring, with what the case found it to be and why."""

    address: str
    role: str  # collector | deposit | cash_out | relay
    rank: int | None = None  # collectors: 1 is where most victims' money converged
    reports: list[str] = field(default_factory=list)  # the reports whose money reached it
    received: dict[str, int] = field(default_factory=dict)  # asset -> taint received from the reported victims
    first_block: int = 0
    converged_block: int = 0  # when the last of its victims' money first arrived
    txs: list[str] = field(default_factory=list)  # examples: transactions that brought the money
    paid_services: dict[str, dict[str, int]] = field(default_factory=dict)  # service -> asset -> taint paid
    why: str = ""


@dataclass
class Convergence:
    """The ring as the reports show it, and whom else it seems to have taken money from."""

    addresses: list[RingAddress]
    further_payers: dict[str, list[str]]  # an unreported payer of a deposit address found -> those addresses
    # addresses the victims' money reached but made up less than `min_share` of what they received: a service
    # nobody labelled (an exchange's hot wallet, a payment processor) or a customer of one; never the ring's
    diluted: dict[str, float] = field(default_factory=dict)

    def collectors(self) -> list[RingAddress]:
        """The ranked collectors, first first."""
        return sorted((a for a in self.addresses if a.rank is not None), key=lambda a: a.rank or 0)


@dataclass(frozen=True, slots=True)
class Payment:
    """A victim's payment found on chain: who paid which address how much of what, in which transaction."""

    sender: str
    receiver: str
    asset: str
    amount: int
    tx: str
    block: int


def converge(per_report: Mapping[str, Flows], payments: Mapping[str, list[Payment]], services: Mapping[str, str],
             blocks: Mapping[str, int], *, inflow: Mapping[tuple[str, str], int] | None = None,
             payer_traffic: list[Move] | None = None, window: int = 1 << 40,
             min_share: float = MIN_VICTIM_SHARE) -> Convergence:
    """The ring from the reports' payments and the flows of their traces. `blocks`: tx -> its block;
    `services`: address -> kind (exchange, venue, issuer, ...) of what is nobody's ring; `inflow`: (address,
    asset) -> everything it received (the dilution rule); `payer_traffic`: the traffic of whoever paid the
    collectors (for the deposit-address rule)."""
    found: dict[str, RingAddress] = {}
    arrival: dict[tuple[str, str], int] = {}  # (address, report) -> first block its money arrived
    totals: dict[str, int] = defaultdict(int)

    def reached(report: str, address: str, asset: str, taint: int, tx: str, block: int) -> None:
        ring = found.setdefault(address, RingAddress(address, "relay"))
        if report not in ring.reports:
            ring.reports.append(report)
        ring.received[asset] = ring.received.get(asset, 0) + taint
        arrival.setdefault((address, report), block)
        if len(ring.txs) < EXAMPLES and tx not in ring.txs:
            ring.txs.append(tx)

    for report, paid in sorted(payments.items()):
        for p in paid:
            totals[p.asset] += p.amount
            reached(report, p.receiver, p.asset, p.amount, p.tx, p.block)
    for report, flows in sorted(per_report.items()):
        counted = {(p.receiver, p.tx) for p in payments.get(report, [])}  # the payment itself: counted above
        for (src, dst, asset, tx), taint in sorted(flows.items(), key=lambda f: (blocks.get(f[0][3], 0), f[0])):
            if taint <= 0 or (dst, tx) in counted:
                continue
            if dst in services:
                ring = found.setdefault(src, RingAddress(src, "relay"))
                per = ring.paid_services.setdefault(dst, {})
                per[asset] = per.get(asset, 0) + taint
                continue
            reached(report, dst, asset, taint, tx, blocks.get(tx, 0))
    deposits = {p.receiver for paid in payments.values() for p in paid}
    diluted: dict[str, float] = {}
    for address, ring in list(found.items()):
        part = _victims_part(ring, inflow or {})
        if address not in deposits and part < min_share:
            diluted[address] = part
            del found[address]
    for ring in found.values():
        times = [b for (a, _), b in arrival.items() if a == ring.address]
        ring.first_block, ring.converged_block = (min(times), max(times)) if times else (0, 0)
    victims = {p.sender for paid in payments.values() for p in paid}
    for ring in found.values():
        exchanges = sorted(a for a in ring.paid_services if services.get(a, "").startswith("exchange"))
        if ring.address in deposits and services.get(ring.address, "").startswith("exchange"):
            ring.role, ring.why = "deposit", ("a reporting victim paid it: an exchange's deposit address (the "
                                              "ring's account there: ask the exchange)")
        elif ring.address in deposits:
            ring.role, ring.why = "deposit", "a reporting victim paid it"
        elif exchanges:
            ring.role, ring.why = "cash_out", f"paid exchange deposit address(es) {', '.join(exchanges[:3])}"
        else:
            ring.why = "victims' money went through it"

    def share(ring: RingAddress) -> float:  # a ratio for ranking, never money
        return sum(v / totals[a] for a, v in ring.received.items() if totals.get(a))

    ranked = sorted((r for r in found.values() if len(r.reports) >= 2),
                    key=lambda r: (-len(r.reports), r.converged_block, -share(r), r.address))
    for i, ring in enumerate(ranked, 1):
        ring.rank = i
        if ring.role != "deposit":
            cashed = f"; {ring.why}" if ring.role == "cash_out" else ""
            ring.role = "collector"
            ring.why = f"the money of {len(ring.reports)} reporting victims met here{cashed}"
    further: dict[str, list[str]] = {}
    if payer_traffic and ranked:
        # the collectors downstream of the deposit addresses (a victim pays a deposit address, never these)
        core = {r.address: r.address for r in ranked if r.role != "deposit"}
        payers: dict[str, set[str]] = defaultdict(set)
        for m in payer_traffic:
            payers[m.receiver].add(m.sender)
        for d in find_deposit_addresses(payer_traffic, core, window=window):
            if d.address in services or d.address in found or d.address in victims:
                continue
            if not payers[d.address] - set(services):  # funded only by exchanges or mints: a payer, like a victim
                continue
            found[d.address] = RingAddress(d.address, "deposit", txs=[d.example_tx], why=(
                f"forwards {d.share:.0%} of what it receives to collector {d.exchange} ({d.forwards} transfers), as "
                "the deposit addresses the victims reported do"))
        deposit_addresses = {r.address for r in found.values() if r.role == "deposit"}
        for m in payer_traffic:
            if m.receiver in deposit_addresses and m.sender not in found and m.sender not in services \
                    and m.sender not in victims:
                further.setdefault(m.sender, [])
                if m.receiver not in further[m.sender]:
                    further[m.sender].append(m.receiver)
    order = {"collector": 0, "deposit": 1, "cash_out": 2, "relay": 3}
    return Convergence(sorted(found.values(), key=lambda r: (r.rank or 10**9, order[r.role], r.address)),
                       dict(sorted(further.items())), dict(sorted(diluted.items())))


def _victims_part(ring: RingAddress, inflow: Mapping[tuple[str, str], int]) -> float:
    """The largest part, over assets, of what the address received that was the reporting victims' money (1.0
    where its inflow is not known): a ratio for the dilution rule, never money."""
    parts = [v / inflow[(ring.address, a)] for a, v in ring.received.items() if inflow.get((ring.address, a))]
    return max(parts) if parts else 1.0

