"""The tip follower's reorg logic on random forks (the real nodes' reorgs are in test_crash_and_reorg and
test_bitcoin_watch): whatever sequence of extensions and reorgs the chain goes through, once the follower
has caught up the store holds exactly the node's chain, and every rollback stopped at the real common
ancestor. (The in-memory node stands in for the port, not for a node: the algorithm is what is tested.)"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotpursuit.errors import IngestError
from hotpursuit.ingest.tip_follower import RolledBack, Stored, TipFollower


@dataclass(frozen=True)
class Header:
    number: int
    hash: str
    parent_hash: str


@dataclass(frozen=True)
class Bundle:
    block: Header


class Chains:
    """A node whose chain can be extended or forked, and a store: the follower's two sides."""

    chain = "testnet"

    def __init__(self) -> None:
        self.node: list[Header] = [Header(0, "g", "")]
        self.stored: dict[int, str] = {}
        self.forks = 0

    def extend(self, n: int) -> None:
        for _ in range(n):
            top = self.node[-1]
            self.node.append(Header(top.number + 1, f"{top.hash}.{top.number + 1}", top.hash))

    def fork(self, depth: int, n: int) -> None:
        """Drop the top `depth` blocks and grow `n` others in their place."""
        keep = max(1, len(self.node) - depth)
        self.node = self.node[:keep]
        self.forks += 1
        for _ in range(n):
            top = self.node[-1]
            self.node.append(Header(top.number + 1, f"{top.hash}.f{self.forks}", top.hash))

    def tip(self) -> int:
        return self.node[-1].number

    def fetch(self, first: int, last: int) -> list[Bundle]:
        return [Bundle(h) for h in self.node[first:last + 1]]

    def node_hash(self, number: int) -> str | None:
        return self.node[number].hash if number < len(self.node) else None

    def stored_hash(self, number: int) -> str | None:
        return self.stored.get(number)

    def store(self, first: int, last: int, blocks: list[Bundle]) -> None:
        assert [b.block.number for b in blocks] == list(range(first, last + 1))
        for b in blocks:
            self.stored[b.block.number] = b.block.hash

    def rollback(self, ancestor: int) -> int:
        gone = [n for n in self.stored if n > ancestor]
        for n in gone:
            del self.stored[n]
        return len(gone)


def _catch_up(follower: TipFollower[Bundle], chains: Chains) -> list[RolledBack]:
    reorgs = []
    for _ in range(1000):
        done = follower.step()
        if isinstance(done, RolledBack):
            reorgs.append(done)
        elif done is None and follower.next > chains.tip():
            return reorgs
    raise AssertionError("the follower never caught up")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["extend", "fork"]), st.integers(0, 12), st.integers(1, 12)),
                max_size=12),
       st.integers(1, 7))
def test_after_any_forks_the_store_holds_the_node_s_chain(events: list[tuple[str, int, int]], batch: int) -> None:
    chains = Chains()
    chains.extend(5)
    follower = TipFollower(chains, next_block=0, batch_size=batch, max_reorg_depth=64)
    _catch_up(follower, chains)
    for kind, depth, n in events:
        before = dict(chains.stored)
        if kind == "extend":
            chains.extend(n)
        else:
            chains.fork(depth, n)
            # a reorg shows once the node has a block above the last one stored (as on every follower:
            # the next block's parent is the evidence)
            chains.extend(max(0, max(chains.stored) + 1 - chains.tip()))
        for reorg in _catch_up(follower, chains):
            # the ancestor is the highest block both sides agree on: its successor differed
            assert before.get(reorg.ancestor) == chains.node_hash(reorg.ancestor)
            assert before.get(reorg.ancestor + 1) != chains.node_hash(reorg.ancestor + 1)
        assert chains.stored == {h.number: h.hash for h in chains.node}


def test_a_reorg_deeper_than_allowed_is_an_error_naming_the_chain() -> None:
    chains = Chains()
    chains.extend(30)
    follower = TipFollower(chains, next_block=0, batch_size=10, max_reorg_depth=5)
    _catch_up(follower, chains)
    chains.fork(20, 25)
    with pytest.raises(IngestError, match="testnet: reorg deeper than 5 blocks"):
        _catch_up(follower, chains)
    assert len(chains.stored) == 31  # nothing rolled back on the way to the error


def test_stored_chunks_are_reported_with_their_range() -> None:
    chains = Chains()
    chains.extend(9)
    follower = TipFollower(chains, next_block=3, batch_size=4, confirmations=2)
    first = follower.step()
    assert isinstance(first, Stored) and (first.first, first.last) == (3, 6)
    second = follower.step()
    assert isinstance(second, Stored) and (second.first, second.last) == (7, 7)  # 2 confirmations below tip 9
    assert follower.step() is None
