"""Reading a case report's inputs: run the trace as the reader organisation may see the labels, then read
the incident, its sources and freeze requests, the clusters, labels and annotations the reader may see,
and the blocks and times of the transactions the evidence cites. The adapter between the store and the
pure document (casereport.document)."""

from __future__ import annotations

from hotpursuit import __version__
from hotpursuit.attribution.annotations import Annotation
from hotpursuit.casereport.amounts import AssetBook, units_from_report
from hotpursuit.casereport.graph_model import GraphFacts
from hotpursuit.casereport.inputs import CaseInputs, IncidentFacts, TraceParameters
from hotpursuit.chains.readable import AssetUnits
from hotpursuit.errors import NotFound
from hotpursuit.jobs.trace_job import run_trace
from hotpursuit.jobs.trace_setup import Visible, owner_view
from hotpursuit.security.tlp import may_see
from hotpursuit.store.address_page import block_times
from hotpursuit.store.annotation_tables import annotations_for_incident
from hotpursuit.store.asset_units import AssetReader
from hotpursuit.store.case_report_reads import bitcoin_input_addresses, claims_about, incident_dates, org_names
from hotpursuit.store.database import Store
from hotpursuit.store.graph_context import clusters_of, tx_blocks
from hotpursuit.store.incident_tables import get_incident, source_amounts
from hotpursuit.store.interdiction_tables import board, freeze_requests
from hotpursuit.store.org_tables import sharing_groups
from hotpursuit.trace.report import TraceReport


def gather_case(store: Store, incident_id: str, parameters: TraceParameters, *, reader: str | None = None,
                base_units_of: str = "{amount} base units of {asset}") -> CaseInputs:
    """Everything the case report of `incident_id` is made from, as organisation `reader` may see it (default:
    the incident's owner; an incident without an owner and no reader: the store's operator, who sees all).
    `base_units_of`: how the report's language says an amount of an asset whose decimals are unknown."""
    row = get_incident(store, incident_id)
    dates = incident_dates(store, incident_id)
    if row is None or dates is None:
        raise NotFound(f"incident {incident_id!r}: no such incident (hotpursuit incident list)")
    names = org_names(store)
    reader = reader or row.owner_org
    if reader is not None and reader not in names:
        raise NotFound(f"--reader {reader!r}: no such organisation (hotpursuit org list)")
    groups = sharing_groups(store)
    if reader is not None and not may_see(row.tlp, row.owner_org, groups.get(row.owner_org or ""), reader,
                                          groups.get(reader)):
        raise NotFound(f"incident {incident_id!r}: no such incident visible to {reader} (its TLP does not let "
                       f"{reader} see it)")
    visible = owner_view(store, reader)
    report = run_trace(store, incident_id, model=parameters.model, max_hops=parameters.max_hops,
                       dust=parameters.dust, dust_by_asset=dict(parameters.dust_by_asset),
                       until_block=parameters.until_block, include_assets=list(parameters.include_assets) or None,
                       visible=visible)
    sources = source_amounts(store, incident_id)
    requests = freeze_requests(store, incident=incident_id)
    theft_txs = sorted({ref if kind == "tx" else str(at_tx) for kind, ref, at_tx, *_ in sources
                        if kind == "tx" or at_tx})
    tx_times = _tx_times(store, _cited_txs(report) | {(row.chain, tx) for tx in theft_txs})
    theft = tuple((tx, *tx_times.get((row.chain, tx), (None, None))) for tx in theft_txs)
    incident = IncidentFacts(row.id, row.name, row.chain, row.status, row.actor, row.victim, row.tlp,
                             None if row.owner_org is None else names.get(row.owner_org, row.owner_org),
                             dates.opened_at, dates.closed_at, theft)
    facts = _graph_facts(store, report, row.victim, row.chain, sources, visible, tx_times)
    return CaseInputs(incident, report, parameters, _book(store, report, requests, base_units_of), requests,
                      board(store, incident_id)["organisations"], sources, tx_times, names, facts,
                      _visible_annotations(store, incident_id, report, reader), reader, __version__)


def _cited_txs(report: TraceReport) -> set[tuple[str, str]]:
    """(chain, tx) of every transaction the endpoints' evidence names."""
    found = {(str(e["chain"]), str(t)) for e in report.endpoints for t in e.get("evidence", [])}
    return found | {(str(e["chain"]), str(p["tx"])) for e in report.endpoints for p in e.get("path") or []}


def _tx_times(store: Store, cited: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int | None]]:
    out: dict[tuple[str, str], tuple[int, int | None]] = {}
    for chain in sorted({c for c, _ in cited}):
        blocks = tx_blocks(store, chain, [t for c, t in cited if c == chain])
        times = block_times(store, chain, sorted(set(blocks.values())))
        out.update({(chain, tx): (block, times.get(block)) for tx, block in blocks.items()})
    return out


def _graph_facts(store: Store, report: TraceReport, victim: str | None, chain: str,
                 sources: list[tuple[str, str, str | None, str | None, int | None, str]], visible: Visible | None,
                 tx_times: dict[tuple[str, str], tuple[int, int | None]]) -> GraphFacts:
    """Clusters, visible names and Bitcoin senders of the addresses the report's flows name."""
    addresses: dict[str, set[str]] = {}
    for f in report.flows:
        addresses.setdefault(str(f["chain"]), set()).update((str(f["from"]), str(f["to"])))
    senders = {tx: found[0] for tx, found in bitcoin_input_addresses(
        store, "bitcoin", addresses.get("bitcoin", set())).items()}
    if senders:
        addresses.setdefault("bitcoin", set()).update(senders.values())
    clusters = {c: clusters_of(store, c, a) for c, a in sorted(addresses.items())}
    names: dict[str, str] = {}
    cluster_names: dict[str, str] = {}
    used: set[tuple[str, str | None, str]] = set()
    for c, members in sorted(addresses.items()):
        ids = {cluster: address for address, (cluster, _) in clusters[c].items()}
        for claim in claims_about(store, c, members, sorted(ids)):
            if visible is not None and not visible(claim.tlp, claim.asserted_by):
                continue
            if names.setdefault(f"{c}:{claim.address}", claim.label) == claim.label:
                used.add((f"{c}:{claim.address}", claim.asserted_by, claim.tlp))
            found = clusters[c].get(claim.address)
            if found is not None and cluster_names.setdefault(f"cluster:{c}:{found[0]}", claim.label) == claim.label:
                used.add((f"{c}:{claim.address}", claim.asserted_by, claim.tlp))
    starts = {f"{chain}:{victim}"} if victim else set()
    starts |= {f"{chain}:{ref}" for kind, ref, *_ in sources if kind == "address"}
    blocks = {key: block for key, (block, _) in tx_times.items()}
    blocks.update({(c, t): b for c in sorted(addresses) if c != "bitcoin"
                   for t, b in tx_blocks(store, c, [str(f["tx"]) for f in report.flows if f["chain"] == c]).items()})
    return GraphFacts(clusters, blocks, names, cluster_names, senders, frozenset(starts), tuple(sorted(
        used, key=lambda u: (u[0], u[1] or "", u[2]))))


def _book(store: Store, report: TraceReport, requests: list[dict[str, object]], base_units_of: str) -> AssetBook:
    """How every asset the report or a freeze request names is read."""
    units: dict[str, AssetUnits | None] = dict(units_from_report(report.assets))
    reader = AssetReader(store)
    for r in requests:
        asset = str(r["asset"])
        if asset not in units:
            units[asset] = reader.units(str(r["chain"]), asset)
    return AssetBook(units, base_units_of)


def _visible_annotations(store: Store, incident_id: str, report: TraceReport, reader: str | None) -> list[Annotation]:
    """The incident's notes and those on the addresses and transactions the report names, as TLP lets the
    reader see them (no reader: the operator, who sees all)."""
    places = sorted({(str(r["chain"]), str(r["address"])) for r in [*report.endpoints, *report.held]}
                    | {(str(f["chain"]), str(a)) for f in report.flows for a in (f["from"], f["to"])})
    txs = sorted({(str(f["chain"]), str(f["tx"])) for f in report.flows}
                 | {(str(e["chain"]), str(p["tx"])) for e in report.endpoints for p in e.get("path") or []})
    found = annotations_for_incident(store, incident_id, places, txs)
    if reader is None:
        return found
    groups = sharing_groups(store)
    return [a for a in found if may_see(a.tlp, a.author_org, groups.get(a.author_org), reader, groups.get(reader))]
