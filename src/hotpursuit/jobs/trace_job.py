"""`hotpursuit trace INCIDENT`: load an incident's chain data, run the taint engine, cross bridges.

Endpoints come from labels: an address labelled exchange, issuer, bridge, mixer or defi (a pool), or
in the same cluster as one, ends the trace there. Who can freeze an endpoint: the exchange that owns
it (its label's actor or label); for a stablecoin held at an address, the issuer labelled at the
token's contract.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from hotpursuit.errors import HotpursuitError
from hotpursuit.store.database import Store
from hotpursuit.store.utxo_reads import completed_crossings, load_utxo_txs
from hotpursuit.trace.account_taint import Endpoint, Movement, evidence_path, trace_account
from hotpursuit.trace.bridge_crossing import bridge_entries, crossing_seeds
from hotpursuit.trace.report import TraceReport
from hotpursuit.trace.transfer_index import TransferIndex
from hotpursuit.trace.utxo_taint import trace_utxo

SERVICE_KINDS = {"exchange": "exchange", "issuer": "issuer", "bridge": "bridge", "mixer": "mixer", "defi": "pool"}


class TraceError(HotpursuitError):
    """An incident that cannot be traced (unknown, or without sources)."""


def run_trace(store: Store, incident_id: str, *, model: str = "haircut", max_hops: int | None = None,
              dust: int = 0, until_block: int | None = None) -> TraceReport:
    """Trace one incident; the same store contents and parameters give the same report."""
    con = store.con
    row = con.execute("SELECT chain, coalesce(since_block, 0) FROM incidents WHERE id = ?", [incident_id]).fetchone()
    if row is None:
        raise TraceError(f"incident {incident_id!r} does not exist (hotpursuit incident list)")
    chain, since = str(row[0]), int(row[1])
    sources = con.execute("SELECT kind, ref FROM incident_sources WHERE incident_id = ?", [incident_id]).fetchall()
    if not sources:
        raise TraceError(f"incident {incident_id!r} has no sources")
    theft_txs = {str(r) for k, r in sources if k == "tx"}
    source_addresses = {str(r) for k, r in sources if k == "address"}
    moves = _relevant_movements(store, chain, since, theft_txs, source_addresses, max_hops)
    endpoints = service_endpoints(store, chain)
    result = trace_account(moves, theft_txs=theft_txs, source_addresses=source_addresses, endpoints=endpoints,
                           model=model, max_hops=max_hops, dust=dust, until_block=until_block)
    issuers = dict(con.execute("""SELECT address, arg_max(coalesce(actor, label), confidence) FROM labels
                                  WHERE chain = ? AND category = 'issuer' GROUP BY address""", [chain]).fetchall())
    inputs = [incident_id, model, max_hops, dust, until_block, sorted(theft_txs), sorted(source_addresses),
              [[*m.order, m.tx_hash, m.sender, m.receiver, m.asset, str(m.amount)] for m in moves],
              sorted((a, e.kind, e.owner) for a, e in endpoints.items())]
    digest = hashlib.sha256(json.dumps(inputs, separators=(",", ":")).encode()).hexdigest()
    report = TraceReport(incident_id, model, max_hops, dust, digest,
                         stolen={a: str(v) for a, v in sorted(result.stolen.items())})
    for (address, asset), arrival in sorted(result.arrivals.items()):
        report.endpoints.append({
            "chain": chain, "address": address, "asset": asset, "kind": arrival.endpoint.kind,
            "owner": arrival.endpoint.owner, "freezer": arrival.endpoint.owner or None,
            "tainted": str(arrival.tainted), "exposure": str(arrival.exposure), "since_block": arrival.first_block,
            "evidence": sorted(arrival.txs), "path": evidence_path(result, address, asset)})
    for (address, asset), taint in sorted(result.held.items()):
        report.held.append({"chain": chain, "address": address, "asset": asset, "tainted": str(taint),
                            "freezer": issuers.get(asset)})
    for (src, dst, asset, tx), taint in sorted(result.flows.items()):
        report.flows.append({"chain": chain, "from": src, "to": dst, "asset": asset, "tx": tx, "tainted": str(taint),
                             "hop": result.hops.get(dst, 0)})
    bridges = {a for a, e in endpoints.items() if e.kind == "bridge"}
    _cross_to_bitcoin(store, bridge_entries(result.flows, bridges), report)
    for asset in sorted(set(result.stolen) | set(result.swapped_in)):
        entered = ("stolen", result.stolen[asset]) if asset in result.stolen else ("swapped_in",
                                                                                 result.swapped_in[asset])
        report.totals[asset] = {entered[0]: str(entered[1]), "at_endpoints": str(result.at_endpoints(asset)),
                                "held": str(sum(v for (_, a), v in result.held.items() if a == asset)),
                                "burned": str(result.burned.get(asset, 0))}
    return report


def _relevant_movements(store: Store, chain: str, since: int, theft_txs: set[str], source_addresses: set[str],
                        max_hops: int | None) -> list[Movement]:
    """The movements a trace can touch: every movement of each address taint can reach (moving forward
    in time from the sources, within the hop limit), found with the numpy transfer index."""
    con = store.con
    con.execute("""CREATE OR REPLACE TEMP TABLE trace_moves AS
                   SELECT (row_number() OVER (ORDER BY block_number, tx_index, seq) - 1)::BIGINT AS pos, *
                   FROM transfers WHERE chain = ? AND block_number >= ?""", [chain, since])
    con.execute("""CREATE OR REPLACE TEMP TABLE trace_ids AS
                   SELECT address, (row_number() OVER (ORDER BY address) - 1)::BIGINT AS id FROM (
                       SELECT from_address AS address FROM trace_moves UNION SELECT to_address FROM trace_moves)""")
    arrays = con.execute("""SELECT f.id AS s, r.id AS r FROM trace_moves m
                            JOIN trace_ids f ON f.address = m.from_address JOIN trace_ids r ON r.address = m.to_address
                            ORDER BY m.pos""").fetchnumpy()
    n = con.execute("SELECT count(*) FROM trace_ids").fetchone()
    sender, receiver = arrays["s"].astype(np.int64), arrays["r"].astype(np.int64)
    index = TransferIndex(sender, receiver, np.zeros(sender.size, dtype=np.int64),
                          np.zeros(sender.size, dtype=np.int64), int(n[0]) if n else 0)
    theft_pos = con.execute("SELECT pos FROM trace_moves WHERE tx_hash IN (SELECT unnest(?::VARCHAR[]))",
                            [sorted(theft_txs)]).fetchnumpy()["pos"].astype(np.int64)
    named = con.execute("SELECT id FROM trace_ids WHERE address IN (SELECT unnest(?::VARCHAR[]))",
                        [sorted(source_addresses)]).fetchnumpy()["id"].astype(np.int64)
    starts = np.concatenate([named, receiver[theft_pos]]) if sender.size else named
    reached = index.reachable(np.unique(starts), max_hops if max_hops is not None else 1 << 30)
    picked = np.unique(np.concatenate([index.movement_indexes(reached), theft_pos]))
    rows = con.execute("""SELECT block_number, tx_index, seq, tx_hash, from_address, to_address, asset,
                                 amount::VARCHAR FROM trace_moves WHERE pos IN (SELECT unnest(?::BIGINT[]))
                          ORDER BY pos""", [picked.tolist()]).fetchall()
    con.execute("DROP TABLE trace_moves")
    con.execute("DROP TABLE trace_ids")
    return [Movement((int(b), int(i), int(q)), str(h), str(f), str(t), str(a), int(x))
            for b, i, q, h, f, t, a, x in rows]


def service_endpoints(store: Store, chain: str) -> dict[str, Endpoint]:
    """Labelled services (and their cluster members) a trace stops at, with who owns them."""
    rows = store.con.execute(
        """WITH svc AS (SELECT address, arg_max(category, confidence) AS category,
                               arg_max(coalesce(actor, label), confidence) AS owner
                        FROM labels WHERE chain = ? AND category IN ('exchange', 'issuer', 'bridge', 'mixer', 'defi')
                        GROUP BY address)
           SELECT address, category, owner FROM svc
           UNION
           SELECT c2.address, svc.category, svc.owner FROM svc
             JOIN clusters c1 ON c1.chain = ? AND c1.address = svc.address
             JOIN clusters c2 ON c2.chain = c1.chain AND c2.cluster_id = c1.cluster_id""",
        [chain, chain]).fetchall()
    out: dict[str, Endpoint] = {}
    for address, category, owner in sorted(rows):
        out.setdefault(str(address), Endpoint(SERVICE_KINDS[str(category)], str(owner)))
    return out


def _cross_to_bitcoin(store: Store, entered: dict[str, int], report: TraceReport) -> None:
    """Seed the Bitcoin payouts of bridge deposits (`entered`: the taint each deposit tx brought to a
    bridge) and trace them there."""
    crossings = completed_crossings(store)
    if not crossings:
        return
    seeds = crossing_seeds(crossings, entered)
    if not seeds:
        return
    txs = load_utxo_txs(store)
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
