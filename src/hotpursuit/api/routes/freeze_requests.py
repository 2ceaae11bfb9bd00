"""Freeze requests: those addressed to the caller and those of incidents it may see, and its answers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hotpursuit.api.deps import Reader, State, Writer
from hotpursuit.api.freeze_answers import answer_freeze_request
from hotpursuit.api.models.errors import ERRORS, NOT_FOUND
from hotpursuit.api.models.freeze_requests import AnswerIn, AnswerOut, FreezeRequestOut, FreezeRequestsPage
from hotpursuit.api.pagination import page
from hotpursuit.api.visibility import visible_freeze_requests
from hotpursuit.store.asset_units import AssetReader

router = APIRouter(tags=["freeze requests"])


@router.get("/v1/freeze-requests", response_model=FreezeRequestsPage, responses=ERRORS)
async def requests(who: Reader, state: State, incident: Annotated[str | None, Query(max_length=200)] = None,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                   offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
                   cursor: Annotated[str | None, Query(max_length=400)] = None) -> FreezeRequestsPage:
    """Requests addressed to the caller, and those of incidents the caller may see; oldest first; `next`
    is the cursor of the next page."""
    rows = visible_freeze_requests(state, who, incident)
    if rows:
        state.audit.append(who.org_id, "read-freeze-requests", f"{len(rows)} requests")
    chosen, after = page(rows, lambda r: str(r["id"]), limit=limit, offset=offset, cursor=cursor)
    reader = AssetReader(state.store)

    def out(r: dict[str, Any]) -> FreezeRequestOut:
        units = reader.units(str(r["chain"]), str(r["asset"]))
        return FreezeRequestOut(**r, symbol=None if units is None else units.symbol,
                                decimals=None if units is None else units.decimals)

    return FreezeRequestsPage(total=len(rows), offset=offset, limit=limit, next=after,
                              requests=[out(r) for r in chosen])


@router.post("/v1/freeze-requests/{request_id}/answer", response_model=AnswerOut, responses=NOT_FOUND)
async def answer(request_id: str, body: AnswerIn, who: Writer, state: State) -> AnswerOut:
    """Answer a request addressed to the caller: accepted (with the amount frozen), partial, declined."""
    # NotFound (no such request for the caller) -> 404, InterdictionError -> 400: by class, in api/errors.py
    answer_freeze_request(state, who, request_id, body.status, int(body.amount_frozen), body.reason)
    return AnswerOut(id=request_id, status=body.status, amount_frozen=body.amount_frozen)
