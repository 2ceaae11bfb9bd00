"""Turning raw Bitcoin blocks from any source into stored rows, chunk by chunk.

Every source (raw files, Core RPC, Esplora, the drill's server) ends here with serialised blocks and
their heights, plus any prevouts the source itself supplies. Prevouts are resolved from, in order:
outputs earlier in the same chunk, the source's own prevouts, the store. A missing one is an error
naming the block and the outpoint, and nothing of the chunk is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bitcoin.core import b2lx

from hotpursuit.chains.btc_address import MAINNET, BtcNetwork
from hotpursuit.chains.btc_block import DecodedBlock, block_bundle
from hotpursuit.chains.utxo_records import Outpoint, Prevout, UtxoBlockBundle
from hotpursuit.store.bridge_links import link_bitcoin_outputs
from hotpursuit.store.database import Store
from hotpursuit.store.utxo_tables import replace_utxo_blocks, stored_prevouts


@dataclass
class UtxoIngestStats:
    """What a run stored."""

    blocks: int = 0
    transactions: int = 0
    outputs: int = 0
    inputs: int = 0
    reorgs: int = 0
    blocks_rolled_back: int = 0
    bridge_links: int = 0
    by_type: dict[str, int] = field(default_factory=dict)

    def add(self, bundles: Sequence[UtxoBlockBundle]) -> None:
        """Count a stored chunk."""
        for b in bundles:
            self.blocks += 1
            self.transactions += b.block.transaction_count
            self.outputs += len(b.outputs)
            self.inputs += len(b.inputs)
            for o in b.outputs:
                self.by_type[o.script_type] = self.by_type.get(o.script_type, 0) + 1


def bundles_for_chunk(store: Store, chain: str, blocks: Sequence[tuple[int, DecodedBlock]],
                      source_prevouts: Mapping[Outpoint, Prevout] | None = None,
                      network: BtcNetwork = MAINNET) -> list[UtxoBlockBundle]:
    """Records for decoded blocks (height order), every input valued."""
    produced = {(txid, n) for _, d in blocks for tx, txid in zip(d.transactions, d.txids, strict=True)
                for n in range(len(tx.vout))}
    needed = {(b2lx(vin.prevout.hash), int(vin.prevout.n)) for _, d in blocks for tx in d.transactions
              if not tx.is_coinbase() for vin in tx.vin}
    needed -= produced
    known: dict[Outpoint, Prevout] = dict(source_prevouts or {})
    known.update(stored_prevouts(store, chain, needed - known.keys()))
    bundles = []
    for height, decoded in sorted(blocks, key=lambda hb: hb[0]):
        bundle = block_bundle(decoded, height, known.get, network)
        for o in bundle.outputs:
            known[(o.tx_hash, o.output_index)] = Prevout(o.address, o.value)
        bundles.append(bundle)
    return bundles


def store_chunk(store: Store, chain: str, bundles: Sequence[UtxoBlockBundle], source: str,
                job: str | None, stats: UtxoIngestStats) -> None:
    """Write a chunk atomically, then link any bridge payouts it contains."""
    replace_utxo_blocks(store, chain, bundles, source, job)
    stats.add(bundles)
    stats.bridge_links += link_bitcoin_outputs(store, chain)
