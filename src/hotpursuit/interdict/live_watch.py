"""The live watch: follow an EVM node's tip, store each new block, advance the taint of every open
incident by that block's movements only, and queue the freeze requests that are due.

It runs in its own thread on its own DuckDB cursor (the server's event loop keeps answering). Per
open incident it keeps an `AccountTracer`, built at start (or after a change of incidents, controls
or a reorg) by replaying the stored movements since the incident's first block, then fed block by
block. Requests derive from the taint state and what was already asked (see `freeze_rules`), and are
stored with their outbox entries in one transaction, so a crash anywhere re-derives the same requests
(same ids) and never sends one twice. A parent-hash mismatch rolls the store back to the common
ancestor, retracts the requests whose arrival block was orphaned (signed retractions through the
outbox), rebuilds the tracers and goes on: value that reappears in the new chain is asked again.
After every rebuild, whatever is due anywhere is asked (dated to the last block processed), so an
incident opened or a control declared after the value arrived is served at once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hotpursuit.ingest.bitcoin_node_job import BitcoinSource
from hotpursuit.ingest.evm_node_job import EvmChain, EvmNodeIngest
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.ingest.tip_follower import RolledBack, TipFollower
from hotpursuit.interdict.bitcoin_watch import BitcoinWatch
from hotpursuit.interdict.freeze_messages import freeze_request_body, request_id
from hotpursuit.interdict.freeze_rules import ENDPOINT_KIND, Control, freeze_candidates
from hotpursuit.jobs.trace_setup import TraceSetup, owner_view, trace_setup
from hotpursuit.store.checkpoints import get_checkpoint, set_checkpoint
from hotpursuit.store.database import Store
from hotpursuit.store.evm_tables import stored_block_hash, top_block
from hotpursuit.store.incident_tables import load_sources, open_incidents_of
from hotpursuit.store.interdiction_tables import (
    NewRequest,
    load_controls,
    record_requests,
    requested_amounts,
    retract_above,
    retract_at,
)
from hotpursuit.store.trace_reads import movements_between
from hotpursuit.trace.account_taint import AccountTracer, Endpoint, Movement
from hotpursuit.trace.asset_totals import asset_totals

log = logging.getLogger(__name__)
WATCH_JOB = "live-watch"


@dataclass
class WatchStats:
    """What the watch has done (read by the API and the benchmark)."""

    blocks: int = 0
    requests: int = 0
    retractions: int = 0
    reorgs: int = 0
    last_block: int | None = None
    bitcoin_block: int | None = None
    block_seconds: list[float] = field(default_factory=list)  # processing time of each block
    totals: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # incident -> asset -> figures
    request_blocks: dict[str, float] = field(default_factory=dict)  # request id -> when its block was seen


@dataclass
class _Incident:
    id: str
    name: str
    actor: str | None
    owner: dict[str, Any]
    tracer: AccountTracer


class LiveWatch:
    """Follows one EVM chain for the store's open incidents of that chain."""

    def __init__(self, client: JsonRpcClient, store: Store, *, thresholds: dict[str, int] | None = None,
                 poll_seconds: float = 0.05, deadline_hours: float = 24.0, max_reorg_depth: int = 64,
                 on_requests: Callable[[], None] = lambda: None, bitcoin: BitcoinSource | None = None) -> None:
        self.store = store.cursor()
        # no receipts: anvil (and most nodes) serve a block's receipts far slower than its traces and logs,
        # which say the same for transfers (failed txs, ERC-20 and router events); gas used stays NULL
        self.ingest = EvmNodeIngest(client, self.store, batch_size=20, fetch_ahead=1, receipts=False)
        self.chain = self.ingest.chain
        # one block at a time: a request goes out as soon as the block that makes it due is seen
        self._evm = EvmChain(self.ingest, None)  # the watch keeps its own checkpoint, after tracing
        self._follower = TipFollower(self._evm, next_block=0, batch_size=1, max_reorg_depth=max_reorg_depth)
        self.thresholds = thresholds or {}
        self.poll_seconds, self.deadline_hours, self.max_reorg_depth = poll_seconds, deadline_hours, max_reorg_depth
        self.on_requests = on_requests
        self.stats = WatchStats()
        self._stale = True
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._incidents: list[_Incident] = []
        self._controlled: dict[str, Control] = {}
        self._issued: dict[str, Control] = {}
        self._ignored: list[str] = []  # impersonating and spam assets: their movements are dropped
        self.bitcoin = None if bitcoin is None else BitcoinWatch(bitcoin, self.store, job=WATCH_JOB,
                                                                 max_reorg_depth=max_reorg_depth)
        self._bridges: set[str] = set()

    # ---- control --------------------------------------------------------------------------
    def start(self, from_block: int | None = None, bitcoin_from: int | None = None) -> None:
        """Start following (from the last block watched, else `from_block`, else the store's tip + 1;
        on Bitcoin: the last height watched, else `bitcoin_from`, else the source's tip)."""
        self.seek(from_block)
        if self.bitcoin is not None:
            self.bitcoin.seek(bitcoin_from)
        self._thread = threading.Thread(target=self._run, name="live-watch", daemon=True)
        self._thread.start()

    def seek(self, from_block: int | None = None) -> None:
        """Set the next block to process, as `start` does (for driving `step` by hand)."""
        self._follower.next = self._first_block(from_block)

    def stop(self) -> None:
        """Stop after the block being processed; release the cursor."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
        self.store.close()

    def invalidate(self) -> None:
        """Incidents or controls changed: rebuild the tracers before the next block."""
        self._stale = True

    def _first_block(self, from_block: int | None) -> int:
        done = get_checkpoint(self.store, WATCH_JOB, self.chain)
        if done is not None:
            return done + 1
        if from_block is not None:
            return from_block
        top = top_block(self.store, self.chain)
        if top >= 0:
            return top + 1
        return self.ingest.tip()

    # ---- the loop -------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                progressed = self.step()
                if self.bitcoin is not None:
                    progressed = self.step_bitcoin() or progressed
                if not progressed:
                    self._stop.wait(self.poll_seconds)
            except Exception:  # a node hiccup must not end the watch: log, wait, try again
                log.exception("live watch: block %s failed; retrying", self._follower.next)
                self._stale = True
                self._stop.wait(1.0)

    def step(self) -> bool:
        """Process the next block if the node has it; False when there was none. A pending rebuild
        (incidents or controls changed) runs first, new block or not."""
        if self._stale:
            self._rebuild(self._follower.next - 1)
        seen = time.monotonic()
        done = self._follower.step()
        if done is None:
            return False
        if isinstance(done, RolledBack):
            self._reorged(done.ancestor)
            return True
        number, block_hash = done.first, done.blocks[0].block.hash
        moves = self._movements(number, number)
        requests = []
        touched = {(m.receiver, m.asset) for m in moves}
        for inc in self._incidents:
            inc.tracer.feed(moves)
            self.stats.totals.setdefault(inc.id, {}).update(_totals(inc.tracer))
            due = freeze_candidates(inc.id, inc.tracer, touched, self._controlled, self._issued,
                                    requested_amounts(self.store, inc.id), self.thresholds)
            requests += [self._request(inc, c, number, block_hash, self.chain) for c in due]
        self._record(requests, seen)
        set_checkpoint(self.store, WATCH_JOB, self.chain, number)
        self.stats.blocks += 1
        self.stats.last_block = number
        self.stats.block_seconds.append(time.perf_counter() - self._evm.store_started)
        return True

    def _record(self, requests: list[NewRequest], seen: float | None = None, retracted: int = 0) -> None:
        """Store requests (and count retractions already queued); wake the delivery if anything is new.
        `seen`: when the block they answer was seen (for the latency figures)."""
        new = record_requests(self.store, requests)
        if seen is not None:
            for r in requests:
                self.stats.request_blocks.setdefault(r.id, seen)
        self.stats.requests += new
        self.stats.retractions += retracted
        if new or retracted:
            self.on_requests()

    def _reorged(self, ancestor: int) -> None:
        """The follower rolled the store back to `ancestor`: retract what the orphaned blocks asked."""
        retracted = retract_above(self.store, self.chain, ancestor,
                                  f"the arrival's block was orphaned by a reorg (common ancestor {ancestor})")
        set_checkpoint(self.store, WATCH_JOB, self.chain, ancestor)
        self.stats.reorgs += 1
        self._stale = True
        self._record([], retracted=len(retracted))

    def step_bitcoin(self) -> bool:
        """Process the next Bitcoin block if the source has it; False when there was none."""
        assert self.bitcoin is not None
        if self._stale:
            self._rebuild(self._follower.next - 1)
        seen = time.monotonic()
        done = self.bitcoin.step({i.id: i.tracer for i in self._incidents}, self._bridges, self.thresholds,
                                 self.chain)
        if done is None:
            return False
        if isinstance(done, int):  # a reorg: rolled back, `done` requests retracted
            self.stats.reorgs += 1
            self._stale = True
            self._record([], retracted=done)
            return True
        by_id = {i.id: i for i in self._incidents}
        self._record([self._request(by_id[inc], c, done.number, done.hash, self.bitcoin.chain)
                      for inc, c in done.due], seen)
        self.stats.bitcoin_block = done.number
        for inc_id, tracer in self.bitcoin.tracers.items():
            btc = tracer.result
            at_endpoints = sum(a.tainted for a in btc.arrivals.values())
            self.stats.totals.setdefault(inc_id, {})["BTC"] = {
                "entered": str(btc.seeded), "at_endpoints": str(at_endpoints), "burned": str(btc.burned),
                "held": str(btc.seeded - at_endpoints - btc.burned)}
        return True

    # ---- state ----------------------------------------------------------------------------
    def _rebuild(self, upto: int) -> None:
        """Tracers for every open incident of the chain, replayed from the store up to block `upto`."""
        self._controlled, self._issued = load_controls(self.store, self.chain)
        self._ignored = sorted(trace_setup(self.store, self.chain).ignored_assets)
        setups: dict[str | None, tuple[TraceSetup, dict[str, Endpoint]]] = {}

        def setup_of(owner: str | None) -> tuple[TraceSetup, dict[str, Endpoint]]:
            """Each owner's incidents are traced with the labels that owner may see."""
            if owner not in setups:
                setup = trace_setup(self.store, self.chain, visible=owner_view(self.store, owner))
                endpoints = dict(setup.endpoints)
                for address, control in self._controlled.items():
                    endpoints[address] = Endpoint(ENDPOINT_KIND[control.kind], control.org_id)
                setups[owner] = (setup, endpoints)
            return setups[owner]

        self._incidents = []
        self._bridges = set()
        for inc_id, name, actor, since, owner, owner_name, country in open_incidents_of(self.store, self.chain):
            setup, endpoints = setup_of(None if owner is None else str(owner))
            sources = load_sources(self.store, str(inc_id))
            tracer = AccountTracer(theft_txs=set(sources.theft_txs), source_addresses=set(sources.addresses),
                                   source_receipts=set(sources.receipts), endpoints=endpoints,
                                   traced_assets=setup.traced_assets, venues=set(setup.venues))
            tracer.feed(self._movements(int(since), upto))
            self.stats.totals[str(inc_id)] = _totals(tracer)  # the Bitcoin side adds BTC after its rebuild
            self._incidents.append(_Incident(str(inc_id), str(name), actor, {
                "org": owner, "name": owner_name, "country": country}, tracer))
            self._bridges |= {a for a, e in endpoints.items() if e.kind == "bridge"}
        if self.bitcoin is not None:
            self.bitcoin.rebuild({i.id: i.tracer for i in self._incidents}, self._bridges)
        self._stale = False
        self._ask_what_is_due(upto)

    def _ask_what_is_due(self, upto: int) -> None:
        """After a rebuild: ask whatever is due anywhere, not only where the next block touches (an
        incident opened, or a control declared, after the value arrived). Dated to block `upto`; what
        was asked before is not asked again."""
        block_hash = stored_block_hash(self.store, self.chain, upto) if upto >= 0 else None
        if block_hash is None:
            return
        requests, retracted = [], 0
        for inc in self._incidents:
            retracted += self._retract_misplaced(inc)
            pairs = set(inc.tracer.result.arrivals) | {k for k in inc.tracer.holdings if k[1] in self._issued}
            due = freeze_candidates(inc.id, inc.tracer, pairs, self._controlled, self._issued,
                                    requested_amounts(self.store, inc.id), self.thresholds)
            requests += [self._request(inc, c, upto, block_hash, self.chain) for c in due]
        self._record(requests, retracted=retracted)

    def _retract_misplaced(self, inc: _Incident) -> int:
        """Retract requests at operated addresses where the rebuilt trace puts less than was asked: an
        endpoint found later (a deposit address clustered to its exchange, a control declared) now stops
        the value before it reached them. The value is asked again where the trace puts it now."""
        arrivals = inc.tracer.result.arrivals
        misplaced = []
        for (org, address, asset), amount in requested_amounts(self.store, inc.id).items():
            control = self._controlled.get(address)
            if control is None or control.org_id != org:
                continue
            arrival = arrivals.get((address, asset))
            if (0 if arrival is None else arrival.tainted) < amount:
                misplaced.append((org, address, asset))
        if not misplaced:
            return 0
        return len(retract_at(self.store, inc.id, self.chain, misplaced,
                              "the trace now stops this value earlier, at an endpoint found since "
                              "(a clustered deposit address or a newly declared control)"))

    def _movements(self, first: int, last: int) -> list[Movement]:
        return movements_between(self.store, self.chain, first, last, self._ignored)

    def _request(self, inc: _Incident, c: Any, number: int, block_hash: str, chain: str) -> NewRequest:
        rid = request_id(c, block_hash)
        deadline = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=self.deadline_hours)
        body = freeze_request_body(rid, c, chain=chain, block_number=number, block_hash=block_hash,
                                   incident={"id": inc.id, "name": inc.name, "actor": inc.actor},
                                   requested_by=inc.owner, deadline=deadline.isoformat(timespec="seconds") + "Z")
        return NewRequest(rid, inc.id, c.org_id, chain, c.address, c.asset, c.amount, number, block_hash,
                          json.dumps(c.evidence), inc.owner.get("org"), deadline, body)


def _totals(tracer: AccountTracer) -> dict[str, dict[str, str]]:
    """Per asset: what entered (stolen, swapped in), at endpoints, burned, swapped away, still held."""
    return {asset: t.as_strings() for asset, t in asset_totals(tracer.result).items()}
