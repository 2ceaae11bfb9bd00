"""Victims' reports: taking one (scope `write`), and reading those the caller may see (personal data for
the organisation that took them only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from hotpursuit.api.deps import Reader, State, Writer
from hotpursuit.api.models.errors import ERRORS, NOT_FOUND
from hotpursuit.api.models.victim_reports import ReportIn, ReportOut, ReportsPage, ReportTaken
from hotpursuit.api.pagination import page
from hotpursuit.api.report_changes import report_chains, take_reports
from hotpursuit.api.visibility import visible_reports
from hotpursuit.errors import NotFound
from hotpursuit.victim_reports.model import check_report

router = APIRouter(tags=["reports"])
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=400)]


@router.post("/v1/reports", status_code=201, response_model=ReportTaken, responses=ERRORS)
async def report_take(body: ReportIn, who: Writer, state: State) -> ReportTaken:
    """Take a victim's report for the caller's organisation (TLP:RED unless marked otherwise; who the victim
    is never leaves the organisation); audited. Filed again under the same reference, it replaces the first."""
    report = check_report(body.model_dump(exclude_none=True), known_chains=report_chains(state))
    ((rid, status),) = take_reports(state, who, [report])
    return ReportTaken(id=rid, status=status)


@router.get("/v1/reports", response_model=ReportsPage, responses=ERRORS)
async def reports(who: Reader, state: State, limit: Limit = 100, cursor: Cursor = None) -> ReportsPage:
    """Reports the caller may see, oldest first."""
    shown = visible_reports(state, who)
    chosen, after = page(shown, lambda r: r.id, limit=limit, cursor=cursor)
    if chosen:
        state.audit.append(who.org_id, "read-reports", f"{len(chosen)} reports")
    return ReportsPage(total=len(shown), next=after, reports=chosen)


@router.get("/v1/reports/{report_id}", response_model=ReportOut, responses=NOT_FOUND)
async def report_one(report_id: Annotated[str, Path(max_length=40)], who: Reader, state: State) -> ReportOut:
    """One report, if the caller may see it (404 otherwise, as for none)."""
    found = visible_reports(state, who, ids=[report_id])
    if not found:
        raise NotFound(f"report_id: no report {report_id!r} visible to {who.org_id}")
    state.audit.append(who.org_id, "read-report", found[0].id)
    return found[0]
