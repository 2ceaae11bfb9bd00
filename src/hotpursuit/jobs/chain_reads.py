"""What a trace reads of the chain tables, as a port: the embedded store answers it here; the Spark job
over a Parquet export (`scale/trace_reads.py`) answers the same questions for chains too large for one
machine. The trace job (`trace_job.run_trace`) takes either and builds the same report from the answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import numpy as np

from hotpursuit.store.address_page import block_times
from hotpursuit.store.database import Store
from hotpursuit.store.evm_tables import transaction_signers
from hotpursuit.store.incident_tables import IncidentSources
from hotpursuit.store.trace_reads import TraceExtract, asset_traffic, txs_with_movements
from hotpursuit.store.utxo_reads import completed_crossings, load_utxo_txs
from hotpursuit.trace.bridge_crossing import BridgeCrossing
from hotpursuit.trace.movement import Movement
from hotpursuit.trace.transfer_index import TransferIndex
from hotpursuit.trace.utxo_taint import UtxoTx


class ChainReads(Protocol):
    """The chain data a trace needs (every answer in chain order where order matters)."""

    def movements(self, chain: str, since: int, sources: IncidentSources, ignored: set[str],
                  max_hops: int | None) -> list[Movement]:
        """The movements a trace can touch (see `StoreChainReads.movements`), in chain order."""
        ...

    def signers(self, chain: str, txs: Iterable[str]) -> dict[str, str]:
        """tx hash -> who sent it, where known."""
        ...

    def asset_traffic(self, chain: str, since: int, assets: Iterable[str],
                      addresses: Iterable[str]) -> dict[str, tuple[int, int]]:
        """asset -> (movements, amount) of `assets` sent or received by `addresses` from block `since` on."""
        ...

    def txs_with_movements(self, chain: str, txs: Iterable[str]) -> set[str]:
        """Which of these transactions have any stored movement."""
        ...

    def block_times(self, chain: str, numbers: list[int]) -> dict[int, int]:
        """Block number -> Unix time, for the blocks held."""
        ...

    def crossings(self) -> list[BridgeCrossing]:
        """Bridge deposits whose Bitcoin payout is held."""
        ...

    def utxo_txs(self) -> list[UtxoTx]:
        """The Bitcoin transactions held, in chain order."""
        ...


class StoreChainReads:
    """The embedded answers, from the DuckDB store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def movements(self, chain: str, since: int, sources: IncidentSources, ignored: set[str],
                  max_hops: int | None) -> list[Movement]:
        """Every movement of each address taint can reach (moving forward in time from the sources, within
        the hop limit), found with the numpy transfer index, plus the sources' own movements. Zero-value
        movements, movements of `ignored` assets and poisoning transfers are left out."""
        with TraceExtract(self.store, chain, since, ignored) as extract:
            sender, receiver, addresses = extract.edges()
            index = TransferIndex(sender, receiver, np.zeros(sender.size, dtype=np.int64),
                                  np.zeros(sender.size, dtype=np.int64), addresses)
            theft_pos = extract.positions_in(sources.theft_txs | {tx for _, tx in sources.receipts})
            named = extract.ids_of(sources.addresses | {a for a, _ in sources.receipts})
            starts = np.concatenate([named, receiver[theft_pos]]) if sender.size else named
            reached = index.reachable(np.unique(starts), max_hops if max_hops is not None else 1 << 30)
            return extract.movements_at(np.unique(np.concatenate([index.movement_indexes(reached), theft_pos])))

    def signers(self, chain: str, txs: Iterable[str]) -> dict[str, str]:
        return transaction_signers(self.store, chain, txs)

    def asset_traffic(self, chain: str, since: int, assets: Iterable[str],
                      addresses: Iterable[str]) -> dict[str, tuple[int, int]]:
        return asset_traffic(self.store, chain, since, assets, addresses)

    def txs_with_movements(self, chain: str, txs: Iterable[str]) -> set[str]:
        return txs_with_movements(self.store, chain, txs)

    def block_times(self, chain: str, numbers: list[int]) -> dict[int, int]:
        return block_times(self.store, chain, numbers)

    def crossings(self) -> list[BridgeCrossing]:
        return completed_crossings(self.store)

    def utxo_txs(self) -> list[UtxoTx]:
        return load_utxo_txs(self.store)
