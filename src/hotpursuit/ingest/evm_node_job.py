"""Ingesting EVM blocks from a node: a block range, or following the tip through reorgs."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from hotpursuit.chains.evm_records import EvmBlockBundle
from hotpursuit.errors import IngestError
from hotpursuit.ingest.erc20_logs import TRANSFER_TOPIC, WETH_DEPOSIT_TOPIC, WETH_WITHDRAWAL_TOPIC
from hotpursuit.ingest.evm_mapper import map_block_bundle
from hotpursuit.ingest.router_logs import DEPOSIT_TOPIC, TRANSFER_OUT_AND_CALL_TOPIC, TRANSFER_OUT_TOPIC
from hotpursuit.ingest.rpc_client import JsonRpcClient, RpcMethodMissing
from hotpursuit.ingest.tip_follower import RolledBack, Stored, TipFollower
from hotpursuit.ingest.token_metadata import read_token_metadata
from hotpursuit.store import Store
from hotpursuit.store.checkpoints import get_checkpoint
from hotpursuit.store.evm_tables import (
    known_token_addresses,
    replace_evm_blocks,
    rollback_above,
    stored_block_hash,
)

CHAIN_NAMES = {1: "ethereum", 10: "optimism", 56: "bsc", 137: "polygon", 8453: "base",
               42161: "arbitrum", 31337: "anvil"}
FOLLOW_JOB = "evm-follow"


def chain_name_for(chain_id: int) -> str:
    """The store's chain name for an EIP-155 chain id."""
    return CHAIN_NAMES.get(chain_id, f"evm-{chain_id}")


@dataclass
class IngestStats:
    """What a run stored."""

    blocks: int = 0
    transactions: int = 0
    transfers: int = 0
    tokens: int = 0
    reorgs: int = 0
    blocks_rolled_back: int = 0
    failed_transactions: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, bundles: list[EvmBlockBundle]) -> None:
        """Count a stored chunk."""
        self.blocks += len(bundles)
        for b in bundles:
            self.transactions += len(b.transactions)
            self.failed_transactions += sum(1 for t in b.transactions if t.status == 0)
            self.transfers += len(b.transfers)
            for t in b.transfers:
                self.by_kind[t.kind] = self.by_kind.get(t.kind, 0) + 1


ProgressCallback = Callable[[int, IngestStats], None]


class EvmNodeIngest:
    """Fetches blocks, receipts and traces in JSON-RPC batches and stores them atomically per chunk."""

    def __init__(self, client: JsonRpcClient, store: Store, *, chain: str | None = None,
                 batch_size: int = 50, traces: str = "auto", receipts: bool = True,
                 fetch_ahead: int = 3) -> None:
        self.client = client
        self.store = store
        self.chain = chain or chain_name_for(int(client.call("eth_chainId", []), 16))
        self.batch_size = batch_size
        self.source = f"node:{client.url}"
        self._receipts_method: str | None = None
        self._trace_method: str | None = None if traces == "auto" else traces
        if not receipts and traces == "none":
            raise IngestError("without receipts the traces say which transactions failed: "
                              "--no-receipts needs --traces auto, trace_block or debug_traceBlockByNumber")
        self.receipts = receipts
        self.fetch_ahead = max(1, fetch_ahead)  # chunks fetched concurrently while one is stored
        self._known_tokens = known_token_addresses(store, self.chain)

    # ---- fetching -----------------------------------------------------------------------
    def fetch_chunk(self, first: int, last: int) -> list[EvmBlockBundle]:
        """Blocks `first..last` with receipts (or logs) and internal transfers, mapped to records."""
        numbers = list(range(first, last + 1))
        blocks = self.client.batch([("eth_getBlockByNumber", [hex(n), True]) for n in numbers])
        for n, b in zip(numbers, blocks, strict=True):
            if b is None:
                raise IngestError(f"{self.chain} block {n}: the node does not have it (yet)")
        traces, trace_format = self._fetch_traces(numbers)
        if self.receipts:
            receipts: list[list[dict[str, Any]] | None] = list(self._fetch_receipts(numbers, blocks))
            logs: list[list[dict[str, Any]] | None] = [None] * len(numbers)
        else:
            if traces is None:
                raise IngestError(f"{self.chain}: the node has neither trace_block nor debug_traceBlockByNumber; "
                                  "ingest with receipts")
            receipts = [None] * len(numbers)
            logs = list(self._fetch_logs(first, last))
        return [map_block_bundle(raw, receipts[i], traces[i] if traces else None, self.chain,
                                 trace_format=trace_format, logs=logs[i])
                for i, raw in enumerate(blocks)]

    def _fetch_logs(self, first: int, last: int) -> list[list[dict[str, Any]]]:
        """ERC-20 Transfer and router Deposit logs of blocks `first..last` (one `eth_getLogs`), by block."""
        reply = self.client.call("eth_getLogs", [{"fromBlock": hex(first), "toBlock": hex(last),
                                                  "topics": [[TRANSFER_TOPIC, DEPOSIT_TOPIC, WETH_DEPOSIT_TOPIC,
                                                              WETH_WITHDRAWAL_TOPIC, TRANSFER_OUT_TOPIC,
                                                              TRANSFER_OUT_AND_CALL_TOPIC]]}])
        if not isinstance(reply, list):
            raise IngestError(f"{self.chain} blocks {first}-{last}: eth_getLogs reply is not a list")
        grouped: list[list[dict[str, Any]]] = [[] for _ in range(first, last + 1)]
        for log in reply:
            n = int(log.get("blockNumber") or "0x0", 16) if isinstance(log, dict) else -1
            if not first <= n <= last:
                raise IngestError(f"{self.chain} blocks {first}-{last}: eth_getLogs returned a log "
                                  f"outside the range: {str(log)[:160]}")
            grouped[n - first].append(log)
        return grouped

    def _fetch_receipts(self, numbers: list[int], blocks: list[Any]) -> list[list[dict[str, Any]]]:
        if self._receipts_method in (None, "eth_getBlockReceipts"):
            try:
                out = self.client.batch([("eth_getBlockReceipts", [hex(n)]) for n in numbers])
                self._receipts_method = "eth_getBlockReceipts"
                return [r or [] for r in out]
            except RpcMethodMissing:
                self._receipts_method = "eth_getTransactionReceipt"
        hashes = [[tx["hash"] for tx in b["transactions"]] for b in blocks]
        flat = self.client.batch([("eth_getTransactionReceipt", [h]) for hs in hashes for h in hs])
        out2, i = [], 0
        for hs in hashes:
            out2.append(flat[i: i + len(hs)])
            i += len(hs)
        return out2

    def _fetch_traces(self, numbers: list[int]) -> tuple[list[Any] | None, str]:
        if self._trace_method in (None, "trace_block"):
            try:
                out = self.client.batch([("trace_block", [hex(n)]) for n in numbers])
                self._trace_method = "trace_block"
                return out, "parity"
            except RpcMethodMissing:
                self._trace_method = "debug_traceBlockByNumber"
        if self._trace_method == "debug_traceBlockByNumber":
            out = self.client.batch([
                ("debug_traceBlockByNumber", [hex(n), {"tracer": "callTracer"}]) for n in numbers])
            return out, "calltracer"
        return None, "parity"

    # ---- storing ------------------------------------------------------------------------
    def store_chunk(self, first: int, last: int, bundles: list[EvmBlockBundle], job: str | None) -> None:
        """Write one chunk (and any new tokens' metadata) in one transaction."""
        new_tokens = {t.asset for b in bundles for t in b.transfers if t.kind == "erc20"}
        new_tokens -= self._known_tokens
        tokens = read_token_metadata(self.client, new_tokens, hex(last)) if new_tokens else []
        replace_evm_blocks(self.store, self.chain, first, last, bundles, self.source, job, tokens)
        self._known_tokens |= new_tokens

    # ---- jobs ---------------------------------------------------------------------------
    def ingest_range(self, first: int, last: int, progress: ProgressCallback | None = None) -> IngestStats:
        """Ingest blocks `first..last`; resumes after a crash from the range's own checkpoint."""
        job = f"evm-range:{first}-{last}"
        done = get_checkpoint(self.store, job, self.chain)
        if done is not None and not self._still_canonical(done):
            done = None  # another chain (a restarted devnet) or a reorg: redo the range
        start = done + 1 if done is not None and first <= done else first
        stats = IngestStats()
        chunks = [(a, min(a + self.batch_size - 1, last)) for a in range(start, last + 1, self.batch_size)]
        with ThreadPoolExecutor(max_workers=self.fetch_ahead) as pool:
            pending: deque[Future[list[EvmBlockBundle]]] = deque()
            upcoming = iter(chunks)
            for a, b in chunks:
                while len(pending) < self.fetch_ahead and (nxt := next(upcoming, None)) is not None:
                    pending.append(pool.submit(self.fetch_chunk, *nxt))
                bundles = pending.popleft().result()
                _check_linked(bundles, self.chain)
                self.store_chunk(a, b, bundles, job)
                stats.add(bundles)
                if progress:
                    progress(b - a + 1, stats)
        return stats

    def _still_canonical(self, number: int) -> bool:
        chain = EvmChain(self, None)
        ours = chain.stored_hash(number)
        return ours is not None and ours == chain.node_hash(number)

    def tip(self) -> int:
        """The node's highest block."""
        return int(self.client.call("eth_blockNumber", []), 16)

    def follow(self, start: int | None, *, poll_seconds: float = 0.5, confirmations: int = 0,
               max_reorg_depth: int = 128, should_stop: Callable[[], bool] = lambda: False,
               on_chunk: ProgressCallback | None = None) -> IngestStats:
        """Tail the chain tip until `should_stop()` (from the last block followed, else `start`, else the
        tip); a reorg rolls back to the common ancestor and replays (ingest/tip_follower.py)."""
        stats = IngestStats()
        done = get_checkpoint(self.store, FOLLOW_JOB, self.chain)
        first = done + 1 if done is not None else start if start is not None else self.tip()
        follower = TipFollower(EvmChain(self, FOLLOW_JOB), next_block=first, batch_size=self.batch_size,
                               confirmations=confirmations, max_reorg_depth=max_reorg_depth)

        def count(step: Stored[EvmBlockBundle] | RolledBack) -> None:
            if isinstance(step, RolledBack):
                stats.reorgs += 1
                stats.blocks_rolled_back += step.removed
                return
            stats.add(list(step.blocks))
            if on_chunk:
                on_chunk(step.last - step.first + 1, stats)

        follower.run(should_stop=should_stop, poll_seconds=poll_seconds, on_step=count)
        return stats


class EvmChain:
    """An EVM node and the store as the tip follower needs them; blocks are stored under the checkpoint
    `job` (None: the caller keeps its own checkpoint)."""

    def __init__(self, ingest: EvmNodeIngest, job: str | None) -> None:
        self.ingest, self.job, self.chain = ingest, job, ingest.chain
        self.store_started = 0.0  # perf_counter() when the last store() began (the watch's timing)

    def tip(self) -> int:
        """The node's highest block."""
        return self.ingest.tip()

    def fetch(self, first: int, last: int) -> list[EvmBlockBundle]:
        """Blocks with their transfers."""
        return self.ingest.fetch_chunk(first, last)

    def node_hash(self, number: int) -> str | None:
        """The node's hash of the block."""
        block = self.ingest.client.call("eth_getBlockByNumber", [hex(number), False])
        return None if block is None else str(block.get("hash", "")).lower()

    def stored_hash(self, number: int) -> str | None:
        """The store's hash of the block."""
        return stored_block_hash(self.ingest.store, self.chain, number)

    def store(self, first: int, last: int, blocks: list[EvmBlockBundle]) -> None:
        """Write the blocks (and the checkpoint) in one transaction."""
        self.store_started = time.perf_counter()
        self.ingest.store_chunk(first, last, blocks, self.job)

    def rollback(self, ancestor: int) -> int:
        """Delete the blocks above `ancestor`."""
        return rollback_above(self.ingest.store, self.chain, ancestor, self.job)


def _check_linked(bundles: list[EvmBlockBundle], chain: str) -> None:
    for prev, cur in pairwise(bundles):
        if cur.block.parent_hash != prev.block.hash:
            raise IngestError(
                f"{chain} block {cur.block.number}: parent hash does not match block "
                f"{prev.block.number} (the chain reorganised while fetching)")
