"""Taint over the account model (EVM): per address and asset, balance and tainted part, event by event. Pure.

Events are taken in chain order (block, tx index, movement index). Models, for a movement of `v` from
an address holding balance `b` of which `t` is tainted:
  * haircut (default): carries `floor(v * t / b)`; the remainder of the division stays behind, so the
    taint is conserved exactly and every hop loses less than one base unit to rounding;
  * fifo: the address's holdings are a queue of lots in arrival order, each with its tainted part; a
    movement takes lots from the front and carries their tainted parts (a partly taken lot carries
    `floor(taken * lot_taint / lot_value)`);
  * poison: any taint taints all. An address is poisoned from the first movement of loot or of a
    poisoned address it receives; every later movement it sends, of any asset (so a swap's proceeds too),
    is poisoned: its whole value is reported as `exposure`. Endpoints, known venues and the zero address
    are never poisoned (they are no holders; taint a venue keeps still moves, without exposure), so
    poisoning is monotone and the poisoned set is a
    time-respecting reachability that Spark can compute alone (`scale/poison_reach.py`). The conserved
    tainted amount moves first (`min(v, t)`), so the sum of taint at endpoints and holders still equals
    the stolen value.
Balances before the first movement seen are unknown: when an address sends more than it is known to
hold, the difference is taken as clean funds it held before (never as taint).

Sources: the movements of a theft transaction, the movements a transaction brought to an address named
`ADDRESS@TXHASH`, and every outflow of a bare source address (a victim's wallet) carry their whole value
as taint. The loot counts once: `stolen` grows only by the part of such a movement that was not already
tainted (a source address that received taint from another source adds nothing for it). Only assets in
`traced_assets` (when given) are ever stolen; other assets take part only as swap proceeds.

Swaps by net flows (trace/net_flows.py): in a transaction with at least two swappers (addresses with a
net outflow of one asset and a net inflow of another; a venue such as a pool, WETH or a staking token is
one too), a swapper's payments of the assets it sold carry no taint to their receiver; instead, at the
end of the transaction each asset Y it bought gains `floor(n_Y * t / v)` taint, `n_Y` its net inflow of Y
and `t/v` the largest tainted share of what it paid for any asset sold. So venues are pass-through:
they hold no taint and are never endpoints, and the proceeds carry the taint.

Stops: labelled services (exchanges, issuers, bridges, mixers) are endpoints: taint reaching them is
recorded there and goes no further. Beyond `max_hops` from a source, taint is recorded at the address
it reached as a `hop limit` endpoint; a tainted amount below `dust` (or the asset's own threshold in
`dust_by_asset`: a wei and a USDT base unit are not worth the same) is recorded as `dust` and dropped.
Known pass-through venues (`venues`) never hold: taint left at one (a swap whose proceeds are not in
the data) is reported as `at_venues`, with the transaction, never as held by the thief. A transaction
with one swapper only is a swap if the data shows it trading with a known venue (`signers`, tx -> signer,
tell a trader paying a venue from a pool paying a router; one address's explorer exports show only its
own legs); otherwise it is what a swap looks like when its return leg is
missing (an export without internal transactions): taint paid into that swapper is noted in `unreturned`.
Conservation per asset: stolen + swapped in = at endpoints + held + at venues + burned + swapped out.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from hotpursuit.trace.movement import Movement
from hotpursuit.trace.net_flows import ZERO_ADDRESS, Swap, find_swappers, lone_swap_with_venue, swaps_of

__all__ = ["FEE_SINK", "MODELS", "AccountTracer", "Arrival", "Endpoint", "Movement", "SwapRecord", "TaintModel",
           "TraceResult", "evidence_path", "trace_account"]

FEE_SINK = "fee"
class TaintModel(StrEnum):
    """The taint models (haircut: proportional; fifo: first in, first out; poison: all of a tainted
    holder's outflow)."""

    haircut = "haircut"
    fifo = "fifo"
    poison = "poison"


MODELS = tuple(m.value for m in TaintModel)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """What a trace stops at."""

    kind: str  # exchange, issuer, bridge, pool, ... or "hop limit", "dust"
    owner: str
    # the marking of the claim that names the owner: (TLP, asserting organisation); who may read the owner
    basis: tuple[str, str | None] = ("CLEAR", None)


NOT_AN_ENDPOINT = Endpoint("", "")


@dataclass
class Arrival:
    """Taint that reached an endpoint."""

    address: str
    asset: str
    endpoint: Endpoint
    tainted: int = 0
    exposure: int = 0  # poison: the full value of poisoned movements
    first_block: int = 0
    txs: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SwapRecord:
    """A swap a tainted address made: what it sold and bought (net), the taint paid and gained per asset."""

    tx_hash: str
    address: str
    sold: tuple[tuple[str, int], ...]
    bought: tuple[tuple[str, int], ...]
    venues: tuple[str, ...]
    taint_paid: tuple[tuple[str, int], ...]
    taint_gained: tuple[tuple[str, int], ...]


@dataclass
class TraceResult:
    """Endpoints, holders, the flow graph and the totals of one trace."""

    model: str
    stolen: dict[str, int] = field(default_factory=dict)
    arrivals: dict[tuple[str, str], Arrival] = field(default_factory=dict)
    held: dict[tuple[str, str], int] = field(default_factory=dict)
    burned: dict[str, int] = field(default_factory=dict)
    flows: dict[tuple[str, str, str, str], int] = field(default_factory=dict)  # (from, to, asset, tx) -> taint
    hops: dict[str, int] = field(default_factory=dict)
    swapped_in: dict[str, int] = field(default_factory=dict)  # taint that entered an asset through swaps
    swapped_out: dict[str, int] = field(default_factory=dict)  # taint that left an asset through swaps
    swaps: list[SwapRecord] = field(default_factory=list)  # swaps that converted taint
    at_venues: dict[tuple[str, str], int] = field(default_factory=dict)  # taint left at a pass-through venue
    # (venue, asset, tx) -> taint paid into a known venue, or into a transaction's lone swapper (a swap whose
    # proceeds' way back is not in the data), so the report can say which transactions lack their return leg
    unreturned: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # per address, its largest tainted inflow as (taint, from, asset, tx): kept as flows grow (an edge's
    # total only grows), so an evidence path is a walk, not a scan of every flow
    best_into: dict[str, tuple[int, str, str, str]] = field(default_factory=dict)

    def add_flow(self, edge: tuple[str, str, str, str], taint: int) -> None:
        """Add `taint` to a flow edge (from, to, asset, tx)."""
        total = self.flows.get(edge, 0) + taint
        self.flows[edge] = total
        src, dst, asset, tx = edge
        candidate = (total, src, asset, tx)
        best = self.best_into.get(dst)
        if best is None or candidate > best:
            self.best_into[dst] = candidate

    def at_endpoints(self, asset: str) -> int:
        """Tainted amount of `asset` at endpoints."""
        return sum(a.tainted for (_, x), a in self.arrivals.items() if x == asset)


class _Holdings:
    """One address's holding of one asset under one model."""

    __slots__ = ("balance", "lots", "taint")

    def __init__(self) -> None:
        self.balance = 0
        self.taint = 0
        self.lots: deque[list[int]] = deque()  # fifo: [value, tainted]

    def receive(self, value: int, tainted: int, model: str) -> None:
        self.balance += value
        self.taint += tainted
        if model == "fifo" and value:
            self.lots.append([value, tainted])

    def add_taint(self, tainted: int, model: str) -> None:
        """Taint part of what is held already (swap proceeds, whose value came in with the tx's movements);
        fifo: the newest lots take it."""
        self.taint += tainted
        if model == "fifo":
            left = tainted
            for lot in reversed(self.lots):
                if not left:
                    break
                room = min(lot[0] - lot[1], left)
                lot[1] += room
                left -= room

    def send(self, value: int, model: str) -> int:
        """Remove `value`; return the tainted part that leaves."""
        if value > self.balance:  # clean funds held before the trace saw this address
            if model == "fifo":
                self.lots.appendleft([value - self.balance, 0])
            self.balance = value
        if model == "haircut":
            moved = value * self.taint // self.balance if self.balance else 0
        elif model == "poison":
            moved = min(value, self.taint)
        else:
            moved, need = 0, value
            while need:
                lot = self.lots[0]
                take = min(need, lot[0])
                part = lot[1] if take == lot[0] else take * lot[1] // lot[0]
                moved += part
                lot[0] -= take
                lot[1] -= part
                need -= take
                if lot[0] == 0:
                    self.lots.popleft()
        self.balance -= value
        self.taint -= moved
        return moved


class AccountTracer:
    """The taint state of one trace, fed movements in chain order; `feed` may be called again with
    later movements (the live watch feeds each new block), giving the same result as one call with all
    of them. `result` is current after each feed (`held` is refreshed by `finish`)."""

    def __init__(self, *, theft_txs: set[str] | None = None, source_addresses: set[str] | None = None,
                 source_receipts: set[tuple[str, str]] | None = None,
                 endpoints: dict[str, Endpoint] | None = None, model: str = "haircut",
                 max_hops: int | None = None, dust: int = 0,
                 opening: dict[tuple[str, str], int] | None = None, dust_by_asset: dict[str, int] | None = None,
                 traced_assets: set[str] | None = None, venues: set[str] | None = None,
                 signers: dict[str, str] | None = None) -> None:
        if model not in MODELS:
            raise ValueError(f"unknown taint model {model!r}; one of {', '.join(MODELS)}")
        self.endpoints = endpoints or {}
        self.theft_txs = theft_txs or set()
        self.source_addresses = source_addresses or set()
        self.source_receipts = source_receipts or set()  # (address, tx): what tx brought to address is loot
        self._receipt_txs = {tx for _, tx in self.source_receipts}
        self.traced_assets = traced_assets
        self.venues = venues or set()
        self.signers = signers or {}  # tx hash -> who signed it, where known (lone swappers' swaps)
        self.model, self.max_hops, self.dust = model, max_hops, dust
        self.dust_by_asset = dust_by_asset or {}
        self.result = TraceResult(model)
        self.holdings: dict[tuple[str, str], _Holdings] = defaultdict(_Holdings)
        for key, value in (opening or {}).items():
            self.holdings[key].receive(value, 0, model)
        self._poisoned: set[str] = set()  # poison: addresses poisoned so far
        self._pending: list[Movement] = []  # the current transaction's movements, not yet applied

    def tainted(self, address: str, asset: str) -> int:
        """The tainted part of what `address` holds of `asset` now (0 for endpoints)."""
        held = self.holdings.get((address, asset))
        return 0 if held is None or address in self.endpoints else held.taint

    def feed(self, movements: Iterable[Movement], until_block: int | None = None) -> None:
        """Apply movements (sorted here by their chain order; all later than those fed before). A
        transaction is applied whole: its movements are taken together (net flows decide its swaps)."""
        pending = self._pending
        for m in sorted(movements, key=lambda x: x.order):
            if until_block is not None and m.order[0] > until_block:
                break
            if pending and m.tx_hash != pending[0].tx_hash:
                self._apply_tx(pending)
                pending.clear()
            pending.append(m)
        if pending:
            self._apply_tx(pending)
            pending.clear()

    def _seeded(self, m: Movement) -> bool:
        """Whether `m` carries its whole value as loot."""
        if self.traced_assets is not None and m.asset not in self.traced_assets:
            return False
        if m.tx_hash in self.theft_txs:
            return True
        if m.sender in self.source_addresses and m.sender not in self.endpoints:
            return True
        return m.tx_hash in self._receipt_txs and (m.receiver, m.tx_hash) in self.source_receipts

    def _apply_tx(self, moves: list[Movement]) -> None:
        result, holdings, endpoints, model = self.result, self.holdings, self.endpoints, self.model
        poisoned = self._poisoned
        converting: dict[tuple[str, str], list[int]] = {}  # (swapper, asset sold) -> [taint paid, value paid]
        # (swapper, asset sold) -> the receivers whose payment converts: the swap's counterparties (the other
        # swappers, the venues it traded with), known venues, or the one address it paid. A thief cannot launder
        # by putting a small real trade beside a payment to an accomplice: that payment carries its taint.
        paid_to: dict[tuple[str, str], frozenset[str]] = {}
        swappers = find_swappers(moves) if len(moves) > 1 else []
        swaps = swaps_of(swappers, moves[0].tx_hash)
        lone_swaps = [] if swaps else lone_swap_with_venue(swappers, moves, self.venues,
                                                           self.signers.get(moves[0].tx_hash))
        # a lone swapper that traded with no known venue: a swap whose return leg is not in the data
        lone = swappers[0][0] if len(swappers) == 1 and not lone_swaps else None
        for swap in swaps + lone_swaps:
            if swap.address in endpoints:
                continue
            sold = {a for a, _ in swap.sold}
            receivers = {m.receiver for m in moves if m.sender == swap.address and m.asset in sold}
            # a burn (to the zero address) is paid to the token contract, as net flows count it
            allowed = frozenset(swap.venues) | frozenset(r for r in receivers if r in self.venues or r == ZERO_ADDRESS)
            if len(receivers) == 1:
                allowed |= frozenset(receivers)
            for asset in sold:
                converting[(swap.address, asset)] = [0, 0]
                paid_to[(swap.address, asset)] = allowed
        swaps = swaps + lone_swaps
        for m in moves:
            src_key, dst_key = (m.sender, m.asset), (m.receiver, m.asset)
            seeded = self._seeded(m)
            if seeded:
                already = 0 if m.sender in endpoints else holdings[src_key].send(m.amount, model)
                result.stolen[m.asset] = result.stolen.get(m.asset, 0) + m.amount - already
                result.hops.setdefault(m.sender, 0)
                moved = m.amount  # loot leaves its source as loot, swap or not (a drain can look like a swap)
            elif m.sender in endpoints:
                moved = 0
            else:
                moved = holdings[src_key].send(m.amount, model)
                paid = converting.get(src_key)
                if paid is not None and m.receiver not in paid_to[src_key]:
                    paid = None  # a swapper's payment to someone it did not trade with carries its taint
                if paid is not None:  # a swapper paying for what it bought: the taint converts, the venue is paid clean
                    paid[0] += moved
                    paid[1] += m.amount
                    moved = 0
            exposure = m.amount if (model == "poison" and (seeded or m.sender in poisoned)) else 0
            hop = result.hops.get(m.sender, 0) + 1
            if m.receiver == FEE_SINK:
                if moved:
                    result.burned[m.asset] = result.burned.get(m.asset, 0) + moved
                continue
            endpoint = endpoints.get(m.receiver)
            if endpoint is None and moved and self.max_hops is not None and hop > self.max_hops:
                endpoint = Endpoint("hop limit", "")
            if endpoint is None and moved and moved < self.dust_by_asset.get(m.asset, self.dust):
                endpoint = Endpoint("dust", "")
            if moved:
                result.add_flow((m.sender, m.receiver, m.asset, m.tx_hash), moved)
                result.hops[m.receiver] = min(result.hops.get(m.receiver, hop), hop)
                if endpoint is None and (m.receiver in self.venues or m.receiver == lone):
                    key = (m.receiver, m.asset, m.tx_hash)
                    result.unreturned[key] = result.unreturned.get(key, 0) + moved
            if endpoint is not None:
                if moved or exposure:
                    arrival = result.arrivals.get(dst_key)
                    if arrival is None:
                        arrival = result.arrivals[dst_key] = Arrival(m.receiver, m.asset, endpoint,
                                                                     first_block=m.order[0])
                    arrival.tainted += moved
                    arrival.exposure += exposure
                    if m.tx_hash not in arrival.txs:
                        arrival.txs.append(m.tx_hash)
                continue
            holdings[dst_key].receive(m.amount, moved, model)
            if exposure and m.receiver not in self.venues and m.receiver != ZERO_ADDRESS:
                poisoned.add(m.receiver)
        if converting:
            self._convert(moves, swaps, converting)

    def _convert(self, moves: list[Movement], swaps: list[Swap], converting: dict[tuple[str, str], list[int]]) -> None:
        """End of a transaction with swaps: each swapper's bought assets gain the tainted share of what it paid."""
        result, holdings, model = self.result, self.holdings, self.model
        for swap in swaps:
            share: Fraction | None = None
            for asset, _ in swap.sold:
                paid = converting.get((swap.address, asset))
                if paid is None or not paid[1]:
                    continue
                if paid[0]:
                    result.swapped_out[asset] = result.swapped_out.get(asset, 0) + paid[0]
                candidate = Fraction(paid[0], paid[1])
                if share is None or candidate > share:
                    share = candidate
            if not share:
                continue
            hop = result.hops.get(swap.address, 0)
            taints_in = {a: converting[(swap.address, a)][0] for a, _ in swap.sold
                         if (swap.address, a) in converting}
            gains: dict[str, int] = {}
            for asset, net_in in swap.bought:
                gained = net_in * share.numerator // share.denominator
                if not gained:
                    continue
                gains[asset] = gained
                holdings[(swap.address, asset)].add_taint(gained, model)
                if model == "poison":
                    self._poisoned.add(swap.address)
                result.swapped_in[asset] = result.swapped_in.get(asset, 0) + gained
                payer = max((m for m in moves if m.receiver == swap.address and m.asset == asset),
                            key=lambda m: m.amount, default=None)  # max keeps the first on ties
                result.add_flow((payer.sender if payer else swap.address, swap.address, asset, swap.tx_hash), gained)
                result.hops[swap.address] = min(result.hops.get(swap.address, hop), hop)
            result.swaps.append(SwapRecord(swap.tx_hash, swap.address, swap.sold, swap.bought, swap.venues,
                                           tuple(sorted(taints_in.items())), tuple(sorted(gains.items()))))

    def finish(self) -> TraceResult:
        """The result, with the current holders (known venues apart: they never hold)."""
        held = {k: h.taint for k, h in self.holdings.items() if h.taint > 0 and k[0] not in self.endpoints}
        self.result.held = {k: v for k, v in held.items() if k[0] not in self.venues}
        self.result.at_venues = {k: v for k, v in held.items() if k[0] in self.venues}
        return self.result


def trace_account(movements: Iterable[Movement], *, theft_txs: set[str] | None = None,
                  source_addresses: set[str] | None = None, source_receipts: set[tuple[str, str]] | None = None,
                  endpoints: dict[str, Endpoint] | None = None,
                  model: str = "haircut", max_hops: int | None = None, dust: int = 0,
                  dust_by_asset: dict[str, int] | None = None,
                  until_block: int | None = None,
                  opening: dict[tuple[str, str], int] | None = None,
                  traced_assets: set[str] | None = None, venues: set[str] | None = None,
                  signers: dict[str, str] | None = None) -> TraceResult:
    """Run one taint model over `movements` (sorted here by their chain order).

    `opening` gives known clean balances (address, asset) at the start (e.g. `eth_getBalance` at the
    incident's first block); without it they are inferred as described in the module docstring.
    """
    tracer = AccountTracer(theft_txs=theft_txs, source_addresses=source_addresses, source_receipts=source_receipts,
                           endpoints=endpoints, model=model, max_hops=max_hops, dust=dust, dust_by_asset=dust_by_asset,
                           opening=opening,
                           traced_assets=traced_assets, venues=venues, signers=signers)
    tracer.feed(movements, until_block)
    return tracer.finish()


def evidence_path(result: TraceResult, address: str, asset: str, limit: int = 64) -> list[dict[str, str]]:
    """The main route taint took to `address`: walking back from it, at each step the largest tainted
    inflow (of any asset: a swap changes it), until an address nothing tainted flowed into."""
    path: list[dict[str, str]] = []
    seen = {address}
    node = address
    while node in result.best_into and len(path) < limit:
        amount, src, a, tx = result.best_into[node]
        path.append({"from": src, "to": node, "asset": a, "tx": tx, "tainted": str(amount)})
        if src in seen:
            break
        seen.add(src)
        node = src
    return path[::-1]
