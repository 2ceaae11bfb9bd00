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
        ours = stored_block_hash(self.store, self.chain, number)
        theirs = self.client.call("eth_getBlockByNumber", [hex(number), False])
        return ours is not None and theirs is not None and str(theirs.get("hash", "")).lower() == ours

    def follow(self, start: int | None, *, poll_seconds: float = 0.5, confirmations: int = 0,
               max_reorg_depth: int = 128, should_stop: Callable[[], bool] = lambda: False,
               on_chunk: ProgressCallback | None = None) -> IngestStats:
        """Tail the chain tip until `should_stop()`; a parent-hash mismatch rolls back and replays."""
        stats = IngestStats()
        done = get_checkpoint(self.store, FOLLOW_JOB, self.chain)
        if done is not None:
            nxt = done + 1
        elif start is not None:
            nxt = start
        else:
            nxt = int(self.client.call("eth_blockNumber", []), 16)
        while not should_stop():
            tip = int(self.client.call("eth_blockNumber", []), 16) - confirmations
            if nxt > tip:
                time.sleep(poll_seconds)
                continue
            last = min(tip, nxt + self.batch_size - 1)
            bundles = self.fetch_chunk(nxt, last)
            parent = stored_block_hash(self.store, self.chain, nxt - 1) if nxt > 0 else None
            if parent is not None and bundles[0].block.parent_hash != parent:
                ancestor = self.find_common_ancestor(nxt - 1, max_reorg_depth)
                removed = rollback_above(self.store, self.chain, ancestor, FOLLOW_JOB)
                stats.reorgs += 1
                stats.blocks_rolled_back += removed
                nxt = ancestor + 1
                continue
            try:
                _check_linked(bundles, self.chain)
            except IngestError:
                continue  # the chain moved while we fetched: fetch the chunk again
            self.store_chunk(nxt, last, bundles, FOLLOW_JOB)
            stats.add(bundles)
            if on_chunk:
                on_chunk(last - nxt + 1, stats)
            nxt = last + 1
        return stats

    def find_common_ancestor(self, below: int, max_depth: int) -> int:
        """The highest block at or below `below` whose stored hash the node still has."""
        for n in range(below, max(-1, below - max_depth - 1), -1):
            ours = stored_block_hash(self.store, self.chain, n)
            if ours is None:
                return n
            theirs = self.client.call("eth_getBlockByNumber", [hex(n), False])
            if theirs is not None and str(theirs.get("hash", "")).lower() == ours:
                return n
        raise IngestError(f"{self.chain}: reorg deeper than {max_depth} blocks below {below}")


def _check_linked(bundles: list[EvmBlockBundle], chain: str) -> None:
    for prev, cur in pairwise(bundles):
        if cur.block.parent_hash != prev.block.hash:
            raise IngestError(
                f"{chain} block {cur.block.number}: parent hash does not match block "
                f"{prev.block.number} (the chain reorganised while fetching)")
