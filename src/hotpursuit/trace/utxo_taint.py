"""Taint over the UTXO model (Bitcoin): per transaction, from inputs to outputs. Pure.

The tainted part of each output is an integer number of satoshi. A transaction's inputs, laid end to
end in input order, hold the value `V` with the tainted part `T`; its outputs and then the fee occupy
the same value in output order. With `F(x)` the taint of the first `x` satoshi, output `i` (from
`s` to `e`) gets `F(e) - F(s)` and the fee gets `T - F(sum of outputs)`: differences of one
non-decreasing integer function, so nothing is lost to rounding and outputs + fee = T exactly.
  * haircut: `F(x) = floor(x * T / V)` (every satoshi equally tainted);
  * fifo: `F(x)` = taint of the inputs fully inside the first `x` satoshi, plus
    `floor(part * t / v)` of the input cut at `x` (first in, first out, proportional inside one input);
  * poison: tainted satoshi go first (`F(x) = min(x, T)`), and every output of a transaction with any
    taint is reported as exposed with its whole value.
Outputs to labelled services are endpoints; `seeds` taint chosen outputs directly (a bridge payout).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hotpursuit.trace.account_taint import MODELS, Arrival, Endpoint

Outpoint = tuple[str, int]


@dataclass(frozen=True, slots=True)
class UtxoTx:
    """One transaction: inputs (spent outpoint, value) and outputs (address or None, value)."""

    order: tuple[int, int]  # block, tx index
    tx_hash: str
    inputs: tuple[tuple[Outpoint, int], ...]
    outputs: tuple[tuple[str | None, int], ...]


@dataclass
class UtxoTraceResult:
    """Endpoints, unspent tainted outputs, fees burned and the flow graph."""

    model: str
    seeded: int = 0
    arrivals: dict[str, Arrival] = field(default_factory=dict)
    held: dict[Outpoint, tuple[str | None, int]] = field(default_factory=dict)
    burned: int = 0
    flows: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (from tx, to address, tx) -> taint
    exposure: dict[Outpoint, int] = field(default_factory=dict)


def _prefix_taint(model: str, inputs: list[tuple[int, int]], total: int, tainted: int, x: int) -> int:
    if model == "haircut":
        return x * tainted // total if total else 0
    if model == "poison":
        return min(x, tainted)
    acc = 0
    for value, taint in inputs:
        if x >= value:
            acc += taint
            x -= value
        else:
            return acc + (x * taint // value if value else 0)
    return acc


class UtxoTracer:
    """The UTXO engine, fed block by block (the live watch) or all at once (`trace_utxo`): the same
    result either way, as long as each seed is given before the block holding its output.

    Each live tainted output also keeps its path: the transactions from the seed that tainted it (at
    each step, the most tainted input's path), the evidence a freeze request carries."""

    def __init__(self, *, endpoints: dict[str, Endpoint] | None = None, model: str = "haircut") -> None:
        if model not in MODELS:
            raise ValueError(f"unknown taint model {model!r}; one of {', '.join(MODELS)}")
        self.endpoints = endpoints or {}
        self.model = model
        self.result = UtxoTraceResult(model)
        self.seeds: dict[Outpoint, int] = {}
        self.live: dict[Outpoint, tuple[str | None, int, int]] = {}  # outpoint -> (address, value, taint)
        self.paths: dict[Outpoint, tuple[str, ...]] = {}
        self.arrival_paths: dict[str, tuple[str, ...]] = {}  # endpoint address -> path of its latest arrival

    def seed(self, seeds: dict[Outpoint, int]) -> None:
        """Taint these outputs directly (bridge payouts); an output seeded twice keeps its first seed."""
        for point, taint in seeds.items():
            if point in self.seeds or not taint:
                continue
            self.seeds[point] = taint
            self.result.seeded += taint
            self.live.setdefault(point, (None, 0, taint))  # an output that exists already is live at once
            self.paths.setdefault(point, (point[0],))

    def feed(self, txs: Iterable[UtxoTx]) -> set[str]:
        """Process `txs` (sorted here by chain order); returns the endpoint addresses that got taint."""
        result, live, paths, seeds, model = self.result, self.live, self.paths, self.seeds, self.model
        reached: set[str] = set()
        for tx in sorted(txs, key=lambda t: t.order):
            inputs: list[tuple[int, int]] = []
            best: tuple[str, ...] = ()
            most = 0
            for point, value in tx.inputs:
                taint = live.pop(point, (None, value, 0))[2]
                inputs.append((value, taint))
                path = paths.pop(point, ())
                if taint > most:
                    best, most = path, taint
            total = sum(v for v, _ in inputs)
            tainted = sum(t for _, t in inputs)
            cursor, before = 0, 0
            for index, (address, value) in enumerate(tx.outputs):
                cursor += value
                after = _prefix_taint(model, inputs, total, tainted, cursor) if tainted else 0
                taint = after - before
                before = after
                point = (tx.tx_hash, index)
                path = (*best, tx.tx_hash)
                if point in seeds:
                    taint, path = seeds[point], (tx.tx_hash,)
                if model == "poison" and (taint or tainted):
                    result.exposure[point] = value
                if not taint:
                    continue
                if address is not None:
                    result.flows[(tx.tx_hash, address, tx.tx_hash)] = taint
                    endpoint = self.endpoints.get(address)
                    if endpoint is not None:
                        arrival = result.arrivals.setdefault(
                            address, Arrival(address, "BTC", endpoint, first_block=tx.order[0]))
                        arrival.tainted += taint
                        arrival.txs.append(tx.tx_hash)
                        self.arrival_paths[address] = path
                        reached.add(address)
                        continue
                live[point] = (address, value, taint)
                paths[point] = path
            if tainted:
                result.burned += tainted - before  # the fee's share: T - F(sum of outputs)
        result.held = {p: (a, t) for p, (a, _, t) in live.items() if t}
        return reached


def trace_utxo(txs: Iterable[UtxoTx], seeds: dict[Outpoint, int], *, endpoints: dict[str, Endpoint] | None = None,
               model: str = "haircut") -> UtxoTraceResult:
    """Propagate the taint of `seeds` (outpoint -> tainted satoshi) through `txs` in chain order."""
    tracer = UtxoTracer(endpoints=endpoints, model=model)
    tracer.seed(seeds)
    tracer.feed(txs)
    return tracer.result
