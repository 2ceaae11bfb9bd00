"""`hotpursuit cluster run`: turn new blocks into cluster links and merge them into the stored clusters.

Incremental: the union-find starts from the stored roots and only the links found in blocks above the
job's checkpoint (Bitcoin) or not stored yet (EVM deposit addresses, same-exchange hot wallets) are
merged; nothing is recomputed from zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hotpursuit.cluster.bitcoin_heuristics import Link, TxView, change_link, coinjoin_kind, multi_input_links
from hotpursuit.cluster.evm_deposit import DEPOSIT_CONFIDENCE, DepositAddress, Move, find_deposit_addresses
from hotpursuit.cluster.union_find import UnionFind
from hotpursuit.store.checkpoints import get_checkpoint
from hotpursuit.store.cluster_reads import (
    bitcoin_input_addresses,
    bitcoin_outputs,
    evm_moves,
    exchange_hot_wallets,
    has_utxo_rows,
)
from hotpursuit.store.cluster_tables import existing_links, load_ids, load_roots, save_clustering
from hotpursuit.store.database import Store
from hotpursuit.store.evm_tables import top_block

SAME_EXCHANGE_CONFIDENCE = 80


@dataclass
class ClusterStats:
    """What a clustering run did."""

    chain: str
    transactions: int = 0
    coinjoins_skipped: int = 0
    links: int = 0
    merges: int = 0
    addresses: int = 0
    clusters: int = 0
    deposit_addresses: list[DepositAddress] = field(default_factory=list)
    by_reason: dict[str, int] = field(default_factory=dict)


def run_clustering(store: Store, chain: str, *, change: bool = False, window: int = 100,
                   min_share: float = 0.5) -> ClusterStats:
    """Cluster `chain` (Bitcoin heuristics if it has UTXO rows, else the EVM ones)."""
    stats = ClusterStats(chain)
    job = f"cluster:{chain}"
    done = get_checkpoint(store, job, chain)
    top = top_block(store, chain)
    if has_utxo_rows(store, chain):
        links = _bitcoin_links(store, chain, -1 if done is None else done, change, stats)
    else:
        links = _evm_links(store, chain, window, min_share, stats)
    known = existing_links(store, chain)
    links = [x for x in dict.fromkeys(links) if (x.a, x.b, x.reason) not in known]
    ids = load_ids(store, chain)
    new_ids: dict[str, int] = {}
    for x in links:
        for address in (x.a, x.b):
            if address not in ids:
                ids[address] = new_ids[address] = len(ids)
    uf = UnionFind(parent=load_roots(store, chain, len(ids) - len(new_ids)))
    uf.grow(len(ids))
    u = np.fromiter((ids[x.a] for x in links), dtype=np.int64, count=len(links))
    v = np.fromiter((ids[x.b] for x in links), dtype=np.int64, count=len(links))
    stats.merges = uf.union(u, v)
    stats.links = len(links)
    for x in links:
        stats.by_reason[x.reason] = stats.by_reason.get(x.reason, 0) + 1
    save_clustering(store, chain, new_ids, links, ids, uf.roots(), (job, top) if top >= 0 else None)
    stats.addresses = len(ids)
    stats.clusters = len(np.unique(uf.roots())) if len(ids) else 0
    return stats


def _bitcoin_links(store: Store, chain: str, after: int, change: bool, stats: ClusterStats) -> list[Link]:
    inputs = bitcoin_input_addresses(store, chain, after)
    outputs = bitcoin_outputs(store, chain, after)
    links: list[Link] = []
    for tx_hash, addresses, values, fresh in outputs:
        ins = tuple(inputs.get(tx_hash) or ())
        if not ins:
            continue  # coinbase
        view = TxView(tx_hash, ins, tuple(zip(addresses, map(int, values), strict=True)), frozenset(fresh or ()))
        stats.transactions += 1
        if len(set(ins)) > 1 and coinjoin_kind(view) is not None:
            stats.coinjoins_skipped += 1
            continue
        links += multi_input_links(view)
        if change and (found := change_link(view)) is not None:
            links.append(found)
    return links


def _evm_links(store: Store, chain: str, window: int, min_share: float, stats: ClusterStats) -> list[Link]:
    hot = exchange_hot_wallets(store, chain)
    if not hot:
        return []
    moves = [Move(*row) for row in evm_moves(store, chain)]
    stats.transactions = len({m.tx_hash for m in moves})
    found = find_deposit_addresses(moves, hot, window=window, min_share=min_share)
    stats.deposit_addresses = found
    links = [Link(d.address, d.hot_wallet, f"deposit address of {d.exchange} (forwards {d.share:.0%} of its "
                  f"inflows to hot wallet {d.hot_wallet} within {window} blocks)", DEPOSIT_CONFIDENCE, d.example_tx)
             for d in found]
    by_exchange: dict[str, list[str]] = {}
    for address, exchange in sorted(hot.items()):
        by_exchange.setdefault(str(exchange), []).append(str(address))
    for exchange, wallets in by_exchange.items():
        links += [Link(wallets[0], w, f"same exchange label ({exchange})", SAME_EXCHANGE_CONFIDENCE, None)
                  for w in wallets[1:]]
    return links
