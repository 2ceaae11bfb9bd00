"""Ingesting Bitcoin blocks from Bitcoin Core JSON-RPC or an Esplora REST API: a range, or the tip.

Both sources yield serialised blocks that go through the same decoder as raw files, so the rows are
identical whatever the source. Core: `getblockhash` + `getblock <hash> 3` (prevouts included;
falls back to verbosity 2 on older nodes), the block rebuilt from the reply's header fields and tx
hex, its hash checked. Esplora: `/block-height/:h`, `/block/:hash/raw`, and `/block/:hash/txs/:i`
pages for prevouts the store does not have. Ranges are stored atomically per chunk with a checkpoint;
follow mode checks each block's parent hash and rolls back to the common ancestor on a reorg.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

import httpx

from hotpursuit.chains.btc_address import MAINNET, BtcNetwork
from hotpursuit.chains.btc_block import DecodedBlock, decode_block, raw_block_from_core_json
from hotpursuit.chains.btc_script import classify_output_script
from hotpursuit.chains.utxo_records import Outpoint, Prevout
from hotpursuit.errors import IngestError, RpcError
from hotpursuit.ingest.bitcoin_source import UtxoIngestStats, bundles_for_chunk, store_chunk
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.ingest.tip_follower import RolledBack, Stored, TipFollower
from hotpursuit.store.checkpoints import get_checkpoint
from hotpursuit.store.database import Store
from hotpursuit.store.utxo_tables import rollback_utxo_above, stored_block_hash

FOLLOW_JOB = "btc-follow"
SATS = Decimal(100_000_000)

Fetched = tuple[list[tuple[int, DecodedBlock]], dict[Outpoint, Prevout]]


class BitcoinSource(Protocol):
    """What ingest needs from a Bitcoin data source."""

    url: str

    def tip(self) -> int: ...
    def block_hash(self, height: int) -> str | None: ...
    def fetch(self, first: int, last: int) -> Fetched: ...
    def prevouts(self, decoded: DecodedBlock) -> dict[Outpoint, Prevout]: ...


def core_auth(user: str | None, password: str | None, cookie: Path | None) -> tuple[str, str] | None:
    """Credentials from user/password or Core's `.cookie` file (`__cookie__:<secret>`)."""
    if cookie is not None:
        try:
            name, _, secret = cookie.read_text().strip().partition(":")
        except OSError as exc:
            raise IngestError(f"{cookie}: cannot read the RPC cookie ({exc.strerror})") from exc
        if not secret:
            raise IngestError(f"{cookie}: not a Core cookie file (want user:secret)")
        return name, secret
    if user is not None:
        return user, password or ""
    return None


class CoreRpcSource:
    """Bitcoin Core JSON-RPC."""

    def __init__(self, url: str, auth: tuple[str, str] | None = None, network: BtcNetwork = MAINNET) -> None:
        self.url = url
        self.client = JsonRpcClient(url, auth=auth, decimal_floats=True)
        self.network = network
        self.verbosity = 3

    def tip(self) -> int:
        return int(self.client.call("getblockcount", []))

    def block_hash(self, height: int) -> str | None:
        try:
            return str(self.client.call("getblockhash", [height]))
        except RpcError:
            return None

    def fetch(self, first: int, last: int) -> Fetched:
        hashes = self.client.batch([("getblockhash", [h]) for h in range(first, last + 1)])
        try:
            replies = self.client.batch([("getblock", [h, self.verbosity]) for h in hashes])
        except RpcError as exc:
            if self.verbosity != 3 or "erbosity" not in str(exc):
                raise
            self.verbosity = 2  # Core before v25: prevouts come from the store
            replies = self.client.batch([("getblock", [h, 2]) for h in hashes])
        blocks, prevouts = [], {}
        for height, block_hash, reply in zip(range(first, last + 1), hashes, replies, strict=True):
            where = f"bitcoin block {height} {block_hash}"
            if not isinstance(reply, dict) or reply.get("hash") != block_hash or reply.get("height") != height:
                raise IngestError(f"{where}: getblock reply is for another block or malformed")
            try:
                raw = raw_block_from_core_json(reply)
            except (KeyError, TypeError, ValueError) as exc:
                raise IngestError(f"{where}: getblock reply lacks a field ({exc})") from exc
            blocks.append((height, decode_block(raw, where=where)))
            prevouts.update(self._reply_prevouts(reply, where))
        return blocks, prevouts

    def _reply_prevouts(self, reply: dict[str, Any], where: str) -> dict[Outpoint, Prevout]:
        out = {}
        for tx in reply["tx"]:
            for vin in tx.get("vin", []):
                prev = vin.get("prevout")
                if prev is None or "txid" not in vin:
                    continue
                value = Decimal(prev["value"]) * SATS
                if value != value.to_integral_value():
                    raise IngestError(f"{where}: prevout value {prev['value']} is not whole satoshis")
                script = bytes.fromhex(prev["scriptPubKey"]["hex"])
                out[(str(vin["txid"]), int(vin["vout"]))] = Prevout(
                    classify_output_script(script, self.network).address, int(value))
        return out

    def prevouts(self, decoded: DecodedBlock) -> dict[Outpoint, Prevout]:
        return {}  # verbosity 3 already carried them; with 2 the store must have them


class EsploraSource:
    """An Esplora REST API (the one public block explorers expose)."""

    def __init__(self, url: str, network: BtcNetwork = MAINNET, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(timeout=timeout)
        self.network = network

    def _get(self, path: str) -> httpx.Response:
        try:
            response = self.http.get(self.url + path)
        except httpx.TransportError as exc:
            raise RpcError(f"{self.url}{path}: unreachable: {exc}") from exc
        if response.status_code != 200:
            raise RpcError(f"{self.url}{path}: HTTP {response.status_code}: {response.text[:200]}")
        return response

    def tip(self) -> int:
        return int(self._get("/blocks/tip/height").text)

    def block_hash(self, height: int) -> str | None:
        try:
            return self._get(f"/block-height/{height}").text.strip()
        except RpcError:
            return None

    def fetch(self, first: int, last: int) -> Fetched:
        blocks = []
        for height in range(first, last + 1):
            block_hash = self._get(f"/block-height/{height}").text.strip()
            where = f"bitcoin block {height} {block_hash}"
            decoded = decode_block(self._get(f"/block/{block_hash}/raw").content, where=where)
            if decoded.hash != block_hash:
                raise IngestError(f"{where}: the raw block hashes to {decoded.hash}")
            blocks.append((height, decoded))
        return blocks, {}

    def prevouts(self, decoded: DecodedBlock) -> dict[Outpoint, Prevout]:
        out: dict[Outpoint, Prevout] = {}
        for start in range(0, len(decoded.transactions), 25):
            for tx in self._get(f"/block/{decoded.hash}/txs/{start}").json():
                for vin in tx["vin"]:
                    prev = vin.get("prevout")
                    if vin.get("is_coinbase") or prev is None:
                        continue
                    script = bytes.fromhex(prev["scriptpubkey"])
                    out[(str(vin["txid"]), int(vin["vout"]))] = Prevout(
                        classify_output_script(script, self.network).address, int(prev["value"]))
        return out


ProgressCallback = Callable[[int, UtxoIngestStats], None]


class BitcoinIngest:
    """Range and follow ingest from one source into the store."""

    def __init__(self, source: BitcoinSource, store: Store, *, chain: str = "bitcoin", batch_size: int = 20,
                 network: BtcNetwork = MAINNET) -> None:
        self.source = source
        self.store = store
        self.chain = chain
        self.batch_size = batch_size
        self.network = network

    def fetch_bundles(self, first: int, last: int) -> list[Any]:
        blocks, prevouts = self.source.fetch(first, last)
        try:
            return bundles_for_chunk(self.store, self.chain, blocks, prevouts, self.network)
        except IngestError:
            for _, decoded in blocks:  # ask the source for the prevouts the store lacks
                prevouts.update(self.source.prevouts(decoded))
            return bundles_for_chunk(self.store, self.chain, blocks, prevouts, self.network)

    def ingest_range(self, first: int, last: int, progress: ProgressCallback | None = None) -> UtxoIngestStats:
        """Ingest heights `first..last`; resumes after a crash from the range's checkpoint."""
        job = f"btc-range:{first}-{last}"
        done = get_checkpoint(self.store, job, self.chain)
        start = done + 1 if done is not None and first <= done else first
        stats = UtxoIngestStats()
        for a in range(start, last + 1, self.batch_size):
            b = min(a + self.batch_size - 1, last)
            bundles = self.fetch_bundles(a, b)
            _check_linked(bundles, self.chain)
            store_chunk(self.store, self.chain, bundles, f"node:{self.source.url}", job, stats)
            if progress:
                progress(b - a + 1, stats)
        return stats

    def follow(self, start: int | None, *, poll_seconds: float = 1.0, max_reorg_depth: int = 100,
               should_stop: Callable[[], bool] = lambda: False,
               on_chunk: ProgressCallback | None = None) -> UtxoIngestStats:
        """Tail the tip until `should_stop()` (from the last height followed, else `start`, else the tip);
        a reorg rolls back to the common ancestor (ingest/tip_follower.py)."""
        stats = UtxoIngestStats()
        done = get_checkpoint(self.store, FOLLOW_JOB, self.chain)
        first = done + 1 if done is not None else (start if start is not None else self.source.tip())
        follower = TipFollower(BitcoinChain(self, FOLLOW_JOB, stats), next_block=first, batch_size=self.batch_size,
                               max_reorg_depth=max_reorg_depth)

        def count(step: Stored[Any] | RolledBack) -> None:
            if isinstance(step, RolledBack):
                stats.reorgs += 1
                stats.blocks_rolled_back += step.removed
            elif on_chunk:
                on_chunk(step.last - step.first + 1, stats)

        follower.run(should_stop=should_stop, poll_seconds=poll_seconds, on_step=count)
        return stats


class BitcoinChain:
    """A Bitcoin source and the store as the tip follower needs them; blocks are stored under the
    checkpoint `job`, counted in `stats`."""

    def __init__(self, ingest: BitcoinIngest, job: str, stats: UtxoIngestStats) -> None:
        self.ingest, self.job, self.stats, self.chain = ingest, job, stats, ingest.chain

    def tip(self) -> int:
        """The source's highest block."""
        return self.ingest.source.tip()

    def fetch(self, first: int, last: int) -> list[Any]:
        """Blocks with their spent outputs resolved."""
        return self.ingest.fetch_bundles(first, last)

    def node_hash(self, number: int) -> str | None:
        """The source's hash at that height."""
        return self.ingest.source.block_hash(number)

    def stored_hash(self, number: int) -> str | None:
        """The store's hash at that height."""
        return stored_block_hash(self.ingest.store, self.chain, number)

    def store(self, first: int, last: int, blocks: list[Any]) -> None:
        """Write the blocks and the checkpoint in one transaction."""
        store_chunk(self.ingest.store, self.chain, blocks, f"node:{self.ingest.source.url}", self.job, self.stats)

    def rollback(self, ancestor: int) -> int:
        """Delete the blocks above `ancestor`."""
        return rollback_utxo_above(self.ingest.store, self.chain, ancestor, self.job)


def _check_linked(bundles: list[Any], chain: str) -> None:
    for prev, cur in pairwise(bundles):
        if cur.block.parent_hash != prev.block.hash:
            raise IngestError(f"{chain} block {cur.block.number}: parent {cur.block.parent_hash} is not "
                              f"block {prev.block.number} {prev.block.hash} (the chain moved while fetching)")
