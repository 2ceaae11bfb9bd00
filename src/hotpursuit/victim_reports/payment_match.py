"""Finding a victim's payment on chain from what their report says. Pure.

The report is evidence of varying quality: victims misremember amounts (by a few tens of per cent, or
give the total of two payments), dates (by a day), and mistype websites; a transaction hash, when
given and found, is the strongest fact. So:
  * with transaction hashes: the value-moving transfers of those transactions (narrowed to the stated
    sender and the address paid, where those match); an amount that disagrees is noted, not fatal;
  * else with sending addresses: their payments in the window around the stated date, grouped by the
    address paid and asset; the group (or single payment) whose amount is nearest the claim is the
    payment, if within a factor of `MAX_RATIO_FROM_SENDER`; without an amount, only when one address
    was paid;
  * else with the address paid: a payment to it in the window whose amount is within
    `MAX_RATIO_PAID_TO` of the claim (nearest first): many victims pay one deposit address, so the amount
    and date must pick this victim's.
Fake and spam tokens and zero-value transfers never count as a payment. What was not found is said
with the facts that were searched, so an investigator can correct the report.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from hotpursuit.chains.readable import AssetUnits, display_units
from hotpursuit.victim_reports.model import VictimReport, claimed_base_units

MAX_RATIO_FROM_SENDER = 3.0  # the victim's own payments in the window: the claim may be off by this factor
MAX_RATIO_PAID_TO = 1.5  # a deposit address many victims pay: the amount must pick the payment
DAY = 86_400
SLACK = 14 * 3_600 + DAY  # a date is a day in the victim's time zone (UTC-12..+14), and may be off by one


@dataclass(frozen=True, slots=True)
class ChainTransfer:
    """One transfer the search may return: where it is, when, who paid whom how much of what."""

    block: int
    timestamp: int | None  # None: the store has no time for its block (an explorer export)
    tx_hash: str
    tx_index: int
    seq: int
    sender: str
    receiver: str
    asset: str
    amount: int


@dataclass(frozen=True)
class AssetBook:
    """The chain's assets as a report can name them: the native symbol, and tokens by contract with symbol,
    decimals and whether they may count as a payment (fake and spam tokens may not)."""

    native: AssetUnits
    tokens: dict[str, AssetUnits] = field(default_factory=dict)
    untrusted: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()  # exchanges and other services: a sender shared by many people

    def resolve(self, named: str) -> set[str]:
        """The assets a report's `asset` may mean: a contract as given, or every trusted asset of that symbol."""
        text = named.strip()
        if text.lower().startswith("0x"):  # a contract: comparable only when its decimals are known
            return {text.lower()} if text.lower() in self.tokens and text.lower() not in self.untrusted else set()
        wanted = text.upper()
        found = {a for a, u in self.tokens.items() if u.symbol.upper() == wanted and a not in self.untrusted}
        if wanted == self.native.symbol.upper():
            found.add(self.native.symbol)
        return found

    def units(self, asset: str) -> AssetUnits | None:
        """How `asset` is read."""
        return self.native if asset == self.native.symbol else self.tokens.get(asset)

    def show(self, amount: int, asset: str) -> str:
        """`1.5 ETH`, or base units when the decimals are unknown."""
        u = self.units(asset)
        return f"{amount:,} base units of {asset}" if u is None else f"{display_units(amount, u.decimals)} {u.symbol}"


@dataclass(frozen=True)
class PaymentFinding:
    """What the search found for one report: the payment's transfers (empty when not found), how it was
    found or why not, and notes where the report and the chain disagree."""

    found: bool
    how: str
    transfers: tuple[ChainTransfer, ...] = ()
    notes: tuple[str, ...] = ()


def find_payments(reports: Mapping[str, VictimReport], candidates: Mapping[str, Iterable[ChainTransfer]],
                  book: AssetBook) -> dict[str, PaymentFinding]:
    """Each report's payment, no transfer given to two reports: the reports with a transaction hash choose
    first, then those with a sending address, then those with only the address paid (in id order within
    each); a report whose nearest payment another report holds already is matched again without it, and
    if nothing else fits it says which report holds it (two complaints about one payment, or a
    misremembered amount)."""
    def strength(rid: str) -> tuple[int, str]:
        r = reports[rid]
        return (0 if r.tx_hashes else 1 if r.from_addresses else 2), rid
    taken: dict[ChainTransfer, str] = {}
    out: dict[str, PaymentFinding] = {}
    for rid in sorted(reports, key=strength):
        pool = list(candidates.get(rid, ()))
        finding = find_payment(reports[rid], pool, book)
        held = [taken[t] for t in finding.transfers if t in taken]
        if held:
            again = find_payment(reports[rid], [c for c in pool if c not in taken], book)
            finding = again if again.found else PaymentFinding(
                False, f"its payment (tx {finding.transfers[0].tx_hash}) is already report {held[0]}'s: two "
                       "complaints about one payment, or another payment misremembered", notes=finding.notes)
        for t in finding.transfers:
            taken[t] = rid
        out[rid] = finding
    return out


def search_window(report: VictimReport) -> tuple[int, int] | None:
    """The Unix-time window to search around the stated date (None: no date given)."""
    if report.paid_at is not None:
        moment = int(report.paid_at.timestamp())
        return moment - DAY - 3_600, moment + DAY + 3_600
    if report.paid_on is not None:
        start = int(dt.datetime.combine(report.paid_on, dt.time(), dt.UTC).timestamp())
        return start - SLACK, start + DAY + SLACK
    return None


def find_payment(report: VictimReport, candidates: Iterable[ChainTransfer], book: AssetBook) -> PaymentFinding:
    """The victim's payment among `candidates` (transfers in the report's transactions, and those from its
    senders or to its address paid, in the window)."""
    usable = sorted({c for c in candidates if c.amount > 0 and c.asset not in book.untrusted},
                    key=lambda c: (c.block, c.tx_index, c.seq))
    assets = book.resolve(report.asset) if report.asset else None
    notes: list[str] = []
    if report.asset and not assets:
        notes.append(f"asset {report.asset!r} is no trusted asset of {report.chain}: the amount is not compared")
        assets = None
    if report.tx_hashes:
        return _by_transactions(report, usable, book, assets, notes)
    window = search_window(report)
    timely = [c for c in usable if window is None or c.timestamp is None or window[0] <= c.timestamp <= window[1]]
    if assets is not None:
        timely = [c for c in timely if c.asset in assets]
    when = _when(report)
    if report.from_addresses:
        return _by_sender(report, timely, book, assets, notes, when)
    return _by_address_paid(report, timely, book, assets, notes, when)


def _by_transactions(report: VictimReport, usable: list[ChainTransfer], book: AssetBook, assets: set[str] | None,
                     notes: list[str]) -> PaymentFinding:
    chosen = [c for c in usable if c.tx_hash in report.tx_hashes]
    if not chosen:
        return PaymentFinding(False, f"transaction(s) {', '.join(report.tx_hashes)} moved no value on {report.chain}",
                              notes=tuple(notes))
    senders = set(report.from_addresses) or {min(chosen, key=lambda c: c.seq).sender}
    if narrowed := [c for c in chosen if c.sender in senders]:
        chosen = narrowed
    elif report.from_addresses:
        notes.append(f"the transaction was not sent from {', '.join(report.from_addresses)}")
    if report.paid_to:
        if narrowed := [c for c in chosen if c.receiver == report.paid_to]:
            chosen = narrowed
        else:
            notes.append(f"the transaction paid {', '.join(sorted({c.receiver for c in chosen}))}, not the address "
                         f"the report names ({report.paid_to})")
    notes += _amount_notes(report, chosen, book, assets)
    return PaymentFinding(True, f"by its transaction hash ({len(chosen)} transfer(s))", tuple(chosen), tuple(notes))


def _by_sender(report: VictimReport, timely: list[ChainTransfer], book: AssetBook, assets: set[str] | None,
               notes: list[str], when: str) -> PaymentFinding:
    shared = sorted(a for a in report.from_addresses if a in book.services)
    if shared and len(shared) == len(report.from_addresses) and not report.paid_to:
        return PaymentFinding(False, f"{', '.join(shared)} is a service's address (an exchange's withdrawals pay "
                                     "many people): give the transaction hash or the address paid",
                              notes=tuple(notes))
    mine = [c for c in timely if c.sender in report.from_addresses]
    if report.paid_to:
        if narrowed := [c for c in mine if c.receiver == report.paid_to]:
            mine = narrowed
        elif shared:  # a service's withdrawals: only a payment to the address paid is this victim's
            mine = []
        elif mine:
            notes.append(f"no payment to {report.paid_to}, the address the report names, {when}")
    who = ", ".join(report.from_addresses)
    if not mine:
        what = f" of {report.asset}" if report.asset else ""
        return PaymentFinding(False, f"no payment{what} from {who} {when}", notes=tuple(notes))
    groups: dict[tuple[str, str], list[ChainTransfer]] = defaultdict(list)
    for c in mine:
        groups[(c.receiver, c.asset)].append(c)
    options = [[c] for c in mine] + [g for g in groups.values() if len(g) > 1]
    if report.amount is None or assets is None:
        if len(groups) > 1:
            paid = ", ".join(sorted({r for r, _ in groups}))
            return PaymentFinding(False, f"{who} paid {len(groups)} addresses {when} ({paid}): give the amount or "
                                         "the address paid", notes=tuple(notes))
        chosen = next(iter(groups.values()))
    else:
        best, ratio = _nearest(report.amount, options, book)
        if ratio > MAX_RATIO_FROM_SENDER:
            return PaymentFinding(False, f"{who} paid {_total(best, book)} to {best[0].receiver} {when}, but the "
                                         f"report says {report.amount} {report.asset} (about {ratio:.0f}x off): "
                                         "check the amount", notes=tuple(notes))
        chosen = best
    notes += _amount_notes(report, chosen, book, assets)
    return PaymentFinding(True, f"from the sending address {when} ({len(chosen)} transfer(s))", tuple(chosen),
                          tuple(notes))


def _by_address_paid(report: VictimReport, timely: list[ChainTransfer], book: AssetBook, assets: set[str] | None,
                     notes: list[str], when: str) -> PaymentFinding:
    to = report.paid_to or ""
    if report.amount is None or assets is None:
        return PaymentFinding(False, f"only the address paid ({to}) is given: many victims pay one deposit address, "
                                     "so give the amount and asset (or the transaction or sending address)",
                              notes=tuple(notes))
    theirs = [c for c in timely if c.receiver == to]
    if not theirs:
        return PaymentFinding(False, f"no payment of {report.asset} to {to} {when}", notes=tuple(notes))
    best, ratio = _nearest(report.amount, [[c] for c in theirs], book)
    if ratio > MAX_RATIO_PAID_TO:
        return PaymentFinding(False, f"no payment to {to} {when} near {report.amount} {report.asset}: the nearest is "
                                     f"{_total(best, book)} (tx {best[0].tx_hash})", notes=tuple(notes))
    notes += _amount_notes(report, best, book, assets)
    return PaymentFinding(True, f"to the address paid, by amount and date {when}", tuple(best), tuple(notes))


def _nearest(amount: str, options: list[list[ChainTransfer]], book: AssetBook) -> tuple[list[ChainTransfer], float]:
    """The option whose total is nearest the claim (by ratio; earliest first on ties) and that ratio (>= 1)."""
    def ratio(option: list[ChainTransfer]) -> float:
        u = book.units(option[0].asset)
        claimed = claimed_base_units(amount, u.decimals if u else 0)
        paid = sum(c.amount for c in option)
        if claimed <= 0:
            return math.inf
        return max(paid, claimed) / min(paid, claimed)  # a ratio to rank by, never money
    best = min(options, key=lambda o: (ratio(o), o[0].block, o[0].tx_index, o[0].seq))
    return best, ratio(best)


def _amount_notes(report: VictimReport, chosen: list[ChainTransfer], book: AssetBook,
                  assets: set[str] | None) -> list[str]:
    if report.amount is None or assets is None:
        return []
    if not any(c.asset in assets for c in chosen):
        return [f"the report says {report.asset}; the payment was {_total(chosen, book)}"]
    _, ratio = _nearest(report.amount, [[c for c in chosen if c.asset in assets]], book)
    if ratio > 1.05:
        return [f"the report says {report.amount} {report.asset}; the chain shows {_total(chosen, book)}"]
    return []


def _total(transfers: list[ChainTransfer], book: AssetBook) -> str:
    by_asset: dict[str, int] = defaultdict(int)
    for c in transfers:
        by_asset[c.asset] += c.amount
    return " + ".join(book.show(v, a) for a, v in sorted(by_asset.items()))


def _when(report: VictimReport) -> str:
    if report.paid_at is not None:
        return f"within a day of {report.paid_at:%Y-%m-%d %H:%M} UTC"
    if report.paid_on is not None:
        return f"within a day of {report.paid_on.isoformat()}"
    return "at any time"
