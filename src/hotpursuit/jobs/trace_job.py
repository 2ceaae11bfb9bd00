"""`hotpursuit trace INCIDENT`: load an incident's chain data, run the taint engine, cross bridges.

What a trace starts from (endpoints, pass-through venues, traced and ignored assets) is in
`trace_setup`. Movements of impersonating or spam assets, zero-value movements and the transfers the
poisoning heuristic found are dropped before the engine sees anything; the report lists the assets it
ignored with their reason, the swaps that carried taint, the taint left at venues (a swap whose return
leg is not in the store) and every warning. Who can freeze an endpoint: the exchange that owns it (its
label's actor or label); for a stablecoin held at an address, the issuer labelled at the token's contract.
"""

from __future__ import annotations

import hashlib
import json

from hotpursuit.errors import HotpursuitError
from hotpursuit.jobs.chain_reads import ChainReads, StoreChainReads
from hotpursuit.jobs.trace_setup import (
    SERVICE_KINDS,
    TraceSetup,
    Visible,
    service_endpoints,
    trace_setup,
)
from hotpursuit.store.asset_units import AssetReader
from hotpursuit.store.database import Store
from hotpursuit.store.incident_tables import IncidentSources, load_sources
from hotpursuit.store.trace_reads import incident_chain_since
from hotpursuit.trace.account_taint import Movement, TraceResult, evidence_path, trace_account
from hotpursuit.trace.asset_totals import asset_totals
from hotpursuit.trace.bridge_crossing import bridge_entries, crossing_seeds
from hotpursuit.trace.report import TraceReport
from hotpursuit.trace.utxo_taint import trace_utxo

__all__ = ["SERVICE_KINDS", "TraceError", "incident_to_trace", "run_trace", "service_endpoints"]
FRONTIER_KINDS = frozenset({"hop limit", "dust"})


class TraceError(HotpursuitError):
    """An incident that cannot be traced (unknown, or without sources)."""


def run_trace(store: Store, incident_id: str, *, model: str = "haircut", max_hops: int | None = None,
              dust: int = 0, until_block: int | None = None, include_assets: list[str] | None = None,
              dust_by_asset: dict[str, int] | None = None, visible: Visible | None = None,
              reads: ChainReads | None = None) -> TraceReport:
    """Trace one incident; the same store contents and parameters give the same report. `dust` applies to
    every asset without its own threshold in `dust_by_asset` (base units). `visible`: the labels it may
    use, as one organisation may see them (the API traces with the incident owner's view); None: all.
    `reads`: where the chain data comes from (the store's own tables unless given; `scale trace` gives
    the Spark reader over a Parquet export); the incident, labels and asset trust always come from `store`."""
    chain_reads = StoreChainReads(store) if reads is None else reads
    chain, since, sources = incident_to_trace(store, incident_id)
    setup = trace_setup(store, chain, include_assets=include_assets, visible=visible)
    moves = chain_reads.movements(chain, since, sources, set(setup.ignored_assets), max_hops)
    signers = chain_reads.signers(chain, (m.tx_hash for m in moves))
    result = trace_account(moves, theft_txs=set(sources.theft_txs), source_addresses=set(sources.addresses),
                           source_receipts=set(sources.receipts), endpoints=setup.endpoints, model=model,
                           max_hops=max_hops, dust=dust, dust_by_asset=dust_by_asset, until_block=until_block,
                           traced_assets=setup.traced_assets, venues=set(setup.venues), signers=signers)
    inputs = [incident_id, model, max_hops, dust, sorted((dust_by_asset or {}).items()), until_block,
              sorted(sources.theft_txs), sorted(sources.addresses),
              sorted(sources.receipts), sorted(setup.traced_assets), sorted(setup.ignored_assets),
              sorted(setup.venues),
              [[*m.order, m.tx_hash, m.sender, m.receiver, m.asset, str(m.amount)] for m in moves],
              sorted((a, e.kind, e.owner, *e.basis) for a, e in setup.endpoints.items()), sorted(signers.items())]
    digest = hashlib.sha256(json.dumps(inputs, separators=(",", ":")).encode()).hexdigest()
    missing = _missing_sources(sources, moves, since)
    named_txs = sources.theft_txs | {tx for _, tx in sources.receipts}
    if (not result.stolen and named_txs and not sources.addresses
            and not chain_reads.txs_with_movements(chain, named_txs)):
        # none of the transactions it names is in the store at all: an empty report would read "nothing
        # stolen" (a bare address that has not moved yet is fine: the live watch opens incidents that way)
        raise TraceError(f"incident {incident_id!r}: nothing to trace on {chain}: " + "; ".join(missing))
    report = TraceReport(incident_id, model, max_hops, dust, digest,
                         stolen={a: str(v) for a, v in sorted(result.stolen.items())})
    report.warnings.extend(missing)
    report.dust_by_asset = {a: str(v) for a, v in sorted((dust_by_asset or {}).items())}
    report.warnings.extend(setup.warnings)
    _fill_account_report(chain, result, setup, report)
    _explain_assets(chain_reads, chain, since, sources, setup, moves, result, report)
    bridges = {a for a, e in setup.endpoints.items() if e.kind == "bridge"}
    _cross_to_bitcoin(chain_reads, bridge_entries(result.flows, bridges), report)
    _name_assets(store, chain, report)
    _time_blocks(chain_reads, report)
    return report


def incident_to_trace(store: Store, incident_id: str) -> tuple[str, int, IncidentSources]:
    """The incident's chain, first block and sources; a TraceError when it is unknown or has no source."""
    found = incident_chain_since(store, incident_id)
    if found is None:
        raise TraceError(f"incident {incident_id!r} does not exist (hotpursuit incident list)")
    chain, since = found
    sources = load_sources(store, incident_id)
    if not (sources.theft_txs or sources.addresses or sources.receipts):
        raise TraceError(f"incident {incident_id!r} has no sources")
    return chain, since, sources


def _time_blocks(reads: ChainReads, report: TraceReport) -> None:
    """The UTC times of the blocks the report names (since when an endpoint holds, where it stopped)."""
    wanted: dict[str, set[int]] = {}
    for row in [*report.endpoints, *report.frontier]:
        if row.get("since_block") is not None:
            wanted.setdefault(str(row["chain"]), set()).add(int(row["since_block"]))
    for on, numbers in sorted(wanted.items()):
        for number, moment in sorted(reads.block_times(on, sorted(numbers)).items()):
            report.block_times[f"{on}:{number}"] = moment


def _name_assets(store: Store, chain: str, report: TraceReport) -> None:
    """How each asset the report names is read (symbol and decimals; null decimals when unknown)."""
    named: dict[str, str] = {a: chain for a in report.totals}
    for row in [*report.endpoints, *report.held, *report.frontier, *report.at_venues]:
        named.setdefault(str(row["asset"]), str(row.get("chain", chain)))
    reader = AssetReader(store)
    for asset, on in sorted(named.items()):
        units = reader.units(on, asset)
        report.assets[asset] = {"symbol": None if units is None else units.symbol,
                                "decimals": None if units is None else units.decimals}


def _missing_sources(sources: IncidentSources, moves: list[Movement], since: int) -> list[str]:
    """What of the incident's sources the store holds no movement of (from its first block on), said so a
    user imports or ingests it instead of reading an empty trace as "nothing was stolen"."""
    txs = {m.tx_hash for m in moves}
    receipts = {(m.receiver, m.tx_hash) for m in moves}
    senders = {m.sender for m in moves}
    where = f" (at or after block {since})" if since else ""
    return ([f"theft tx {tx}: the store holds no value it moved{where} (import or ingest its block; fake "
             "tokens and zero values do not count)" for tx in sorted(sources.theft_txs) if tx not in txs]
            + [f"source {a}@{tx}: the store holds no value that tx moved to {a}{where}"
               for a, tx in sorted(sources.receipts) if (a, tx) not in receipts]
            + [f"source address {a}: the store holds no value it sent{where} (import its transactions)"
               for a in sorted(sources.addresses) if a not in senders])


def _basis(tlp: str, asserted_by: str | None) -> dict[str, str | None]:
    """The marking of the claim that names an owner or freezer (who may read the name)."""
    return {"tlp": tlp, "asserted_by": asserted_by}


def _fill_account_report(chain: str, result: TraceResult, setup: TraceSetup, report: TraceReport) -> None:
    for (address, asset), arrival in sorted(result.arrivals.items()):
        if arrival.endpoint.kind in FRONTIER_KINDS:  # the trace stopped there; nobody is known to freeze it
            report.frontier.append({"chain": chain, "address": address, "asset": asset, "why": arrival.endpoint.kind,
                                    "tainted": str(arrival.tainted), "since_block": arrival.first_block,
                                    "evidence": sorted(arrival.txs)})
            continue
        report.endpoints.append({
            "chain": chain, "address": address, "asset": asset, "kind": arrival.endpoint.kind,
            "owner": arrival.endpoint.owner, "freezer": arrival.endpoint.owner or None,
            "basis": _basis(*arrival.endpoint.basis), "tainted": str(arrival.tainted),
            "exposure": str(arrival.exposure), "since_block": arrival.first_block,
            "evidence": sorted(arrival.txs), "path": evidence_path(result, address, asset)})
    for (address, asset), taint in sorted(result.held.items()):
        issuer = setup.issuers.get(asset)
        report.held.append({"chain": chain, "address": address, "asset": asset, "tainted": str(taint),
                            "freezer": None if issuer is None else issuer.owner,
                            "basis": _basis("CLEAR", None) if issuer is None else _basis(*issuer.basis)})
    for (address, asset), taint in sorted(result.at_venues.items()):
        report.at_venues.append({"chain": chain, "address": address, "venue": setup.venues.get(address, ""),
                                 "asset": asset, "tainted": str(taint),
                                 "basis": _basis(*setup.venue_basis.get(address, ("CLEAR", None)))})
    for (venue, asset, tx), taint in sorted(result.unreturned.items()):
        if result.at_venues.get((venue, asset)) or result.held.get((venue, asset)):
            name = setup.venues.get(venue)
            if name and setup.venue_basis.get(venue, ("CLEAR", None))[0] not in ("CLEAR", "GREEN"):
                name = "a labelled venue"  # the warning goes to every reader: a restricted label's name stays out
            if name:
                report.warnings.append(
                    f"swap at tx {tx}: {taint} {asset} (base units) of taint went into {name} ({venue}) and the "
                    "proceeds are not in the store; import the transaction's internal transactions (traces)")
            else:  # the only swapper, unlabelled: a venue short of its trader's leg, or a trader with unknown venues
                report.warnings.append(
                    f"swap at tx {tx}: {taint} {asset} (base units) of taint went into {venue}, the transaction's "
                    "only swapper, and stays there: if it is a venue, the proceeds are not in the store (import "
                    "the transaction's internal transactions); if it traded, the venues it used are not known "
                    "(label them `dex` to follow the swap)")
    for (src, dst, asset, tx), taint in sorted(result.flows.items()):
        report.flows.append({"chain": chain, "from": src, "to": dst, "asset": asset, "tx": tx, "tainted": str(taint),
                             "hop": result.hops.get(dst, 0)})
    for s in sorted(result.swaps, key=lambda x: (x.tx_hash, x.address)):
        report.swaps.append({"chain": chain, "tx": s.tx_hash, "address": s.address,
                             "sold": {a: str(v) for a, v in s.sold}, "bought": {a: str(v) for a, v in s.bought},
                             "taint_paid": {a: str(v) for a, v in s.taint_paid},
                             "taint_gained": {a: str(v) for a, v in s.taint_gained},
                             "venues": list(s.venues), "venue_names": [setup.venues.get(v, "") for v in s.venues],
                             "venue_bases": [_basis(*setup.venue_basis.get(v, ("CLEAR", None))) for v in s.venues]})
    for asset, totals in asset_totals(result).items():
        report.totals[asset] = totals.as_strings()


def _explain_assets(reads: ChainReads, chain: str, since: int, sources: IncidentSources, setup: TraceSetup,
                    moves: list[Movement], result: TraceResult, report: TraceReport) -> None:
    """List the assets the trace did not count, with their reason: impersonating and spam assets that
    moved through the traced addresses, and unknown assets moved by the theft itself."""
    touched = sorted({m.sender for m in moves} | {m.receiver for m in moves} | set(sources.addresses)
                     | {a for a, _ in sources.receipts})
    seen = reads.asset_traffic(chain, since, setup.ignored_assets, touched)
    seeded: dict[str, list[int]] = {}
    for m in moves:
        if m.asset not in setup.traced_assets and (m.tx_hash in sources.theft_txs
                                                  or (m.receiver, m.tx_hash) in sources.receipts
                                                  or m.sender in sources.addresses):
            entry = seeded.setdefault(m.asset, [0, 0])
            entry[0] += 1
            entry[1] += m.amount
    for asset, (count, amount) in sorted({**seen, **{a: (n, v) for a, (n, v) in seeded.items()}}.items()):
        trust = setup.trust.get(asset)
        status = trust.status if trust else "unknown"
        reason = trust.reason if trust else "not assessed"
        if status == "unknown":
            reason += f"; not counted as stolen (hotpursuit trace --assets {asset} to count it)"
        report.ignored_assets.append({
            "chain": chain, "asset": asset, "status": status, "reason": reason,
            "symbol": trust.symbol if trust else None, "name": trust.name if trust else None,
            "imitates": trust.imitates if trust else None, "movements": count, "amount": str(amount)})


def _cross_to_bitcoin(reads: ChainReads, entered: dict[str, int], report: TraceReport) -> None:
    """Seed the Bitcoin payouts of bridge deposits (`entered`: the taint each deposit tx brought to a
    bridge) and trace them there."""
    crossings = reads.crossings()
    if not crossings:
        return
    seeds = crossing_seeds(crossings, entered)
    if not seeds:
        return
    txs = reads.utxo_txs()
    btc = trace_utxo(txs, seeds, model=report.model)
    for (tx, index), (address, taint) in sorted(btc.held.items()):
        report.held.append({"chain": "bitcoin", "address": address, "asset": "BTC", "tainted": str(taint),
                            "outpoint": f"{tx}:{index}", "freezer": None})
    for (src_tx, address, _), taint in sorted(btc.flows.items()):
        report.flows.append({"chain": "bitcoin", "from": src_tx, "to": address, "asset": "BTC", "tx": src_tx,
                             "tainted": str(taint)})
    at_endpoints = sum(a.tainted for a in btc.arrivals.values())
    report.totals["BTC"] = {"crossed": str(btc.seeded), "at_endpoints": str(at_endpoints),
                            "held": str(sum(t for _, t in btc.held.values())), "burned": str(btc.burned)}
