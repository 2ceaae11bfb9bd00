"""The taint engine as it was before issue 13 (commit 67ea95a, src/hotpursuit/trace/account_taint.py),
kept only as the same-run baseline of benchmarks/bench_trace_mainnet_rules.py: movement by movement,
swaps only through labelled pools, no asset trust, no net flows. Not part of the product."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

FEE_SINK = "fee"
MODELS = ("haircut", "fifo", "poison")


@dataclass(frozen=True, slots=True)
class Movement:
    """One movement of value, in chain order by `order`."""

    order: tuple[int, int, int]  # block, tx index, movement index
    tx_hash: str
    sender: str
    receiver: str
    asset: str
    amount: int


@dataclass(frozen=True, slots=True)
class Endpoint:
    """What a trace stops at."""

    kind: str  # exchange, issuer, bridge, pool, ... or "hop limit", "dust"
    owner: str


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
                 endpoints: dict[str, Endpoint] | None = None, model: str = "haircut",
                 max_hops: int | None = None, dust: int = 0,
                 opening: dict[tuple[str, str], int] | None = None) -> None:
        if model not in MODELS:
            raise ValueError(f"unknown taint model {model!r}; one of {', '.join(MODELS)}")
        self.endpoints = endpoints or {}
        self.theft_txs = theft_txs or set()
        self.source_addresses = source_addresses or set()
        self.model, self.max_hops, self.dust = model, max_hops, dust
        self.result = TraceResult(model)
        self.holdings: dict[tuple[str, str], _Holdings] = defaultdict(_Holdings)
        for key, value in (opening or {}).items():
            self.holdings[key].receive(value, 0, model)
        self._poisoned: set[tuple[str, str]] = set()
        self._paid_to_pool: dict[tuple[str, str], tuple[int, int]] = {}  # (tx, payer) -> (value, taint) paid
        self._current_tx: str | None = None

    def tainted(self, address: str, asset: str) -> int:
        """The tainted part of what `address` holds of `asset` now (0 for endpoints)."""
        held = self.holdings.get((address, asset))
        return 0 if held is None or address in self.endpoints else held.taint

    def feed(self, movements: Iterable[Movement], until_block: int | None = None) -> None:
        """Apply movements (sorted here by their chain order; all later than those fed before)."""
        result, holdings, endpoints, model = self.result, self.holdings, self.endpoints, self.model
        poisoned, paid_to_pool = self._poisoned, self._paid_to_pool
        for m in sorted(movements, key=lambda x: x.order):
            if until_block is not None and m.order[0] > until_block:
                break
            if m.tx_hash != self._current_tx:
                self._current_tx = m.tx_hash
                paid_to_pool.clear()
            src_key, dst_key = (m.sender, m.asset), (m.receiver, m.asset)
            source = m.sender in self.source_addresses and m.sender not in endpoints
            if m.tx_hash in self.theft_txs or source:
                moved = m.amount
                result.stolen[m.asset] = result.stolen.get(m.asset, 0) + m.amount
                result.hops.setdefault(m.sender, 0)
                held = holdings[src_key]
                held.balance = max(held.balance - m.amount, 0)
                held.taint = max(held.taint - m.amount, 0)
            elif m.sender in endpoints:
                moved = 0
            else:
                moved = holdings[src_key].send(m.amount, model)
            exposure = m.amount if (model == "poison" and (moved or src_key in poisoned)) else 0
            hop = result.hops.get(m.sender, 0) + 1
            if m.receiver == FEE_SINK:
                if moved:
                    result.burned[m.asset] = result.burned.get(m.asset, 0) + moved
                continue
            endpoint = endpoints.get(m.receiver)
            if endpoint is None and moved and self.max_hops is not None and hop > self.max_hops:
                endpoint = Endpoint("hop limit", "")
            if endpoint is None and moved and moved < self.dust:
                endpoint = Endpoint("dust", "")
            if moved:
                result.add_flow((m.sender, m.receiver, m.asset, m.tx_hash), moved)
                result.hops[m.receiver] = min(result.hops.get(m.receiver, hop), hop)
            if endpoint is not None:
                if endpoint.kind == "pool":
                    paid_to_pool[(m.tx_hash, m.sender)] = (m.amount, moved)
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
            swap = paid_to_pool.get((m.tx_hash, m.receiver)) \
                if endpoints.get(m.sender, NOT_AN_ENDPOINT).kind == "pool" else None
            if swap is not None:
                v_in, t_in = swap
                gained = m.amount * t_in // v_in if v_in else 0
                if gained:
                    result.swapped_in[m.asset] = result.swapped_in.get(m.asset, 0) + gained
                    result.add_flow((m.sender, m.receiver, m.asset, m.tx_hash), gained)
                    result.hops[m.receiver] = min(result.hops.get(m.receiver, hop), hop)
                holdings[dst_key].receive(m.amount, gained, model)
                if model == "poison" and gained:
                    poisoned.add(dst_key)
                continue
            holdings[dst_key].receive(m.amount, moved, model)
            if model == "poison" and moved:
                poisoned.add(dst_key)

    def finish(self) -> TraceResult:
        """The result, with the current holders."""
        self.result.held = {k: h.taint for k, h in self.holdings.items() if h.taint > 0 and k[0] not in self.endpoints}
        return self.result


def trace_account(movements: Iterable[Movement], *, theft_txs: set[str] | None = None,
                  source_addresses: set[str] | None = None, endpoints: dict[str, Endpoint] | None = None,
                  model: str = "haircut", max_hops: int | None = None, dust: int = 0,
                  until_block: int | None = None,
                  opening: dict[tuple[str, str], int] | None = None) -> TraceResult:
    """Run one taint model over `movements` (sorted here by their chain order).

    `opening` gives known clean balances (address, asset) at the start (e.g. `eth_getBalance` at the
    incident's first block); without it they are inferred as described in the module docstring.
    """
    tracer = AccountTracer(theft_txs=theft_txs, source_addresses=source_addresses, endpoints=endpoints,
                           model=model, max_hops=max_hops, dust=dust, opening=opening)
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
