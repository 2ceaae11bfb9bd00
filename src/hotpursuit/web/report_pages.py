"""The victims' reports page of the UI (`/ui/reports`): the reports the reader's organisation may see (the
API's visibility function: who the victim is and their own words only for the organisation that took the
report, whatever its TLP), the cases it may see, a form that takes one report and an upload of the CSV
intake form, both checked, stored and audited by the functions POST /v1/reports uses (api.report_changes).
A refused form shows the page again with the reason naming the field and what was typed; nothing is
stored. The form that builds a case from the reports is web.case_pages'."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from hotpursuit.api.deps import State, has_scope
from hotpursuit.api.models.victim_reports import ReportOut
from hotpursuit.api.report_changes import report_chains, take_reports
from hotpursuit.api.state import ApiState
from hotpursuit.api.visibility import visible_incident, visible_reports
from hotpursuit.chains.readable import utc
from hotpursuit.errors import HotpursuitError, NotFound
from hotpursuit.security.tlp import TLP_ORDER
from hotpursuit.store.scam_case_tables import cases_of
from hotpursuit.victim_reports.intake_forms import CSV_COLUMNS, Intake, flat_report, read_intake, status_counts
from hotpursuit.victim_reports.model import check_report
from hotpursuit.web.pages import HEADERS, Signed, page, signed_in, to_login, ui_text
from hotpursuit.web.sessions import csrf_holds

router = APIRouter(include_in_schema=False)
SHOWN = 200  # the newest reports listed; the API pages through all of them
FORM_BYTES = 256 * 1024  # one report's form (its free text is at most 20,000 characters)
MAX_INTAKE_BYTES = 2 * 1024 * 1024  # an uploaded intake file
INTAKE_KIB = f"{MAX_INTAKE_BYTES // 1024:,}"
REPORT_DEFAULTS = {"tlp": "RED", "language": ""}


def may_build(signed: Signed) -> bool:
    """Whether the reader may build a case: an agency's key with the `incident` scope (a case is an incident)."""
    return signed[1].kind == "agency" and has_scope(signed[1], "incident")


def _shown_report(r: ReportOut, own: bool) -> dict[str, Any]:
    paid = utc(dt.datetime.fromisoformat(r.paid_at)) if r.paid_at else (r.paid_on or "")
    return {"id": r.id, "org": r.org, "own": own, "tlp": r.tlp.value, "reference": r.reference or "",
            "chain": r.chain, "paid": paid, "amount": f"{r.amount} {r.asset}" if r.amount else (r.asset or ""),
            "tx_hashes": r.tx_hashes, "from_addresses": r.from_addresses, "paid_to": r.paid_to,
            "website": r.website or "", "phone": r.phone or "", "app": r.app or "", "language": r.language,
            "text": r.text, "victim": r.victim, "received": utc(dt.datetime.fromisoformat(r.received_at))}


def _cases(state: ApiState, signed: Signed) -> list[dict[str, Any]]:
    """The cases whose incident the reader may see, newest first."""
    out = []
    for case_id, org, chain, built in cases_of(state.store):
        try:
            incident = visible_incident(state, case_id, signed[1])
        except NotFound:
            continue
        out.append({"id": case_id, "name": incident.name, "org": org, "chain": chain, "tlp": incident.tlp,
                    "built": utc(built)})
    return out


def reports_answer(request: Request, state: ApiState, signed: Signed, status: int = 200, *,
                   error: str | None = None, typed: dict[str, str] | None = None, intake: Intake | None = None,
                   taken: list[tuple[str, str]] | None = None, case_error: str | None = None,
                   case_typed: dict[str, str] | None = None) -> Response:
    """The reports page; `error` above the report form (with what was `typed` in it), the outcome of an
    upload (`intake` and the reports `taken`), `case_error` above the case form."""
    session, who = signed
    _ = ui_text(request)
    if not has_scope(who, "read"):
        return page(request, "reports.html", status=403, title=_("Victims' reports"), who=who, csrf=session.csrf,
                    refused=True)
    shown = visible_reports(state, who)
    if shown:
        state.audit.append(who.org_id, "read-reports", f"{min(len(shown), SHOWN)} reports")
    newest = sorted(shown, key=lambda r: (r.received_at, r.id), reverse=True)[:SHOWN]
    chains = report_chains(state)
    first_chain = "ethereum" if "ethereum" in chains or not chains else chains[0]
    counts = None if taken is None else {"taken": len(taken), **status_counts(taken)}
    return page(request, "reports.html", status=status, title=_("Victims' reports"), who=who, csrf=session.csrf,
                reports=[_shown_report(r, r.org == who.org_id) for r in newest], total=len(shown),
                cases=_cases(state, signed), chains=chains, levels=TLP_ORDER, error=error,
                typed={**REPORT_DEFAULTS, "chain": first_chain, **(typed or {})}, intake=intake, counts=counts,
                case_error=case_error, case_typed={"tlp": "", "chain": first_chain, **(case_typed or {})},
                may_file=has_scope(who, "write"), may_build=may_build(signed), columns=CSV_COLUMNS,
                max_intake=INTAKE_KIB)


@router.get("/ui/reports")
async def reports(request: Request, state: State) -> Response:
    found = signed_in(request, state)
    if found is None:
        return to_login()
    return reports_answer(request, state, found)


def field_text(form: FormData, name: str) -> str:
    """A text field of a form ("" if absent, or a file)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def read_form(request: Request, limit: int, *, files: int = 0, fields: int = len(CSV_COLUMNS) + 4
                    ) -> FormData | int:
    """The form, read within `limit` bytes (checked before a byte is read when the length is declared, else
    while it streams); the status to answer with if it cannot be read."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        return 413
    try:
        return await request.form(max_files=files, max_fields=fields, max_part_size=FORM_BYTES)
    except HTTPException as exc:  # too many fields, a field too large, cut off while streaming
        return exc.status_code


async def posted_form(request: Request, state: ApiState, limit: int, *, may: Callable[[Signed], bool],
                      refused: str, files: int = 0, fields: int = len(CSV_COLUMNS) + 4, too_large: str | None = None,
                      case_form: bool = False) -> tuple[Signed, FormData] | Response:
    """What every form of the reports page checks first: the reader signed in, the form read within `limit`
    (`too_large` for a 413, if given), its CSRF token this session's, and `may` (else `refused`): the reader
    and the form, or the answer (the page with the reason above the report form, or the case form)."""
    found = signed_in(request, state)
    if found is None:
        return to_login()
    _ = ui_text(request)

    def answer(status: int, message: str) -> Response:
        return reports_answer(request, state, found, status, error=None if case_form else message,
                              case_error=message if case_form else None)

    form = await read_form(request, limit, files=files, fields=fields)
    if isinstance(form, int):
        return answer(form, too_large if too_large and form == 413 else _(
            "The form could not be read (too large, or not this page's form): nothing was stored."))
    if not csrf_holds(found[0], field_text(form, "csrf") or None):
        return answer(403, _("The form was not this session's."))
    if not may(found):
        return answer(403, refused)
    return found, form


def may_write(signed: Signed) -> bool:
    """Whether the reader may take reports: a key with the `write` scope."""
    return has_scope(signed[1], "write")


@router.post("/ui/reports")
async def take_one(request: Request, state: State) -> Response:
    """Take one victim's report from the form, as POST /v1/reports does (scope `write`)."""
    _ = ui_text(request)
    opened = await posted_form(request, state, FORM_BYTES, may=may_write,
                               refused=_("Taking a report needs a key with the 'write' scope."))
    if isinstance(opened, Response):
        return opened
    found, form = opened
    who = found[1]
    typed = {k: field_text(form, k) for k in CSV_COLUMNS}
    try:
        report = check_report(flat_report(typed), known_chains=report_chains(state))
        ((rid, _status),) = take_reports(state, who, [report])
    except HotpursuitError as exc:
        return reports_answer(request, state, found, 400, error=str(exc), typed=typed)
    return RedirectResponse(f"/ui/reports#{rid}", status_code=303, headers=HEADERS)


@router.post("/ui/reports/intake")
async def take_file(request: Request, state: State) -> Response:
    """Take the reports of an uploaded intake file (the CSV form, or JSON): the good ones are stored, each
    bad row is listed with its place and reason."""
    _ = ui_text(request)
    too_large = _("The file is larger than %(limit)s KiB: split it, or use `hotpursuit report intake`. Nothing "
                  "was stored.", limit=INTAKE_KIB)
    opened = await posted_form(request, state, MAX_INTAKE_BYTES + FORM_BYTES, files=1, too_large=too_large,
                               may=may_write, refused=_("Taking a report needs a key with the 'write' scope."))
    if isinstance(opened, Response):
        return opened
    found, form = opened
    who = found[1]
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return reports_answer(request, state, found, 400, error=_("Choose the file to upload."))
    data = await upload.read(MAX_INTAKE_BYTES + 1)
    if len(data) > MAX_INTAKE_BYTES:
        return reports_answer(request, state, found, 413, error=too_large)
    name = os.path.basename(upload.filename or "upload")[:100] or "upload"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return reports_answer(request, state, found, 400, error=_(
            "%(name)s is not UTF-8 text (byte %(at)s): save the form as CSV UTF-8. Nothing was stored.",
            name=name, at=exc.start))
    try:
        intake = read_intake(text, name, known_chains=report_chains(state))
    except HotpursuitError as exc:  # not a form at all (its header, or not JSON): nothing to list
        return reports_answer(request, state, found, 400, error=str(exc))
    if not intake.accepted:
        return reports_answer(request, state, found, 400, intake=intake, taken=[],
                              error=_("No report of %(name)s could be taken: nothing was stored.", name=name))
    try:
        taken = take_reports(state, who, [report for _place, report in intake.accepted])
    except HotpursuitError as exc:
        return reports_answer(request, state, found, 400, error=str(exc))
    return reports_answer(request, state, found, intake=intake, taken=taken)
