"""What a caller may see, for every route: claims, incidents (and so their traces, boards and freeze
requests) and annotations pass through security.tlp.may_see here and nowhere else in the API. Something
the caller may not see is answered exactly as something that does not exist (404), so its existence does
not leak."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from hotpursuit.api.models.labels import ClaimOut
from hotpursuit.api.models.scam_cases import CaseAddressOut, CaseOut, CaseReportOut
from hotpursuit.api.models.victim_reports import ReportOut, VictimIn
from hotpursuit.api.state import ApiState
from hotpursuit.attribution.annotations import Annotation
from hotpursuit.errors import NotFound
from hotpursuit.security.tlp import Tlp, may_see
from hotpursuit.store.annotation_tables import annotations_on
from hotpursuit.store.incident_tables import IncidentRow, get_incident, list_incidents
from hotpursuit.store.interdiction_tables import freeze_requests
from hotpursuit.store.label_tables import StoredClaim, claims_for, claims_labelled
from hotpursuit.store.org_tables import Caller, sharing_groups
from hotpursuit.store.scam_case_tables import load_case
from hotpursuit.store.victim_report_tables import StoredReport, load_reports

Groups = dict[str, str | None]


def owner_groups(state: ApiState) -> Groups:
    """Each organisation's sharing group."""
    return sharing_groups(state.store)


def visible(state: ApiState, who: Caller, tlp: str, owner: str | None, groups: Groups | None = None) -> bool:
    """Whether the caller may see data of this TLP owned by `owner`."""
    group = (groups if groups is not None else owner_groups(state)).get(owner or "")
    return may_see(tlp, owner, group, who.org_id, who.sharing_group)


def claim_out(claim: StoredClaim) -> ClaimOut:
    """A stored claim as the API shows it."""
    return ClaimOut(**{**asdict(claim), "source_date": None if claim.source_date is None else str(claim.source_date)})


def visible_claims(state: ApiState, chain: str, address: str, who: Caller) -> tuple[list[ClaimOut], int]:
    """The claims about an address the caller may see, and how many it may not."""
    groups = owner_groups(state)
    shown, withheld = [], 0
    for claim in claims_for(state.store, chain, address):
        if visible(state, who, claim.tlp, claim.asserted_by, groups):
            shown.append(claim_out(claim))
        else:
            withheld += 1
    return shown, withheld


def visible_labelled(state: ApiState, text: str, who: Caller, limit: int = 200
                     ) -> list[tuple[str, str, ClaimOut]]:
    """(chain, address, claim) of the first `limit` claims whose label or actor contains `text` that the
    caller may see (hidden ones are passed over, never counted)."""
    groups = owner_groups(state)
    found = []
    for chain, address, claim in claims_labelled(state.store, text):
        if visible(state, who, claim.tlp, claim.asserted_by, groups):
            found.append((chain, address, claim_out(claim)))
            if len(found) == limit:
                break
    return found


def visible_incident(state: ApiState, incident_id: str, who: Caller) -> IncidentRow:
    """The incident, if the caller may see it; NotFound otherwise (the same answer as no incident)."""
    found = get_incident(state.store, incident_id)
    if found is None or not visible(state, who, found.tlp, found.owner_org):
        raise NotFound(f"incident_id: no incident {incident_id!r} visible to {who.org_id}")
    return found


def visible_incidents(state: ApiState, who: Caller) -> list[IncidentRow]:
    """The incidents the caller may see, by id."""
    groups = owner_groups(state)
    return [i for i in list_incidents(state.store) if visible(state, who, i.tlp, i.owner_org, groups)]


def visible_freeze_requests(state: ApiState, who: Caller, incident: str | None = None) -> list[dict[str, Any]]:
    """The freeze requests the caller may see, oldest first (optionally of one incident): those addressed
    to it (the requesting agency's disclosure to it, whatever the incident's level), and those of
    incidents it may see."""
    seen = {i.id for i in visible_incidents(state, who)}  # one visibility pass, not one per request
    return [r for r in freeze_requests(state.store, incident=incident)
            if r["org"] == who.org_id or r["incident"] in seen]


def visible_annotations(state: ApiState, who: Caller, subject_kind: str, chain: str | None,
                        subject: str) -> list[Annotation]:
    """The live notes on a subject (in its stored form) the caller may see, oldest first. An incident's
    notes only if the caller may see the incident (NotFound otherwise, as for no incident); each note by
    its own TLP and its author's organisation (RED: that organisation only)."""
    if subject_kind == "incident":
        try:
            visible_incident(state, subject, who)
        except NotFound:
            raise NotFound(f"subject: no incident {subject!r} visible to {who.org_id}") from None
    groups = owner_groups(state)
    return [a for a in annotations_on(state.store, subject_kind, chain, subject)
            if visible(state, who, a.tlp, a.author_org, groups)]


WITHHELD = "withheld"


def redact_report(state: ApiState, who: Caller, report: dict[str, Any]) -> dict[str, Any]:
    """A trace report as the caller may read it: an endpoint's owner, a holding's freezer and a venue's name
    named by a claim the caller may not see are withheld (the amounts, addresses and evidence are the incident's,
    which the caller may see)."""
    groups = owner_groups(state)
    for row in [*report.get("endpoints", []), *report.get("held", [])]:
        basis = row.get("basis") or {}
        if not visible(state, who, str(basis.get("tlp", "CLEAR")), basis.get("asserted_by"), groups):
            row.update({"owner": WITHHELD, "freezer": WITHHELD} if "owner" in row else {"freezer": WITHHELD})
            row["basis"] = {"tlp": basis.get("tlp"), "asserted_by": None}
    for row in report.get("at_venues", []):  # a venue's name from a label the caller may not see
        basis = row.get("basis") or {}
        if not visible(state, who, str(basis.get("tlp", "CLEAR")), basis.get("asserted_by"), groups):
            row.update(venue=WITHHELD, basis={"tlp": basis.get("tlp"), "asserted_by": None})
    for swap in report.get("swaps", []):
        bases = swap.get("venue_bases") or []
        for i, basis in enumerate(bases):
            if not visible(state, who, str(basis.get("tlp", "CLEAR")), basis.get("asserted_by"), groups):
                swap["venue_names"][i] = WITHHELD
                bases[i] = {"tlp": basis.get("tlp"), "asserted_by": None}
    return report


def visible_reports(state: ApiState, who: Caller, *, ids: list[str] | None = None) -> list[ReportOut]:
    """Victims' reports the caller may see, oldest first. A report's facts (payment, addresses, website,
    phone) follow its TLP; who the victim is and their own words never leave the organisation that took it,
    whatever the TLP."""
    groups = owner_groups(state)
    return [report_out(s, owner=s.org == who.org_id) for s in load_reports(state.store, ids=ids)
            if visible(state, who, s.report.tlp, s.org, groups)]


def report_out(stored: StoredReport, *, owner: bool) -> ReportOut:
    """A stored report as the API shows it; personal data only for its `owner`."""
    r = stored.report
    victim = VictimIn(name=r.victim_name, contact=r.victim_contact) if owner and (r.victim_name or r.victim_contact) \
        else None
    return ReportOut(id=stored.id, org=stored.org, tlp=Tlp(r.tlp), reference=r.reference, chain=r.chain,
                     paid_on=None if r.paid_on is None else r.paid_on.isoformat(),
                     paid_at=None if r.paid_at is None else r.paid_at.isoformat(), amount=r.amount, asset=r.asset,
                     tx_hashes=list(r.tx_hashes), from_addresses=list(r.from_addresses), paid_to=r.paid_to,
                     website=r.website, phone=r.phone, app=r.app, language=r.language,
                     text=r.text if owner else None, victim=victim, received_at=stored.received_at.isoformat())


CASE_OWNER_ONLY = frozenset({"further_payers", "unreadable"})


def visible_case(state: ApiState, case_id: str, who: Caller) -> CaseOut:
    """A scam case, if the caller may see its incident (NotFound otherwise, as for none). What names the
    victims (their payments and addresses, the likely further victims) is for the case's owner only."""
    visible_incident(state, case_id, who)
    case = load_case(state.store, case_id)
    if case is None:
        raise NotFound(f"case_id: no case {case_id!r} visible to {who.org_id}")
    if case.org == who.org_id:
        return CaseOut(id=case.id, org=case.org, chain=case.chain, built_at=case.built_at.isoformat(),
                       summary=case.summary, addresses=[CaseAddressOut(**a) for a in case.addresses],
                       reports=[CaseReportOut(**r) for r in case.reports])
    # for others, nothing that leads to a report or a victim: no report ids, no payment transactions (their
    # senders are the victims), no likely further victims, no website as a victim typed it
    summary = {k: v for k, v in case.summary.items() if k not in CASE_OWNER_ONLY}
    summary["sites"] = [{**{k: v for k, v in site.items() if k != "reports"}, "report_count": len(site["reports"])}
                        for site in case.summary.get("sites", [])]
    addresses = [CaseAddressOut(**{**a, "evidence": {k: v for k, v in a["evidence"].items()
                                                     if k not in ("reports", "txs")}}) for a in case.addresses]
    return CaseOut(id=case.id, org=case.org, chain=case.chain, built_at=case.built_at.isoformat(), summary=summary,
                   addresses=addresses, reports=None)
