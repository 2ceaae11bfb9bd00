"""Property tests: the account-model taint engine against a brute-force reference written here with
exact fractions (no shared code), for all three models, plus conservation on random small graphs."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from hotpursuit.trace.account_taint import Endpoint, Movement, trace_account

VICTIM, SINK = "victim", "exchange"


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[Movement], dict[tuple[str, str], int]]:
    names = [f"a{i}" for i in range(draw(st.integers(2, 5)))]
    opening = {(n, "ETH"): draw(st.integers(0, 30)) for n in names}
    moves = [Movement((0, 0, 0), "theft", VICTIM, names[0], "ETH", draw(st.integers(1, 100)))]
    for k in range(draw(st.integers(1, 25))):
        sender = draw(st.sampled_from(names))
        receiver = draw(st.sampled_from([*names, SINK]))
        moves.append(Movement((1 + k, 0, 0), f"t{k}", sender, receiver, "ETH", draw(st.integers(1, 60))))
    return moves, opening


def _reference(moves: list[Movement], opening: dict[tuple[str, str], int], model: str) -> dict[str, Fraction]:
    """Exact taint per final place (endpoint or holder), by unit-free fractions."""
    bal: dict[str, Fraction] = defaultdict(Fraction)
    tnt: dict[str, Fraction] = defaultdict(Fraction)
    lots: dict[str, list[list[Fraction]]] = defaultdict(list)
    for (a, _), v in opening.items():
        bal[a] += v
        if v:
            lots[a].append([Fraction(v), Fraction(0)])
    at_sink = Fraction(0)
    for m in moves:
        if m.tx_hash == "theft":
            moved = Fraction(m.amount)
        else:
            if m.amount > bal[m.sender]:
                lots[m.sender].insert(0, [m.amount - bal[m.sender], Fraction(0)])
                bal[m.sender] = Fraction(m.amount)
            if model == "haircut":
                moved = m.amount * tnt[m.sender] / bal[m.sender]
            elif model == "poison":
                moved = min(Fraction(m.amount), tnt[m.sender])
            else:
                moved, need = Fraction(0), Fraction(m.amount)
                while need:
                    lot = lots[m.sender][0]
                    take = min(need, lot[0])
                    part = take * lot[1] / lot[0]
                    moved += part
                    lot[0] -= take
                    lot[1] -= part
                    need -= take
                    if lot[0] == 0:
                        lots[m.sender].pop(0)
            bal[m.sender] -= m.amount
            tnt[m.sender] -= moved
        if m.receiver == SINK:
            at_sink += moved
            continue
        bal[m.receiver] += m.amount
        tnt[m.receiver] += moved
        lots[m.receiver].append([Fraction(m.amount), moved])
    places = {a: t for a, t in tnt.items() if t > 0 and a != VICTIM}
    places[SINK] = at_sink
    return places


@settings(max_examples=400, deadline=None)
@given(graphs(), st.sampled_from(["haircut", "fifo", "poison"]))
def test_engine_matches_exact_reference_within_one_unit_per_movement(
        graph: tuple[list[Movement], dict[tuple[str, str], int]], model: str) -> None:
    moves, opening = graph
    result = trace_account(moves, theft_txs={"theft"}, endpoints={SINK: Endpoint("exchange", "X")},
                           model=model, opening=opening)
    want = _reference(moves, opening, model)
    got = {a: v for (a, _), v in result.held.items()}
    got[SINK] = result.arrivals[(SINK, "ETH")].tainted if (SINK, "ETH") in result.arrivals else 0
    tolerance = 0 if model == "poison" else len(moves)  # integer floors lose < 1 unit per movement
    for place in set(want) | set(got):
        assert abs(got.get(place, 0) - want.get(place, Fraction(0))) <= tolerance, (place, model)
    # conservation, exactly: stolen = at endpoints + still held
    assert result.stolen["ETH"] == result.at_endpoints("ETH") + sum(result.held.values())
    # nothing leaves an address tainted beyond what entered it
    inflow: dict[str, int] = defaultdict(int)
    outflow: dict[str, int] = defaultdict(int)
    for (src, dst, _, tx), amount in result.flows.items():
        outflow[src] += amount if tx != "theft" else 0
        inflow[dst] += amount
    assert all(outflow[a] <= inflow[a] for a in outflow)


def test_poison_reports_full_exposure_and_hop_limit_stops() -> None:
    moves = [Movement((0, 0, 0), "theft", VICTIM, "a", "ETH", 10),
             Movement((1, 0, 0), "t1", "x", "a", "ETH", 90),
             Movement((2, 0, 0), "t2", "a", "b", "ETH", 50),
             Movement((3, 0, 0), "t3", "b", SINK, "ETH", 50)]
    poison = trace_account(moves, theft_txs={"theft"}, endpoints={SINK: Endpoint("exchange", "X")}, model="poison")
    arrival = poison.arrivals[(SINK, "ETH")]
    assert (arrival.tainted, arrival.exposure) == (10, 50)
    limited = trace_account(moves, theft_txs={"theft"}, endpoints={SINK: Endpoint("exchange", "X")}, max_hops=1)
    assert limited.arrivals[("b", "ETH")].endpoint.kind == "hop limit"
    assert limited.arrivals[("b", "ETH")].tainted == 5  # haircut: 50 * 10 / 100


@settings(max_examples=200, deadline=None)
@given(graphs(), st.sampled_from(["haircut", "fifo", "poison"]), st.integers(1, 6))
def test_feeding_block_by_block_equals_one_trace(
        graph: tuple[list[Movement], dict[tuple[str, str], int]], model: str, chunk: int) -> None:
    """The live watch feeds each new block to a kept tracer: the same result as tracing all at once."""
    from hotpursuit.trace.account_taint import AccountTracer

    moves, opening = graph
    endpoints = {SINK: Endpoint("exchange", "X")}
    whole = trace_account(moves, theft_txs={"theft"}, endpoints=endpoints, model=model, opening=opening)
    tracer = AccountTracer(theft_txs={"theft"}, endpoints=endpoints, model=model, opening=opening)
    for i in range(0, len(moves), chunk):
        tracer.feed(moves[i:i + chunk])
    live = tracer.finish()
    assert (live.held, live.arrivals, live.flows, live.stolen) == (whole.held, whole.arrivals, whole.flows,
                                                                   whole.stolen)


def _scanned_path(flows: dict[tuple[str, str, str, str], int], address: str) -> list[dict[str, str]]:
    """The evidence path by scanning every flow (the engine keeps each address's best inflow instead)."""
    into: dict[str, list[tuple[int, str, str, str]]] = {}
    for (src, dst, a, tx), amount in flows.items():
        into.setdefault(dst, []).append((amount, src, a, tx))
    path, seen, node = [], {address}, address
    while node in into and len(path) < 64:
        amount, src, a, tx = max(into[node])
        path.append({"from": src, "to": node, "asset": a, "tx": tx, "tainted": str(amount)})
        if src in seen:
            break
        seen.add(src)
        node = src
    return path[::-1]


@settings(max_examples=200, deadline=None)
@given(graphs(), st.sampled_from(["haircut", "fifo", "poison"]), st.integers(1, 6))
def test_kept_best_inflows_give_the_same_evidence_path_as_a_scan(
        graph: tuple[list[Movement], dict[tuple[str, str], int]], model: str, chunk: int) -> None:
    from hotpursuit.trace.account_taint import AccountTracer, evidence_path

    moves, opening = graph
    tracer = AccountTracer(theft_txs={"theft"}, endpoints={SINK: Endpoint("exchange", "X")}, model=model,
                           opening=opening)
    for i in range(0, len(moves), chunk):
        tracer.feed(moves[i:i + chunk])
    result = tracer.finish()
    for address in {dst for (_, dst, _, _) in result.flows}:
        assert evidence_path(result, address, "ETH") == _scanned_path(result.flows, address)
