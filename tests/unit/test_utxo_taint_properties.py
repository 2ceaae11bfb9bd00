"""Property tests: the UTXO taint engine against a satoshi-by-satoshi reference written here, and
exact conservation (outputs + fee = what entered) for all three models."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from hotpursuit.trace.utxo_taint import UtxoTx, trace_utxo


@st.composite
def chains(draw: st.DrawFn) -> tuple[list[UtxoTx], dict[tuple[str, int], int]]:
    """A seed transaction's outputs, then transactions spending random unspent outputs."""
    unspent = [(("seed", i), draw(st.integers(1, 40))) for i in range(draw(st.integers(1, 4)))]
    seeds = {p: draw(st.integers(0, v)) for p, v in unspent}
    txs = []
    for k in range(draw(st.integers(1, 8))):
        if not unspent:
            break
        take = draw(st.lists(st.sampled_from(range(len(unspent))), min_size=1, max_size=3, unique=True))
        ins = tuple(unspent[i] for i in sorted(take))
        unspent = [u for i, u in enumerate(unspent) if i not in take]
        total = sum(v for _, v in ins)
        fee = draw(st.integers(0, total - 1))
        cuts = sorted(draw(st.lists(st.integers(1, max(1, total - fee)), max_size=2)))
        edges = [0, *[c for c in cuts if c < total - fee], total - fee]
        outs = tuple((f"addr{k}-{j}", b - a) for j, (a, b) in enumerate(itertools.pairwise(edges)) if b > a)
        tx = UtxoTx((k + 1, 0), f"tx{k}", ins, outs)
        txs.append(tx)
        unspent += [((tx.tx_hash, j), v) for j, (_, v) in enumerate(outs)]
    return txs, seeds


def _reference_fifo_haircut(txs: list[UtxoTx], seeds: dict[tuple[str, int], int], model: str) -> dict[str, Fraction]:
    taint: dict[tuple[str, int], Fraction] = {p: Fraction(t) for p, t in seeds.items()}
    for tx in txs:
        ins = [(v, taint.pop(p, Fraction(0))) for p, v in tx.inputs]
        total, tainted = sum(v for v, _ in ins), sum(t for _, t in ins)
        # per-satoshi density: haircut spreads evenly; fifo keeps each input's density in place
        density = [tainted / total] * total if model == "haircut" else [t / v for v, t in ins for _ in range(v)]
        pos = 0
        for j, (_, value) in enumerate(tx.outputs):
            taint[(tx.tx_hash, j)] = sum(density[pos:pos + value], Fraction(0))
            pos += value
    out: dict[str, Fraction] = {}
    for (h, j), t in taint.items():
        if h != "seed":
            out[f"{h}:{j}"] = t
    return out


@settings(max_examples=300, deadline=None)
@given(chains(), st.sampled_from(["haircut", "fifo", "poison"]))
def test_utxo_engine_conserves_and_matches_the_per_satoshi_reference(
        chain: tuple[list[UtxoTx], dict[tuple[str, int], int]], model: str) -> None:
    txs, seeds = chain
    result = trace_utxo(txs, seeds, model=model)
    held_seeds = sum(t for p, t in seeds.items() if not any(p == q for tx in txs for q, _ in tx.inputs))
    held = sum(t for (h, _), (_, t) in result.held.items() if h != "seed")
    assert result.seeded == held + result.burned + held_seeds  # exact: outputs + fees = what entered
    if model == "poison":
        return
    want = _reference_fifo_haircut(txs, seeds, model)
    got = {f"{h}:{j}": t for (h, j), (_, t) in result.held.items()}
    for place, exact in want.items():
        assert abs(got.get(place, 0) - exact) < len(txs) + 1, (place, model)


@given(chains(), st.sampled_from(["haircut", "fifo", "poison"]), st.integers(1, 4))
@settings(max_examples=200, deadline=None)
def test_utxo_tracer_fed_tx_by_tx_equals_one_trace(chain: tuple[list[UtxoTx], dict[tuple[str, int], int]],
                                                   model: str, step: int) -> None:
    """The live watch's form of the engine, fed a few transactions at a time, ends where one trace ends."""
    from hotpursuit.trace.utxo_taint import UtxoTracer

    txs, seeds = chain
    whole = trace_utxo(txs, seeds, model=model)
    tracer = UtxoTracer(model=model)
    tracer.seed(seeds)
    ordered = sorted(txs, key=lambda t: t.order)
    for i in range(0, len(ordered), step):
        tracer.feed(ordered[i:i + step])
    part = tracer.result
    assert (part.held, part.burned, part.flows, part.exposure, part.seeded) == (
        whole.held, whole.burned, whole.flows, whole.exposure, whole.seeded)
