"""Incidents: those the caller may see, opening one (the live watch takes it up at once), closing one
(its owner only), and its board: stolen, traced, requested and frozen per organisation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hotpursuit.api.asset_readings import assets_out
from hotpursuit.api.deps import Investigator, Reader, State
from hotpursuit.api.inputs import known_chain
from hotpursuit.api.models.errors import CONFLICT, ERRORS, NOT_FOUND
from hotpursuit.api.models.incidents import (
    BoardOut,
    IncidentClosed,
    IncidentIn,
    IncidentOpened,
    IncidentOut,
    IncidentsPage,
    OrgTotals,
    Requested,
)
from hotpursuit.api.pagination import page
from hotpursuit.api.state import ApiState
from hotpursuit.api.visibility import visible_incident, visible_incidents
from hotpursuit.errors import Forbidden
from hotpursuit.security.tlp import Tlp
from hotpursuit.store.asset_units import AssetReader
from hotpursuit.store.incident_tables import close_incident, open_incident
from hotpursuit.store.interdiction_tables import board
from hotpursuit.store.org_tables import Caller

router = APIRouter(tags=["incidents"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10**9)]
Cursor = Annotated[str | None, Query(max_length=400)]


@router.get("/v1/incidents", response_model=IncidentsPage, responses=ERRORS)
async def incidents(who: Reader, state: State, limit: Limit = 50, offset: Offset = 0,
                    cursor: Cursor = None) -> IncidentsPage:
    """Incidents the caller may see, by id; `next` is the cursor of the next page."""
    rows = visible_incidents(state, who)
    chosen, after = page(rows, lambda i: i.id, limit=limit, offset=offset, cursor=cursor)
    if any(i.tlp != "CLEAR" for i in chosen):
        state.audit.append(who.org_id, "read-incidents", f"{len(chosen)} incidents")
    return IncidentsPage(total=len(rows), offset=offset, limit=limit, next=after, incidents=[
        IncidentOut(id=i.id, name=i.name, chain=i.chain, status=i.status, actor=i.actor, tlp=Tlp(i.tlp))
        for i in chosen])


@router.post("/v1/incidents", status_code=201, response_model=IncidentOpened, responses=CONFLICT,
             openapi_extra={"responses": {"201": {"links": {
                 "GetIncidentBoard": {"operationId": "incident_board", "parameters": {
                     "incident_id": "$response.body#/id"}},
                 "CloseIncident": {"operationId": "incident_close", "parameters": {
                     "incident_id": "$response.body#/id"}},
                 "StartTrace": {"operationId": "start_trace", "parameters": {
                     "incident_id": "$response.body#/id"}}}}}})
async def incident_open(body: IncidentIn, who: Investigator, state: State) -> IncidentOpened:
    """Open an incident owned by the caller's organisation (an agency's key with the `incident` scope:
    an incident makes freeze requests, so only the task force's authorities open one); the live watch
    (if running) takes it up at once and asks freezes for what already reached controlled addresses."""
    incident_id, count = open_incident_as(state, who, body)
    return IncidentOpened(id=incident_id, sources=count)


def open_incident_as(state: ApiState, who: Caller, body: IncidentIn) -> tuple[str, int]:
    """Open an incident owned by the caller (an agency): its id and how many sources it has. The API's
    and the UI's one way."""
    if who.kind != "agency":
        raise Forbidden(f"only an agency opens incidents; {who.org_id} is an organisation of kind {who.kind}")
    known_chain(state, body.chain)
    with state.audit.change(who.org_id, "open-incident") as note:
        incident_id, count = open_incident(state.store, body.name, body.chain, body.sources, victim=body.victim,
                                           actor=body.actor, since=body.since, tlp=body.tlp.value,
                                           owner=who.org_id, unguessable=True)
        note.detail = f"{incident_id} ({count} sources)"
    state.watch_changed()
    return incident_id, count


@router.post("/v1/incidents/{incident_id}/close", response_model=IncidentClosed, responses=NOT_FOUND)
async def incident_close(incident_id: str, who: Investigator, state: State) -> IncidentClosed:
    """Close an incident (its owner only): the live watch stops following it."""
    close_incident_as(state, who, incident_id)
    return IncidentClosed(id=incident_id, status="closed")


def close_incident_as(state: ApiState, who: Caller, incident_id: str) -> None:
    """Close an incident the caller's organisation owns (the API's and the UI's one way)."""
    found = visible_incident(state, incident_id, who)
    if found.owner_org != who.org_id:
        raise Forbidden(f"incident_id: incident {incident_id} is owned by {found.owner_org}, not {who.org_id}")
    with state.audit.change(who.org_id, "close-incident") as note:
        close_incident(state.store, incident_id)
        note.detail = incident_id
    state.watch_changed()


@router.get("/v1/incidents/{incident_id}/board", response_model=BoardOut, responses=NOT_FOUND)
async def incident_board(incident_id: str, who: Reader, state: State) -> BoardOut:
    """Stolen, traced (entered, at endpoints, burned, held), requested and frozen per organisation."""
    found = visible_incident(state, incident_id, who)
    figures = board(state.store, incident_id)
    traced, stolen = state.traced_and_stolen(incident_id, figures["stolen"])
    organisations = [OrgTotals(**row) for row in figures["organisations"]]
    totals: dict[str, dict[str, int]] = {}
    for row in organisations:
        t = totals.setdefault(row.asset, {"requested": 0, "frozen": 0})
        t["requested"] += int(row.requested)
        t["frozen"] += int(row.frozen)
    named = {*stolen, *(traced or {}), *totals}
    return BoardOut(incident=incident_id, stolen=stolen, traced=traced, organisations=organisations,
                    totals={a: Requested(requested=str(t["requested"]), frozen=str(t["frozen"]))
                            for a, t in sorted(totals.items())},
                    assets=assets_out(AssetReader(state.store), found.chain, named))
