"""Scam cases in the UI: the form that builds one from the agency's reports (as POST /v1/cases does, through
api.report_changes), the case's page (`/ui/cases/{case_id}`: the API's visibility function, so a case the
reader may not see answers as one that does not exist, and what names the victims is the owner's only),
and the link to it that an incident's board loads when its incident is a case. Amounts are read in the
asset's units from the integer base units, the base units a hover away."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hotpursuit.api.deps import State, has_scope
from hotpursuit.api.models.scam_cases import CaseOut
from hotpursuit.api.report_changes import build_case_as
from hotpursuit.api.state import ApiState
from hotpursuit.api.visibility import visible_case, visible_incident, visible_reports
from hotpursuit.chains.readable import human, utc
from hotpursuit.errors import Forbidden, HotpursuitError, InvalidInput, NotFound
from hotpursuit.security.tlp import TLP_ORDER
from hotpursuit.store.asset_units import AssetReader
from hotpursuit.store.org_tables import Caller
from hotpursuit.web.pages import HEADERS, page, refusal, render, signed_in, to_login, ui_text
from hotpursuit.web.report_pages import field_text, may_build, posted_form, reports_answer

router = APIRouter(include_in_schema=False)
CASE_ID_CHARS = 100  # as the API's path
FORM_BYTES = 4 * 1024 * 1024  # the case form names at most every report (ids of 23 characters)
MAX_REPORT_IDS = 100_000


@router.post("/ui/cases")
async def build(request: Request, state: State) -> Response:
    """Build (or rebuild) a case from the agency's reports on a chain (those ticked, else all of them)."""
    _ = ui_text(request)
    opened = await posted_form(request, state, FORM_BYTES, fields=MAX_REPORT_IDS + 5, may=may_build, case_form=True,
                               refused=_("Building a case needs an agency's key with the 'incident' scope."))
    if isinstance(opened, Response):
        return opened
    found, form = opened
    who = found[1]
    typed = {k: field_text(form, k).strip() for k in ("name", "chain", "tlp")}
    chosen = [v for v in form.getlist("reports") if isinstance(v, str) and v]
    try:
        if not typed["name"] or len(typed["name"]) > 200:
            raise InvalidInput("name: give the case a name of 1 to 200 characters")
        if typed["tlp"] and typed["tlp"].upper() not in TLP_ORDER:
            raise InvalidInput(f"tlp: {typed['tlp'][:20]!r} is not a TLP 2.0 level; use one of {', '.join(TLP_ORDER)}")
        if len(chosen) > MAX_REPORT_IDS:
            raise InvalidInput(f"reports: {len(chosen):,} chosen; at most {MAX_REPORT_IDS:,}")
        case_id = await build_case_as(state, who, name=typed["name"], chain=typed["chain"].lower(),
                                      tlp=typed["tlp"].upper() or None, report_ids=chosen or None)
    except HotpursuitError as exc:
        return reports_answer(request, state, found, 403 if isinstance(exc, Forbidden) else 400,
                              case_error=str(exc), case_typed=typed)
    return RedirectResponse(f"/ui/cases/{quote(case_id)}", status_code=303, headers=HEADERS)


def readable_case(state: ApiState, case_id: str, who: Caller) -> CaseOut | None:
    """The case as the reader may see it; None as for one that does not exist."""
    if not has_scope(who, "read") or len(case_id) > CASE_ID_CHARS:
        return None
    try:
        return visible_case(state, case_id, who)
    except NotFound:
        return None


def _amounts(reader: AssetReader, chain: str, values: dict[str, Any]) -> list[dict[str, str]]:
    """asset -> base units, read: [{"asset", "amount" (human, with symbol), "raw"}], by asset."""
    return [{"asset": a, "amount": human(int(v), reader.units(chain, a), a), "raw": f"{int(v):,}"}
            for a, v in sorted(values.items())]


def _located(reader: AssetReader, chain: str, values: dict[str, Any], kind: str) -> list[dict[str, str]]:
    """"address|asset" -> base units (where a victim's money is traced), read."""
    out = []
    for key, v in sorted(values.items(), key=lambda kv: -int(kv[1])):
        address, _, asset = key.partition("|")
        out.append({"address": address, "kind": kind, "amount": human(int(v), reader.units(chain, asset), asset),
                    "raw": f"{int(v):,}"})
    return out


def _victims(state: ApiState, who: Caller, case: CaseOut, reader: AssetReader) -> list[dict[str, Any]]:
    """Per report (the owner's view): the report's reference and victim, how its payment was found or why
    not, the payments, and where that victim's money is traced."""
    chain = case.chain
    own = {r.id: r for r in visible_reports(state, who, ids=[r.report_id for r in case.reports or []])}
    out = []
    for r in case.reports or []:
        report = own.get(r.report_id)
        payments = [{**p, "read": human(int(p["amount"]), reader.units(chain, str(p["asset"])), str(p["asset"])),
                     "raw": f"{int(p['amount']):,}"} for p in r.payments]
        traced = (_located(reader, chain, r.traced.get("endpoints", {}), "endpoint")
                  + _located(reader, chain, r.traced.get("held", {}), "held"))
        out.append({"id": r.report_id, "reference": report.reference if report else None,
                    "victim": report.victim if report else None, "status": r.status, "reason": r.reason,
                    "notes": r.notes, "payments": payments, "traced": traced})
    return out


@router.get("/ui/cases/{case_id}")
async def case_page(case_id: str, request: Request, state: State) -> Response:
    found = signed_in(request, state)
    if found is None:
        return to_login()
    session, who = found
    _ = ui_text(request)
    case = readable_case(state, case_id, who)
    if case is None:
        return refusal(request, found, 404, _("Scam case"))
    state.audit.append(who.org_id, "read-case", case.id)
    incident = visible_incident(state, case.id, who)
    reader = AssetReader(state.store)
    chain, summary = case.chain, case.summary
    addresses = [{"address": a.address, "role": a.role, "rank": a.rank, "victims": a.victims,
                  "received": _amounts(reader, chain, a.evidence.get("received", {})), "why": a.evidence.get("why", ""),
                  "paid_services": [{"address": s, "paid": _amounts(reader, chain, paid)}
                                    for s, paid in sorted(a.evidence.get("paid_services", {}).items())]}
                 for a in case.addresses]
    owner = case.reports is not None
    return page(request, "case.html", title=incident.name, who=who, csrf=session.csrf, case=case, incident=incident,
                built=utc(dt.datetime.fromisoformat(case.built_at)), summary=summary,
                stolen=_amounts(reader, chain, summary.get("stolen", {})),
                collectors=[a for a in addresses if a["rank"] is not None],
                others=[a for a in addresses if a["rank"] is None], sites=summary.get("sites", []),
                owner=owner, victims=_victims(state, who, case, reader) if owner else [],
                unreadable=summary.get("unreadable", []) if owner else [],
                further=sorted(summary.get("further_payers", {}).items()) if owner else [])


@router.get("/ui/cases/{case_id}/link")
async def case_link(case_id: str, request: Request, state: State) -> Response:
    """The link an incident's board shows when its incident is a case the reader may see (an HTML fragment,
    empty otherwise)."""
    found = signed_in(request, state)
    if found is None:
        return Response(status_code=401, headers={**HEADERS, "HX-Redirect": "/ui/login"})
    case = readable_case(state, case_id, found[1])
    fragment = "" if case is None else render(request, "case.html", link_only=True, case=case)
    return HTMLResponse(fragment, headers=HEADERS)
