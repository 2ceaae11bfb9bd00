"""Scam cases: building one from the caller's victims' reports (an agency's key with the `incident` scope: the
case is an incident, which asks freezes), and reading one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from hotpursuit.api.deps import Investigator, Reader, State
from hotpursuit.api.models.errors import ERRORS, NOT_FOUND
from hotpursuit.api.models.scam_cases import CaseIn, CaseOut
from hotpursuit.api.report_changes import build_case_as
from hotpursuit.api.visibility import visible_case

router = APIRouter(tags=["cases"])


@router.post("/v1/cases", status_code=201, response_model=CaseOut, responses=ERRORS)
async def case_build(body: CaseIn, who: Investigator, state: State) -> CaseOut:
    """Build (or rebuild) a case from the caller's reports: each payment found (or why not), the incident
    opened with the payments as its sources and traced, the ring's collectors ranked; the live watch takes
    the incident up at once and asks the cash-out exchanges to freeze. Audited."""
    case_id = await build_case_as(state, who, name=body.name, chain=body.chain,
                                  tlp=None if body.tlp is None else body.tlp.value, report_ids=body.reports,
                                  model=body.model)
    return visible_case(state, case_id, who)


@router.get("/v1/cases/{case_id}", response_model=CaseOut, responses=NOT_FOUND)
async def case_one(case_id: Annotated[str, Path(max_length=100)], who: Reader, state: State) -> CaseOut:
    """A case the caller may see (404 otherwise, as for none): the victims' side only for its owner."""
    found = visible_case(state, case_id, who)
    state.audit.append(who.org_id, "read-case", found.id)
    return found
