"""The numpy transfer index selects exactly what a trace needs: the engine on its selection gives the
same endpoints and holders as the engine on the whole graph."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hotpursuit.trace.account_taint import Endpoint, trace_account
from hotpursuit.trace.transfer_index import TransferIndex


@settings(max_examples=200, deadline=None)
@given(st.integers(3, 30).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(1, 50)), min_size=1, max_size=80),
    st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True),
    st.lists(st.integers(0, n - 1), max_size=3, unique=True))), st.integers(1, 4))
def test_selection_gives_the_same_trace_as_the_whole_graph(
        case: tuple[int, list[tuple[int, int, int]], list[int], list[int]], hops: int) -> None:
    n, edges, sources, exchanges = case
    column = [np.array([e[k] for e in edges], dtype=np.int64) for k in range(3)]
    index = TransferIndex(column[0], column[1], np.zeros(len(edges), dtype=np.int64), column[2], n)
    names = [f"a{i}" for i in range(n)]
    endpoints = {names[i]: Endpoint("exchange", "x") for i in exchanges}
    src = np.array(sources, dtype=np.int64)
    kwargs = {"source_addresses": {names[i] for i in sources}, "endpoints": endpoints, "max_hops": hops}
    whole = trace_account(index.movements_of(np.arange(len(edges), dtype=np.int64), names, ["ETH"]), **kwargs)
    picked = index.movement_indexes(index.reachable(src, hops))
    part = trace_account(index.movements_of(picked, names, ["ETH"]), **kwargs)
    assert {k: a.tainted for k, a in part.arrivals.items()} == {k: a.tainted for k, a in whole.arrivals.items()}
    assert part.held == whole.held
