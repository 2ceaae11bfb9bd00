"""One trace requested over the API, as the worker runs it: mark it running, trace, save the taint
when asked, record the report or the failure. A job's failure is its status, never the server's."""

from __future__ import annotations

from hotpursuit.errors import HotpursuitError
from hotpursuit.jobs.trace_job import run_trace
from hotpursuit.jobs.trace_setup import Visible, owner_view
from hotpursuit.screening.index import Exposure
from hotpursuit.store.database import Store
from hotpursuit.store.incident_tables import get_incident
from hotpursuit.store.screening_rows import exposure_rows
from hotpursuit.store.taint_tables import save_trace
from hotpursuit.store.trace_job_tables import mark_trace_job
from hotpursuit.trace.report_render import render_json


def _owner_view(store: Store, incident_id: str) -> Visible | None:
    found = get_incident(store, incident_id)
    return None if found is None else owner_view(store, found.owner_org)


def run_trace_request(store: Store, job_id: str, incident_id: str, model: str, max_hops: int | None,
                      save: bool) -> list[tuple[str, str, Exposure]] | None:
    """Run the job with the labels the incident's owner may see (another organisation's RED or AMBER
    claim never changes where it stops); when it saved taint, the incident's new exposure rows for the
    screening index."""
    mark_trace_job(store, job_id, "running")
    try:
        report = run_trace(store, incident_id, model=model, max_hops=max_hops, visible=_owner_view(store, incident_id))
        rows = None
        if save:
            save_trace(store, report)
            rows = exposure_rows(store, incident_id) if model == "haircut" else None
    except HotpursuitError as exc:
        mark_trace_job(store, job_id, "failed", error=str(exc))
        return None
    except Exception as exc:  # reported as the job's error
        mark_trace_job(store, job_id, "failed", error=f"internal error: {type(exc).__name__}: {exc}")
        return None
    mark_trace_job(store, job_id, "done", result_json=render_json(report))
    return rows
