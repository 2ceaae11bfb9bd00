"""A vectorised union-find over integer ids (numpy), incremental: new edges merge the existing forest.

Algorithm (hook and compress, all array operations): keep every id pointing straight at its root.
Each round looks up both ends' roots, drops edges already inside one component, hooks each larger
root under the smaller one (`parent[hi] = lo`; when one root is hooked several times in a round one
write wins and the other edges wait for the next round), then compresses by pointer jumping
(`parent = parent[parent]`) until every id points at a root again. Roots only ever point to smaller
ids, so no cycle can form; every round with a crossing edge makes at least one hook, so it ends.
The root of a component is its smallest id, which keeps cluster ids stable as clusters grow.
Ids are held as int32 while they fit (half the memory traffic of int64 for the random gathers that
dominate the run), and widened to int64 beyond 2^31 ids.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IdArray = npt.NDArray[np.int64] | npt.NDArray[np.int32]
INT32_LIMIT = 2**31 - 1


def _dtype_for(n: int) -> type[np.int32] | type[np.int64]:
    return np.int32 if n <= INT32_LIMIT else np.int64


class UnionFind:
    """Components over ids 0..n-1; `union` merges, `roots` answers, `grow` makes room for new ids."""

    def __init__(self, n: int = 0, parent: IdArray | None = None) -> None:
        size = n if parent is None else parent.size
        start = np.arange(n) if parent is None else parent
        self.parent: IdArray = start.astype(np.int32) if _dtype_for(size) is np.int32 else start.astype(np.int64)
        self.rounds = 0

    @property
    def size(self) -> int:
        """How many ids there are."""
        return int(self.parent.size)

    def grow(self, n: int) -> None:
        """Make room for ids up to n-1 (new ids start as singletons)."""
        if n > self.size:
            dtype = _dtype_for(n)
            self.parent = np.concatenate([self.parent.astype(dtype, copy=False),
                                          np.arange(self.size, n, dtype=dtype)])

    def union(self, u: IdArray, v: IdArray) -> int:
        """Merge the components of each pair (u[i], v[i]); returns how many merges happened."""
        if u.shape != v.shape:
            raise ValueError("edge arrays differ in length")
        if u.size == 0:
            return 0
        top = int(max(u.max(), v.max())) + 1
        self.grow(top)
        before = self.component_count()
        p = self.parent
        dtype = p.dtype
        ru, rv = p[u.astype(dtype, copy=False)], p[v.astype(dtype, copy=False)]
        while True:
            cross = ru != rv
            if not cross.any():
                break
            ru, rv = ru[cross], rv[cross]
            hi, lo = np.maximum(ru, rv), np.minimum(ru, rv)
            p[hi] = lo
            p = _compress(p)
            ru, rv = p[ru], p[rv]
            self.rounds += 1
        self.parent = p
        return before - self.component_count()

    def roots(self, ids: IdArray | None = None) -> IdArray:
        """The root (smallest id) of each id's component."""
        return self.parent if ids is None else self.parent[ids]

    def component_count(self) -> int:
        """How many components (singletons included)."""
        return int(np.count_nonzero(self.parent == np.arange(self.size)))


def _compress(p: IdArray) -> IdArray:
    """Pointer jumping until every id points at a root."""
    while True:
        q = p[p]
        if np.array_equal(q, p):
            return p
        p = q
