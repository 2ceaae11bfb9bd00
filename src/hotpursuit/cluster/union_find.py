"""A vectorised union-find over integer ids (numpy), incremental: new edges merge the existing forest.

Algorithm (hook and compress, all array operations): keep every id pointing straight at its root.
Each round looks up both ends' roots, drops edges already inside one component, hooks each larger
root under the smaller one (`parent[hi] = lo`; when one root is hooked several times in a round one
write wins and the other edges wait for the next round), then compresses by pointer jumping
(`parent = parent[parent]`) until every id points at a root again. Roots only ever point to smaller
ids, so no cycle can form; every round with a crossing edge makes at least one hook, so it ends.
The root of a component is its smallest id, which keeps cluster ids stable as clusters grow.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IdArray = npt.NDArray[np.int64]


class UnionFind:
    """Components over ids 0..n-1; `union` merges, `roots` answers, `grow` makes room for new ids."""

    def __init__(self, n: int = 0, parent: IdArray | None = None) -> None:
        self.parent: IdArray = np.arange(n, dtype=np.int64) if parent is None else parent.astype(np.int64)
        self.rounds = 0

    @property
    def size(self) -> int:
        """How many ids there are."""
        return int(self.parent.size)

    def grow(self, n: int) -> None:
        """Make room for ids up to n-1 (new ids start as singletons)."""
        if n > self.size:
            self.parent = np.concatenate([self.parent, np.arange(self.size, n, dtype=np.int64)])

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
        ru, rv = p[u], p[v]
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
