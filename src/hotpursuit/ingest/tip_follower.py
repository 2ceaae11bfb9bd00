"""One chain follower for every chain and every caller (ethereum-etl's `Streamer`, with reorgs): it
fetches the next blocks up to the tip, checks they extend what is stored, stores them, and on a parent
mismatch finds the common ancestor, rolls back above it and goes on from there. `ingest --follow` (EVM
and Bitcoin) and the live watch use it; what differs per chain is a `ChainAdapter`.

The reorg logic lives here once: a chunk whose first block's parent is not the stored block below it
is a reorg (so a reorg shows when the node has a block above the last one stored: no extra request per
poll); a chunk whose blocks do not link among themselves was fetched while the chain moved, and
is fetched again; a reorg deeper than `max_reorg_depth` is an error (re-ingest by hand).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Generic, Protocol, TypeVar

from hotpursuit.errors import IngestError


class BlockHeader(Protocol):
    """What the follower reads of a block."""

    @property
    def number(self) -> int: ...
    @property
    def hash(self) -> str: ...
    @property
    def parent_hash(self) -> str: ...


class HasBlock(Protocol):
    """A fetched block with what it carries (an EVM or a Bitcoin bundle)."""

    @property
    def block(self) -> BlockHeader: ...


B = TypeVar("B", bound=HasBlock)


class ChainAdapter(Protocol[B]):
    """One chain's node (or source) and store, as the follower needs them."""

    chain: str

    def tip(self) -> int:
        """The node's highest block."""

    def fetch(self, first: int, last: int) -> list[B]:
        """Blocks `first..last` from the node, in order."""

    def node_hash(self, number: int) -> str | None:
        """The node's hash of block `number` (None if it has none)."""

    def stored_hash(self, number: int) -> str | None:
        """The store's hash of block `number` (None if not stored)."""

    def store(self, first: int, last: int, blocks: list[B]) -> None:
        """Write blocks `first..last` (and the caller's checkpoint) in one transaction."""

    def rollback(self, ancestor: int) -> int:
        """Delete every stored block above `ancestor`; how many there were."""


@dataclass(frozen=True)
class Stored(Generic[B]):
    """Blocks `first..last` were fetched and stored."""

    first: int
    last: int
    blocks: Sequence[B]


@dataclass(frozen=True)
class RolledBack:
    """A reorg: the stored blocks above `ancestor` (`removed` of them) were orphaned and deleted."""

    ancestor: int
    removed: int


class TipFollower(Generic[B]):
    """Follows one chain's tip through a `ChainAdapter`, `batch_size` blocks at a time, `confirmations`
    blocks behind the tip."""

    def __init__(self, adapter: ChainAdapter[B], *, next_block: int, batch_size: int = 20,
                 confirmations: int = 0, max_reorg_depth: int = 128) -> None:
        self.adapter = adapter
        self.next = next_block
        self.batch_size, self.confirmations, self.max_reorg_depth = batch_size, confirmations, max_reorg_depth
        self._moved = 0  # fetches in a row that found the chain moving under them

    def step(self) -> Stored[B] | RolledBack | None:
        """Store the next chunk, or roll back a reorg; None when there is no new block (or the chain
        moved while fetching: the chunk is fetched again next time)."""
        tip = self.adapter.tip() - self.confirmations
        first = self.next
        if first > tip:
            return None
        last = min(tip, first + self.batch_size - 1)
        blocks = self.adapter.fetch(first, last)
        if not blocks:
            return None
        parent = self.adapter.stored_hash(first - 1) if first > 0 else None
        if parent is not None and blocks[0].block.parent_hash != parent:
            ancestor = self.common_ancestor(first - 1)
            if ancestor < first - 1:
                self._moved = 0
                removed = self.adapter.rollback(ancestor)
                self.next = ancestor + 1
                return RolledBack(ancestor, removed)
            # the node still has our block below, yet the next block's parent is another: it moved
            # between the two requests (or the node contradicts itself; three times in a row is an error)
            self._chain_moved(f"block {first}'s parent {blocks[0].block.parent_hash} is not the "
                              f"node's own block {first - 1} {parent}")
            return None
        for prev, cur in pairwise(blocks):
            if cur.block.parent_hash != prev.block.hash:
                self._chain_moved(f"block {cur.block.number}'s parent is not block "
                                  f"{prev.block.number} {prev.block.hash}")
                return None
        self._moved = 0
        self.adapter.store(first, last, blocks)
        self.next = last + 1
        return Stored(first, last, blocks)

    def _chain_moved(self, why: str) -> None:
        self._moved += 1
        if self._moved >= 3:
            self._moved = 0
            raise IngestError(f"{self.adapter.chain} {why}, three fetches in a row: the node is inconsistent")

    def common_ancestor(self, below: int) -> int:
        """The highest block at or below `below` that the store and the node agree on (or that the
        store does not have)."""
        for n in range(below, max(-1, below - self.max_reorg_depth - 1), -1):
            ours = self.adapter.stored_hash(n)
            if ours is None or ours == self.adapter.node_hash(n):
                return n
        raise IngestError(f"{self.adapter.chain}: reorg deeper than {self.max_reorg_depth} blocks below {below}; "
                          "re-ingest that range by hand")

    def run(self, *, should_stop: Callable[[], bool], poll_seconds: float,
            on_step: Callable[[Stored[B] | RolledBack], None] = lambda _: None) -> None:
        """Step until `should_stop()`, waiting `poll_seconds` whenever there is no new block."""
        while not should_stop():
            done = self.step()
            if done is None:
                time.sleep(poll_seconds)
            else:
                on_step(done)
