"""The live watch's Bitcoin side: follow a Bitcoin source block by block, carry each open incident's
taint across bridge payouts, and find the freeze requests due at Bitcoin addresses an organisation
controls.

Per incident it keeps a `UtxoTracer`. A payout output is seeded, when its block is stored, with the
share of the bridge deposit that was tainted on the EVM side (the EVM tracer's flows into bridges;
see `bridge_crossing`), so the EVM side must have processed the deposit's block first: the live
watch steps the EVM chain before this one. Controlled Bitcoin addresses (and labelled Bitcoin
services) are endpoints; what arrives there tainted is asked frozen, as on the EVM side. A parent
mismatch rolls the Bitcoin tables back to the common ancestor and retracts the requests whose block
was orphaned. Runs on the live watch's thread and cursor.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotpursuit.ingest.bitcoin_node_job import BitcoinChain, BitcoinIngest, BitcoinSource
from hotpursuit.ingest.bitcoin_source import UtxoIngestStats
from hotpursuit.ingest.tip_follower import RolledBack, TipFollower
from hotpursuit.interdict.freeze_rules import ENDPOINT_KIND, Control, FreezeCandidate, amount_due
from hotpursuit.jobs.trace_setup import service_endpoints
from hotpursuit.store.checkpoints import get_checkpoint
from hotpursuit.store.database import Store
from hotpursuit.store.interdiction_tables import load_controls, requested_amounts, retract_above
from hotpursuit.store.utxo_reads import completed_crossings, load_utxo_txs
from hotpursuit.trace.account_taint import AccountTracer, Endpoint, evidence_path
from hotpursuit.trace.bridge_crossing import BridgeCrossing, bridge_entries, crossing_seeds
from hotpursuit.trace.utxo_taint import UtxoTracer

ASSET = "BTC"


@dataclass
class BitcoinBlock:
    """What one Bitcoin step did: the block, and the requests due (incident id, candidate)."""

    number: int
    hash: str
    due: list[tuple[str, FreezeCandidate]]


class BitcoinWatch:
    """Follows one Bitcoin source for the live watch."""

    def __init__(self, source: BitcoinSource, store: Store, *, job: str, chain: str = "bitcoin",
                 max_reorg_depth: int = 64) -> None:
        self.ingest = BitcoinIngest(source, store, chain=chain, batch_size=1)
        self.source, self.store, self.chain, self.job = source, store, chain, job
        self.tracers: dict[str, UtxoTracer] = {}
        self.controlled: dict[str, Control] = {}
        self.deposits: dict[str, BridgeCrossing] = {}  # payout txid -> its crossing
        self.stats = UtxoIngestStats()
        self.follower = TipFollower(BitcoinChain(self.ingest, job, self.stats), next_block=0, batch_size=1,
                                    max_reorg_depth=max_reorg_depth)

    @property
    def next(self) -> int:
        """The next height to process."""
        return self.follower.next

    def seek(self, from_block: int | None) -> None:
        """Next height: after the last one watched, else `from_block`, else the source's tip."""
        done = get_checkpoint(self.store, self.job, self.chain)
        self.follower.next = done + 1 if done is not None else (
            from_block if from_block is not None else self.source.tip())

    def rebuild(self, incidents: dict[str, AccountTracer], bridges: set[str]) -> None:
        """Tracers for `incidents` (id -> EVM tracer), replayed over the stored Bitcoin blocks."""
        self.controlled = load_controls(self.store, self.chain)[0]
        endpoints = service_endpoints(self.store, self.chain)
        for address, control in self.controlled.items():
            endpoints[address] = Endpoint(ENDPOINT_KIND[control.kind], control.org_id)
        crossings = completed_crossings(self.store, self.chain, 0, self.next - 1)
        self.deposits = {c.payout[0]: c for c in crossings}
        txs = load_utxo_txs(self.store, self.chain, 0, self.next - 1)
        self.tracers = {}
        for inc_id, evm in incidents.items():
            tracer = UtxoTracer(endpoints=endpoints)
            tracer.seed(crossing_seeds(crossings, bridge_entries(evm.result.flows, bridges)))
            tracer.feed(txs)
            self.tracers[inc_id] = tracer

    def step(self, incidents: dict[str, AccountTracer], bridges: set[str], thresholds: dict[str, int],
             evm_chain: str) -> BitcoinBlock | int | None:
        """Store and trace the next block: the block with its due requests; or, after a reorg, the
        number of requests retracted; or None when the source has no new block."""
        done = self.follower.step()
        if done is None:
            return None
        if isinstance(done, RolledBack):
            retracted = retract_above(self.store, self.chain, done.ancestor,
                                      f"the arrival's {self.chain} block was orphaned by a reorg "
                                      f"(common ancestor {done.ancestor})")
            return len(retracted)
        number, block = done.first, done.blocks[0].block
        crossings = completed_crossings(self.store, self.chain, number, number)
        self.deposits.update({c.payout[0]: c for c in crossings})
        txs = load_utxo_txs(self.store, self.chain, number, number)
        due = []
        for inc_id, evm in incidents.items():
            tracer = self.tracers[inc_id]
            tracer.seed(crossing_seeds(crossings, bridge_entries(evm.result.flows, bridges)))
            reached = tracer.feed(txs)
            requested = requested_amounts(self.store, inc_id)
            for address in sorted(reached & set(self.controlled)):
                control = self.controlled[address]
                tainted = tracer.result.arrivals[address].tainted
                amount = amount_due(control.org_id, address, ASSET, tainted, requested, thresholds)
                if amount:
                    evidence = self._evidence(tracer, evm, address, tainted, evm_chain)
                    due.append((inc_id, FreezeCandidate(inc_id, control.org_id, address, ASSET, amount, tainted,
                                                        evidence)))
        return BitcoinBlock(number, block.hash, due)

    def _evidence(self, tracer: UtxoTracer, evm: AccountTracer, address: str, tainted: int,
                  evm_chain: str) -> list[dict[str, str]]:
        """The EVM path into the bridge deposit, the crossing, then the Bitcoin transactions."""
        path = tracer.arrival_paths.get(address, ())
        crossing = self.deposits.get(path[0]) if path else None
        out: list[dict[str, str]] = []
        if crossing is not None:  # the path to the depositor, then its deposit into the bridge
            deposit = next(((k, t) for k, t in evm.result.flows.items() if k[3] == crossing.from_tx), None)
            if deposit is not None:
                (sender, bridge, asset, tx), taint = deposit
                out += [{"chain": evm_chain, **hop} for hop in evidence_path(evm.result, sender, asset)]
                out.append({"chain": evm_chain, "from": sender, "to": bridge, "asset": asset, "tx": tx,
                            "tainted": str(taint)})
            out.append({"chain": self.chain, "bridge_deposit": crossing.from_tx,
                        "payout": f"{crossing.payout[0]}:{crossing.payout[1]}", "asset": ASSET})
        out += [{"chain": self.chain, "tx": tx, "asset": ASSET} for tx in path[1:]]
        out.append({"chain": self.chain, "to": address, "asset": ASSET, "tainted": str(tainted)})
        return out

