"""Trace jobs: start one for an incident (in the worker: screening goes on meanwhile), list them, poll
one, fetch its report. A trace has its incident's TLP; saving its taint needs the write scope."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import Response

from hotpursuit.api.deps import Reader, State, has_scope
from hotpursuit.api.models.errors import ERRORS, NOT_FOUND, NOT_FOUND_OR_CONFLICT
from hotpursuit.api.models.traces import TraceJobOut, TraceReportOut, TraceRequest, TracesPage
from hotpursuit.api.pagination import page
from hotpursuit.api.state import ApiState
from hotpursuit.api.visibility import redact_report, visible_incident, visible_incidents
from hotpursuit.errors import Conflict, Forbidden, NotFound, RateLimited
from hotpursuit.jobs.assess_job import assess_changed
from hotpursuit.jobs.trace_request import run_trace_request
from hotpursuit.screening.index import ScreeningIndex
from hotpursuit.store.database import Store
from hotpursuit.store.org_tables import Caller
from hotpursuit.store.screening_rows import load_screening_index
from hotpursuit.store.trace_job_tables import (
    TraceJob,
    queue_trace_job,
    queued_jobs_of,
    trace_job,
    trace_job_result,
    trace_jobs_of,
)

router = APIRouter(tags=["traces"])
MAX_QUEUED_PER_ORG = 8  # traces waiting or running per organisation: one cannot fill the worker's queue
_JOB_LINKS = {"GetTraceStatus": {"operationId": "trace_status", "parameters": {"job_id": "$response.body#/id"}},
              "GetTraceResult": {"operationId": "trace_result", "parameters": {"job_id": "$response.body#/id"}}}


def _out(job: TraceJob) -> TraceJobOut:
    return TraceJobOut(**asdict(job))


def visible_job(state: ApiState, job_id: str, who: Caller) -> TraceJob:
    job = trace_job(state.store, job_id)
    try:
        if job is not None:
            visible_incident(state, job.incident_id, who)  # a trace has its incident's TLP
    except NotFound:
        job = None  # never name the incident (its id carries its name) of a job the caller may not see
    if job is None:
        raise NotFound(f"job_id: no trace job {job_id!r}")
    return job


@router.post("/v1/incidents/{incident_id}/traces", status_code=202, response_model=TraceJobOut,
             responses=NOT_FOUND, openapi_extra={"responses": {"202": {"links": _JOB_LINKS}}})
async def start_trace(incident_id: str, body: TraceRequest, who: Reader, state: State) -> TraceJobOut:
    """Start a trace of the incident; poll `/v1/traces/{id}` and fetch `/v1/traces/{id}/result`.
    `save` (write scope) keeps the taint, which screening then shows as indirect exposure."""
    return _out(start_trace_job(state, who, incident_id, body.model.value, body.hops, body.save))


def start_trace_job(state: ApiState, who: Caller, incident_id: str, model: str, hops: int | None,
                    save: bool) -> TraceJob:
    """Queue a trace of an incident the caller may see in the worker (the API's and the UI's one way)."""
    incident = visible_incident(state, incident_id, who)
    if save and not has_scope(who, "write"):
        raise Forbidden("save: saving a trace needs the 'write' scope")
    if save and incident.owner_org not in (None, who.org_id):  # the saved taint is what screening shows
        raise Forbidden(f"save: only the incident's owner ({incident.owner_org}) saves its trace")
    if queued_jobs_of(state.store, who.org_id) >= MAX_QUEUED_PER_ORG:
        raise RateLimited(f"{MAX_QUEUED_PER_ORG} traces of {who.org_id} are queued or running already; "
                          "start more when they finish")
    with state.audit.change(who.org_id, "start-trace") as note:
        job_id = queue_trace_job(state.store, incident_id, model, hops, who.org_id)
        note.detail = f"{job_id} {incident_id} {model} hops={hops} save={save}"

    def trace_and_index(store: Store) -> tuple[Any, ScreeningIndex | None]:
        # new data (the live watch's blocks) may hold new fake assets or poisoning: their claims go into
        # a fresh index, else only the incident's exposure is swapped in
        fresh = assess_changed(store)
        rows = run_trace_request(store, job_id, incident_id, model, hops, save)
        return rows, load_screening_index(store) if fresh else None

    def swap_exposure(done: Any) -> None:
        rows, index = (None, None) if done.cancelled() or done.exception() else done.result()
        if index is not None:
            state.index = index
        elif rows is not None:
            state.index.replace_incident_exposure(incident_id, rows)

    state.worker.run(trace_and_index).add_done_callback(swap_exposure)
    return visible_job(state, job_id, who)


@router.get("/v1/traces", response_model=TracesPage, responses=ERRORS)
async def traces(who: Reader, state: State, incident: Annotated[str | None, Query(max_length=200)] = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
                 cursor: Annotated[str | None, Query(max_length=400)] = None) -> TracesPage:
    """Trace jobs of the incidents the caller may see (or of one), newest first; `next` is the cursor of
    the next page."""
    ids = [i.id for i in visible_incidents(state, who) if incident is None or i.id == incident]
    jobs = trace_jobs_of(state.store, ids)
    chosen, after = page(jobs, lambda j: j.id, limit=limit, offset=offset, cursor=cursor)
    return TracesPage(total=len(jobs), offset=offset, limit=limit, next=after, traces=[_out(j) for j in chosen])


@router.get("/v1/traces/{job_id}", response_model=TraceJobOut, responses=NOT_FOUND)
async def trace_status(job_id: str, who: Reader, state: State) -> TraceJobOut:
    """A trace job's status: queued, running, done or failed (with the error)."""
    return _out(visible_job(state, job_id, who))


@router.get("/v1/traces/{job_id}/result", response_model=TraceReportOut, responses=NOT_FOUND_OR_CONFLICT)
async def trace_result(job_id: str, who: Reader, state: State) -> Response:
    """The finished trace's report (endpoints, holders, flows, totals); 409 while it is not done. An
    endpoint's owner or a holding's freezer named by a claim the caller may not see is withheld."""
    return Response(orjson.dumps(visible_trace_result(state, job_id, who)), media_type="application/json")


def visible_trace_result(state: ApiState, job_id: str, who: Caller) -> dict[str, Any]:
    """A finished trace's report as the caller may see it (journaled); Conflict while it is not done."""
    job = visible_job(state, job_id, who)
    result = trace_job_result(state.store, job_id) if job.status == "done" else None
    if result is None:
        raise Conflict(f"job_id: trace {job_id} is {job.status}" + (f": {job.error}" if job.error else ""))
    state.audit.append(who.org_id, "read-trace", job_id)
    return redact_report(state, who, orjson.loads(result))
