"""An in-memory index of transfers (numpy) that finds the part of a large graph a trace can touch. Pure.

Transfers are held as parallel arrays in chain order, with CSR indexes by sender and by receiver.
`reachable` walks forward in time, hop by hop: from each tainted address, only transfers after the
moment it first received taint count, and each hop is one vectorised step over the frontier. The
trace then needs every transfer of the reached addresses (their clean receipts set the haircut
denominators), which `movements_of` returns in chain order for the exact engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hotpursuit.trace.movement import Movement

Ints = npt.NDArray[np.int64]


def _csr(keys: Ints, n: int) -> tuple[Ints, Ints]:
    order = np.argsort(keys, kind="stable").astype(np.int64)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=starts[1:])
    return order, starts


def _gather(order: Ints, starts: Ints, nodes: Ints) -> tuple[Ints, Ints]:
    """(edge indexes, owning node per edge) of all edges of `nodes` in a CSR index."""
    lo, hi = starts[nodes], starts[nodes + 1]
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    owner = np.repeat(nodes, counts)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return order[np.repeat(lo, counts) + offsets], owner


@dataclass
class TransferIndex:
    """Transfers in chain order: position = time; sender, receiver, asset ids; amounts."""

    sender: Ints
    receiver: Ints
    asset: Ints
    amount: Ints
    n_addresses: int

    def __post_init__(self) -> None:
        self.out_order, self.out_starts = _csr(self.sender, self.n_addresses)
        self.in_order, self.in_starts = _csr(self.receiver, self.n_addresses)

    def reachable(self, sources: Ints, max_hops: int, start: int = 0) -> Ints:
        """Addresses taint can reach from `sources` within `max_hops`, moving forward in time."""
        first = np.full(self.n_addresses, np.iinfo(np.int64).max, dtype=np.int64)  # first tainted moment
        first[sources] = start
        frontier = np.unique(sources)
        for _ in range(max_hops):
            edges, owner = _gather(self.out_order, self.out_starts, frontier)
            later = edges >= first[owner]
            edges = edges[later]
            if edges.size == 0:
                break
            receivers = self.receiver[edges]
            before = first[receivers].copy()
            np.minimum.at(first, receivers, edges)
            improved = np.unique(receivers[first[receivers] < before])
            frontier = improved
            if frontier.size == 0:
                break
        return np.flatnonzero(first != np.iinfo(np.int64).max)

    def movement_indexes(self, addresses: Ints) -> Ints:
        """Every transfer sent or received by `addresses`, in chain order."""
        out_edges, _ = _gather(self.out_order, self.out_starts, addresses)
        in_edges, _ = _gather(self.in_order, self.in_starts, addresses)
        return np.unique(np.concatenate([out_edges, in_edges]))

    def movements_of(self, indexes: Ints, names: list[str], assets: list[str]) -> list[Movement]:
        """Movement records for the engine (order = position in the index)."""
        s, r, a, v = self.sender[indexes], self.receiver[indexes], self.asset[indexes], self.amount[indexes]
        return [Movement((int(i), 0, 0), f"t{int(i)}", names[int(x)], names[int(y)], assets[int(z)], int(w))
                for i, x, y, z, w in zip(indexes.tolist(), s.tolist(), r.tolist(), a.tolist(), v.tolist(),
                                         strict=True)]
