"""An independent reference computation of the haircut taint model with swaps by net flows. Pure.

The rule (the trace engine implements the same): movements are taken in chain order (block, tx
index, movement index). Only traced assets take part: the drill's impersonating tokens (`ignored`)
and zero-value movements are dropped first. Per transaction, before moving any taint:

1. Net flows: per (address, asset), received minus paid over the tx's movements; a mint (token
   movement from 0x0) counts as paid by the token contract, a burn (to 0x0) as received by it.
2. Swappers: addresses with a net outflow of some asset and a net inflow of another. The tx's swaps
   are valid only with at least two swappers (a venue is itself a swapper).

Then the movements are applied in order as haircut transfers: a movement of `v` from a balance `b`
with tainted part `t` carries `floor(v*t/b)` (an address sending more than it is known to hold held
the difference clean; 0x0 and endpoints never pay taint). Except, for a swapper A of a valid swap:

3. A movement of a net-outflow asset X sent by A takes its tainted part from A as usual, but the
   receiver gets it clean: per X, `t_X` sums those tainted parts and `v_X` those amounts.
4. At the end of the tx, each net-inflow asset Y of A gains `floor(n_Y * t / v)` taint at A, where
   `n_Y` is A's net inflow of Y and `t/v` the largest `t_X/v_X` (exact fractions).

The theft transactions carry all of their value as taint. An endpoint (exchange deposit or hot
wallet, bridge) is a sink: taint reaching it is recorded there and goes no further. Venues (pools,
routers, WETH, staking) are nothing special: they are swappers, and hold what taint they hold.
Conservation per asset: stolen + swapped in = at endpoints + held + swapped out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import groupby

from hotpursuit.drill.ledger import ETH, LedgerEntry

ZERO = "0x" + "00" * 20


@dataclass(frozen=True)
class Service:
    """An address that ends a trace: who runs it and what it is."""

    kind: str  # exchange_deposit | exchange_hot_wallet | bridge_router | bridge_vault
    owner: str


@dataclass(frozen=True)
class SwapTaint:
    """One swapper's conversion of taint in one tx (only swaps that converted some taint)."""

    tx_hash: str
    block: int
    address: str
    sold: dict[str, int]  # asset -> net amount paid
    bought: dict[str, int]  # asset -> net amount received
    taint_out: dict[str, int]  # asset -> t_X converted away
    taint_in: dict[str, int]  # asset -> taint gained
    edge_from: dict[str, str]  # asset -> sender of the largest movement of it into the swapper


@dataclass
class HaircutResult:
    """Endpoint receipts, final holdings and swap conversions, in base units."""

    endpoint_taint: dict[tuple[str, str], int] = field(default_factory=dict)
    endpoint_first_block: dict[tuple[str, str], int] = field(default_factory=dict)
    endpoint_arrivals: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (address, asset, block)
    holder_first_block: dict[tuple[str, str], int] = field(default_factory=dict)  # first tainted arrival
    memo_taint: dict[str, int] = field(default_factory=dict)  # bridge tx hash -> tainted ETH
    holdings: dict[tuple[str, str], int] = field(default_factory=dict)
    stolen: dict[str, int] = field(default_factory=dict)
    swapped_in: dict[str, int] = field(default_factory=dict)
    swapped_out: dict[str, int] = field(default_factory=dict)
    swaps: list[SwapTaint] = field(default_factory=list)


def _party(address: str, asset: str) -> str:
    """Who pays a mint / receives a burn in net-flow terms: the token contract."""
    return asset if address == ZERO and asset != ETH else address


def net_flows(entries: list[LedgerEntry]) -> dict[tuple[str, str], int]:
    """(address, asset) -> received minus paid over one tx's movements, mints/burns at the token."""
    net: dict[tuple[str, str], int] = defaultdict(int)
    for e in entries:
        m = e.move
        src, dst = _party(m.from_address, m.asset), _party(m.to_address, m.asset)
        if src != dst:
            net[(src, m.asset)] -= m.amount
            net[(dst, m.asset)] += m.amount
    return {k: v for k, v in net.items() if v}


def swappers(net: dict[tuple[str, str], int]) -> set[str]:
    """Addresses that paid out some asset and took in another; empty unless there are two or more."""
    outs = {a for (a, _), v in net.items() if v < 0}
    ins = {a for (a, _), v in net.items() if v > 0}
    found = outs & ins
    return found if len(found) >= 2 else set()


class _Taint:
    """Balances and tainted parts per (address, asset), and where the taint ended."""

    def __init__(self, initial: dict[tuple[str, str], int], services: dict[str, Service]) -> None:
        self.balance: dict[tuple[str, str], int] = defaultdict(int, initial)
        self.taint: dict[tuple[str, str], int] = defaultdict(int)
        self.services = services
        self.result = HaircutResult()

    def take(self, src: str, asset: str, v: int) -> int:
        """Debit `v` from `src` and return the tainted part it carries."""
        if src == ZERO:
            return 0
        key = (src, asset)
        b = self.balance[key]
        if b < v:
            b = self.balance[key] = v  # sent more than known to hold: the difference was clean
        carried = 0 if src in self.services else v * self.taint[key] // b
        self.taint[key] -= carried
        self.balance[key] = b - v
        return carried

    def give(self, entry: LedgerEntry, dst: str, asset: str, v: int, tainted: int) -> None:
        """Credit `v` (of which `tainted`) to `dst`; taint at an endpoint stops there."""
        self.balance[(dst, asset)] += v
        self.add_taint(entry, dst, asset, tainted)

    def add_taint(self, entry: LedgerEntry, dst: str, asset: str, tainted: int) -> None:
        """Record `tainted` arriving at `dst` (an endpoint keeps it as a receipt)."""
        if not tainted:
            return
        r, key = self.result, (dst, asset)
        service = self.services.get(dst)
        if service is None:
            self.taint[key] += tainted
            r.holder_first_block.setdefault(key, entry.block_number)
            return
        r.endpoint_taint[key] = r.endpoint_taint.get(key, 0) + tainted
        r.endpoint_first_block.setdefault(key, entry.block_number)
        arrival = (dst, asset, entry.block_number)
        r.endpoint_arrivals[arrival] = r.endpoint_arrivals.get(arrival, 0) + tainted
        if service.kind == "bridge_router":
            r.memo_taint[entry.tx_hash] = r.memo_taint.get(entry.tx_hash, 0) + tainted


def haircut_reference(
    entries: Iterable[LedgerEntry],
    initial_balances: dict[tuple[str, str], int],
    theft_tx_hashes: set[str],
    services: dict[str, Service],
    ignored_assets: frozenset[str] = frozenset(),
) -> HaircutResult:
    """Run the haircut model with swaps by net flows over `entries` (sorted here by chain order)."""
    state = _Taint(initial_balances, services)
    result = state.result
    traced = sorted((e for e in entries if e.move.amount > 0 and e.move.asset not in ignored_assets),
                    key=lambda e: e.order)
    for tx_hash, group in groupby(traced, key=lambda e: e.tx_hash):
        tx = list(group)
        if tx_hash in theft_tx_hashes:
            for e in tx:
                m = e.move
                state.take(m.from_address, m.asset, m.amount)
                result.stolen[m.asset] = result.stolen.get(m.asset, 0) + m.amount
                state.give(e, m.to_address, m.asset, m.amount, m.amount)
            continue
        net = net_flows(tx)
        swapping = swappers(net)
        t_out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        v_out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for e in tx:
            m = e.move
            carried = state.take(m.from_address, m.asset, m.amount)
            payer = _party(m.from_address, m.asset)
            if payer in swapping and net.get((payer, m.asset), 0) < 0:
                t_out[payer][m.asset] += carried
                v_out[payer][m.asset] += m.amount
                result.swapped_out[m.asset] = result.swapped_out.get(m.asset, 0) + carried
                carried = 0
            state.give(e, m.to_address, m.asset, m.amount, carried)
        for address in sorted(swapping):
            ratio = max((Fraction(t, v_out[address][x]) for x, t in t_out[address].items()), default=Fraction(0))
            bought = {y: n for (a, y), n in sorted(net.items()) if a == address and n > 0}
            gains = {y: n * ratio.numerator // ratio.denominator for y, n in bought.items()}
            last = tx[-1]
            for y, gain in gains.items():
                state.add_taint(last, address, y, gain)
                result.swapped_in[y] = result.swapped_in.get(y, 0) + gain
            if any(t_out[address].values()):
                result.swaps.append(SwapTaint(
                    tx_hash, last.block_number, address,
                    {x: -n for (a, x), n in sorted(net.items()) if a == address and n < 0}, bought,
                    {x: t for x, t in sorted(t_out[address].items()) if t}, {y: g for y, g in gains.items() if g},
                    {y: _largest_sender(tx, address, y) for y in bought}))
    result.holdings = {k: t for k, t in sorted(state.taint.items()) if t > 0}
    return result


def _largest_sender(tx: list[LedgerEntry], address: str, asset: str) -> str:
    """The sender of the largest movement of `asset` into `address` in the tx (first on ties)."""
    best: LedgerEntry | None = None
    for e in tx:
        m = e.move
        into = m.asset == asset and _party(m.to_address, asset) == address
        if into and (best is None or m.amount > best.move.amount):
            best = e
    return best.move.from_address if best is not None else ZERO
