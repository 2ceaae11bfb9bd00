"""Building a scam case from victims' reports: each report's payment found on chain, the case opened as an
incident whose sources are those payments (`ADDRESS@TXHASH`: the loot counts once per victim), traced, and
each payment traced alone so the case says per victim how much went where and where their money met
(victim_reports.convergence). Rebuilding replaces the case and its incident."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hotpursuit.attribution.scam_domains import entity_id, parse_site
from hotpursuit.chains.address_codec import BITCOIN_CHAINS
from hotpursuit.chains.readable import NATIVE_UNITS, AssetUnits
from hotpursuit.errors import InvalidInput
from hotpursuit.jobs.chain_reads import StoreChainReads
from hotpursuit.jobs.trace_job import incident_to_trace, run_trace
from hotpursuit.jobs.trace_setup import TraceSetup, owner_view, trace_setup
from hotpursuit.security.tlp import TLP_ORDER
from hotpursuit.store.case_reads import (
    CandidateSearch,
    chains_holding,
    ever_received,
    payers_traffic,
    payment_candidates,
)
from hotpursuit.store.database import Store
from hotpursuit.store.incident_tables import close_incident, get_incident, incident_id_for, open_incident
from hotpursuit.store.scam_case_tables import StoredCase, save_case
from hotpursuit.store.scam_entity_tables import forget_recorded, match_site, record_entity
from hotpursuit.store.taint_tables import save_trace
from hotpursuit.store.victim_report_tables import StoredReport, load_reports
from hotpursuit.trace.account_taint import TraceResult, trace_account
from hotpursuit.trace.movement import Movement
from hotpursuit.trace.report import TraceReport
from hotpursuit.victim_reports.convergence import Convergence, Payment, converge
from hotpursuit.victim_reports.payment_match import (
    AssetBook,
    PaymentFinding,
    find_payments,
    search_window,
)
from hotpursuit.victim_reports.reported_sites import reported_sites

ZERO = "0x" + "00" * 20


@dataclass
class ScamCase:
    """A case built: its incident, the reports' findings, the ring and the combined trace."""

    incident: str
    reports: list[StoredReport]
    findings: dict[str, PaymentFinding]
    convergence: Convergence
    trace: TraceReport
    traced: dict[str, dict[str, Any]]  # report -> {"endpoints": {...}, "held": {...}} (base units)
    sites: dict[str, Any]  # the websites the victims were sent to, recorded as scam sites; those unreadable
    tlp: str  # the case's marking (its incident's and its site's)


def build_scam_case(store: Store, *, org: str, name: str, chain: str, report_ids: Iterable[str] | None = None,
                    tlp: str | None = None, model: str = "haircut", at: dt.datetime | None = None) -> ScamCase:
    """Build (or rebuild) the case `name` from `org`'s reports on `chain` (those of `report_ids` if given).
    The case (its incident and its site) is marked `tlp`, by default the strictest TLP of its reports: its
    payments name the victims' wallets, so it is shared only as far as every report allows unless the
    agency says otherwise."""
    if chain in BITCOIN_CHAINS:
        raise InvalidInput(f"chain {chain}: cases are built on account chains (Ethereum and other EVM chains); a "
                           "Bitcoin payment can be traced as an incident (hotpursuit incident open)")
    wanted = None if report_ids is None else sorted(set(report_ids))
    reports = load_reports(store, org=org, ids=wanted, chain=chain)
    if wanted is not None and len(reports) < len(wanted):
        missing = sorted(set(wanted) - {s.id for s in reports})
        raise InvalidInput(f"reports {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}: none of {org}'s "
                           f"reports on {chain} (hotpursuit report list --org {org})")
    if not reports:
        raise InvalidInput(f"no reports of {org} on {chain}: take them first (hotpursuit report intake FILE --org ORG)")
    tlp = tlp or max((s.report.tlp for s in reports), key=TLP_ORDER.index)
    view = owner_view(store, org)
    setup = trace_setup(store, chain, visible=view)
    book = _asset_book(chain, setup)
    candidates = payment_candidates(store, chain, [CandidateSearch(
        s.id, s.report.tx_hashes, s.report.from_addresses, [s.report.paid_to] if s.report.paid_to else [],
        search_window(s.report)) for s in reports])
    matched = find_payments({s.id: s.report for s in reports}, candidates, book)
    findings = {s.id: _explain(store, chain, s, matched[s.id]) for s in reports}
    payments = {rid: [Payment(t.sender, t.receiver, t.asset, t.amount, t.tx_hash, t.block) for t in f.transfers]
                for rid, f in findings.items() if f.found}
    if not payments:
        reasons = "; ".join(f"{s.report.reference or s.id}: {findings[s.id].how}" for s in reports[:5])
        raise InvalidInput(f"none of the {len(reports)} reports' payments was found on {chain}: {reasons}")
    sources = sorted({f"{p.receiver}@{p.tx}" for paid in payments.values() for p in paid})
    before = get_incident(store, case_id(org, name))
    incident, _ = open_incident(store, name, chain, sources, tlp=tlp, owner=org, replace=True,
                                ident=case_id(org, name))
    if before is not None and before.status == "closed":  # rebuilt, a closed case stays closed (no new asks)
        close_incident(store, incident)
    assets = sorted({p.asset for paid in payments.values() for p in paid})
    trace = run_trace(store, incident, model=model, visible=view, include_assets=assets)
    save_trace(store, trace)
    setup = trace_setup(store, chain, visible=view, include_assets=assets)
    _, since, incident_sources = incident_to_trace(store, incident)
    reads = StoreChainReads(store)
    moves = reads.movements(chain, since, incident_sources, set(setup.ignored_assets), None)
    signers = reads.signers(chain, (m.tx_hash for m in moves))
    scope = VictimScope(moves, trace)
    alone = {rid: _trace_alone(scope.movements({p.receiver for p in paid}), paid, setup, model, signers)
             for rid, paid in payments.items()}
    services = _services(setup, trace)
    blocks = {m.tx_hash: m.order[0] for m in moves}
    inflow: dict[tuple[str, str], int] = defaultdict(int)
    for m in moves:
        inflow[(m.receiver, m.asset)] += m.amount
    first = converge({rid: r.flows for rid, r in alone.items()}, payments, services, blocks, inflow=inflow)
    core = [r.address for r in first.collectors()]
    traffic = payers_traffic(store, chain, core, since=since, ignored=setup.ignored_assets) if core else []
    ring = converge({rid: r.flows for rid, r in alone.items()}, payments, services, blocks, inflow=inflow,
                    payer_traffic=traffic)
    traced = {rid: _traced_where(r) for rid, r in alone.items()}
    sites = _record_sites(store, org, chain, tlp, incident, reports, payments, ring)
    case = ScamCase(incident, reports, findings, ring, trace, traced, sites, tlp)
    save_case(store, _stored(case, org, chain, at or dt.datetime.now(dt.UTC)))
    return case


def case_id(org: str, name: str) -> str:
    """The case's incident id: from its name, and a digest of the organisation and the name, so that building
    it again replaces it and no other organisation's case of the same name is ever touched."""
    digest = hashlib.sha256(f"{org}\n{name}".encode()).hexdigest()[:12]
    return f"{incident_id_for(name)[:60]}-{digest}".lstrip("-")


def _record_sites(store: Store, org: str, chain: str, tlp: str, case: str, reports: list[StoredReport],
                  payments: dict[str, list[Payment]], ring: Convergence) -> dict[str, Any]:
    """Record each website the victims name as a fake exchange with the deposit addresses it handed out (the
    most reported site gets every deposit address of the ring: the others only their own reports'), under the
    case's own source (rebuilt, it replaces its records), and say which lists the owner may see know it."""
    groups, unreadable = reported_sites({s.id: s.report for s in reports})
    source, view = f"victim reports, case {case}", owner_view(store, org)
    forget_recorded(store, source, org)  # the case's sites as its reports say now, at its TLP now

    def seen_by(level: str, owner: str | None) -> bool:
        return view is None or view(level, owner)

    deposits = [r.address for r in ring.addresses if r.role == "deposit"]
    out = []
    for i, site in enumerate(groups):
        handed = deposits if i == 0 else sorted({p.receiver for rid in site.reports for p in payments.get(rid, [])})
        first = site.first_seen or min((s.report.paid_on for s in reports if s.report.paid_on), default=None)
        record_entity(store, site.domain, "fake_exchange", first_seen=first or dt.date.today(), source=source,
                      org=org, tlp=tlp, addresses=[(chain, a) for a in handed])
        entity = entity_id(parse_site(site.domain).domain)
        listed = [{"domain": m.domain, "kind": m.kind, "how": m.how, "source": m.source, "licence": m.licence,
                   "reason": m.reason} for m in match_site(store, site.domain, seen_by=seen_by) if m.source != source]
        out.append({"entity": entity, "domain": site.domain, "spellings": site.spellings, "reports": site.reports,
                    "first_seen": None if first is None else first.isoformat(), "addresses": handed,
                    "listed": listed})
    return {"sites": out, "unreadable": [{"report": rid, "reason": why} for rid, why in unreadable]}


def _explain(store: Store, chain: str, stored: StoredReport, finding: PaymentFinding) -> PaymentFinding:
    """A payment not found, with what the store says of the report's transactions and addresses."""
    r = stored.report
    if finding.found:
        return finding
    extra = []
    if r.tx_hashes:
        elsewhere = chains_holding(store, r.tx_hashes)
        for tx in r.tx_hashes:
            other = [c for c in elsewhere.get(tx, []) if c != chain]
            if other:
                extra.append(f"transaction {tx} is on {', '.join(other)}, not {chain}: correct the report's chain")
            elif chain not in elsewhere.get(tx, []):
                extra.append(f"transaction {tx} is not in the store (ingest its block, or check the hash)")
    named = [a for a in (*r.from_addresses, *([r.paid_to] if r.paid_to else []))]
    if named and not r.tx_hashes:
        silent = sorted(set(named) - ever_received(store, chain, named))
        if r.paid_to in silent:
            extra.append(f"{r.paid_to} never received anything on {chain}: check the address the victim was given")
    if not extra:
        return finding
    return PaymentFinding(False, "; ".join([*extra, finding.how]), (), finding.notes)


def _asset_book(chain: str, setup: TraceSetup) -> AssetBook:
    native = NATIVE_UNITS.get(chain, AssetUnits("ETH", 18))
    tokens = {a: AssetUnits(t.symbol or a, t.decimals) for a, t in setup.trust.items()
              if t.decimals is not None and a != native.symbol}
    return AssetBook(native, tokens, frozenset(setup.ignored_assets), frozenset(setup.endpoints))


class VictimScope:
    """The movements one victim's trace needs: every transaction touching an address its money can reach.

    A victim's money flows only where the combined trace's flows go (a part of the loot is tainted only where
    the whole is: haircut shares, FIFO lots and the poisoned set all grow with the sources, and the job sets
    no dust or hop limit), so its trace over the transactions of the addresses reachable from its deposit
    addresses along those flows is the trace over everything, for a fraction of the work: every movement of
    each such address is there (its balances and what it passes on), and whole transactions (swaps by net
    flows). Reach is cached per set of deposit addresses (victims share them)."""

    def __init__(self, moves: list[Movement], combined: TraceReport) -> None:
        self._moves = moves
        self._next: dict[str, set[str]] = defaultdict(set)
        for f in combined.flows:
            if int(f["tainted"]) > 0:
                self._next[str(f["from"])].add(str(f["to"]))
        self._txs_of: dict[str, set[str]] = defaultdict(set)
        for m in moves:
            self._txs_of[m.sender].add(m.tx_hash)
            self._txs_of[m.receiver].add(m.tx_hash)
        self._cache: dict[frozenset[str], list[Movement]] = {}

    def movements(self, starts: set[str]) -> list[Movement]:
        """The movements (in the order given) of the transactions touching what is reachable from `starts`."""
        key = frozenset(starts)
        if key not in self._cache:
            reached, todo = set(starts), list(starts)
            while todo:
                for nxt in self._next.get(todo.pop(), ()):
                    if nxt not in reached:
                        reached.add(nxt)
                        todo.append(nxt)
            txs = set().union(*(self._txs_of.get(a, set()) for a in reached))
            self._cache[key] = [m for m in self._moves if m.tx_hash in txs]
        return self._cache[key]


def _trace_alone(moves: list[Movement], paid: list[Payment], setup: TraceSetup, model: str,
                 signers: dict[str, str]) -> TraceResult:
    return trace_account(moves, source_receipts={(p.receiver, p.tx) for p in paid}, endpoints=setup.endpoints,
                         model=model, traced_assets=setup.traced_assets, venues=set(setup.venues), signers=signers)


def _services(setup: TraceSetup, trace: TraceReport) -> dict[str, str]:
    """What is nobody's ring: the services a trace stops at, venues (labelled or found swapping), tokens."""
    out = {a: e.kind for a, e in setup.endpoints.items()}
    out.update({v: "venue" for v in setup.venues})
    for s in trace.swaps:
        out.update({v: "venue" for v in s["venues"]})
    out.update({a: "token" for a in setup.traced_assets if a.startswith("0x")})
    out[ZERO] = "zero address"
    return out


def _traced_where(result: TraceResult) -> dict[str, Any]:
    return {"endpoints": {f"{a}|{asset}": str(arr.tainted) for (a, asset), arr in sorted(result.arrivals.items())
                          if arr.tainted > 0},
            "held": {f"{a}|{asset}": str(v) for (a, asset), v in sorted(result.held.items()) if v > 0}}


def _stored(case: ScamCase, org: str, chain: str, at: dt.datetime) -> StoredCase:
    found = sum(1 for f in case.findings.values() if f.found)
    collectors = case.convergence.collectors()
    summary = {"reports": len(case.reports), "payments_found": found, "not_found": len(case.reports) - found,
               "ring_addresses": len(case.convergence.addresses), "collector": collectors[0].address if collectors
               else None, "further_payers": case.convergence.further_payers,
               "diluted": case.convergence.diluted, "input_hash": case.trace.input_hash,
               "stolen": case.trace.stolen, **case.sites}
    reports = [{"report_id": s.id, "status": "found" if case.findings[s.id].found else "not_found",
                "reason": case.findings[s.id].how, "notes": list(case.findings[s.id].notes),
                "payments": [{"tx_hash": t.tx_hash, "from": t.sender, "to": t.receiver, "asset": t.asset,
                              "amount": str(t.amount), "block": t.block} for t in case.findings[s.id].transfers],
                "traced": case.traced.get(s.id, {})} for s in case.reports]
    addresses = [{"address": a.address, "role": a.role, "rank": a.rank, "victims": len(a.reports),
                  "evidence": {"reports": a.reports, "received": {k: str(v) for k, v in sorted(a.received.items())},
                               "first_block": a.first_block, "converged_block": a.converged_block, "txs": a.txs,
                               "paid_services": {s: {k: str(v) for k, v in p.items()}
                                                 for s, p in sorted(a.paid_services.items())}, "why": a.why}}
                 for a in case.convergence.addresses]
    return StoredCase(case.incident, org, chain, at, summary, reports, addresses)
