"""The vectorised union-find against scipy's connected components, batch and incremental."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from hotpursuit.cluster.union_find import UnionFind


def _scipy_roots(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(u.size, dtype=np.int8), (u, v)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # name each component by its smallest id, as UnionFind does
    smallest = np.full(labels.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(n))
    return smallest[labels]


graphs = st.integers(1, 60).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=120)))


@settings(max_examples=300, deadline=None)
@given(graphs, st.integers(0, 120))
def test_same_components_as_scipy_batch_and_incremental(graph: tuple[int, list[tuple[int, int]]], cut: int) -> None:
    n, edges = graph
    u = np.array([a for a, _ in edges], dtype=np.int64)
    v = np.array([b for _, b in edges], dtype=np.int64)
    want = _scipy_roots(n, u, v)
    batch = UnionFind(n)
    merges = batch.union(u, v)
    assert np.array_equal(batch.roots(), want)
    assert merges == n - batch.component_count()
    step = UnionFind(n)  # the same edges in two arrivals (a new block merges, nothing recomputed)
    step.union(u[:cut], v[:cut])
    step.union(u[cut:], v[cut:])
    assert np.array_equal(step.roots(), want)


def test_grows_for_new_ids_and_keeps_smallest_id_as_root() -> None:
    uf = UnionFind(3)
    uf.union(np.array([2]), np.array([1]))
    uf.union(np.array([7]), np.array([2]))  # id 7 arrives later
    assert uf.size == 8
    assert uf.roots(np.array([1, 2, 7, 5])).tolist() == [1, 1, 1, 5]
