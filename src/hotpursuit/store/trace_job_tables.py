"""Trace jobs requested over the API: their state and, once done, the report's JSON."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from hotpursuit.store.database import Store

RESTARTED = "the server stopped before this trace finished; start it again"


@dataclass(frozen=True)
class TraceJob:
    """One requested trace."""

    id: str
    incident_id: str
    model: str
    max_hops: int | None
    requested_by: str
    status: str  # queued | running | done | failed
    error: str | None
    created_at: str
    finished_at: str | None


_COLUMNS = "id, incident_id, model, max_hops, requested_by, status, error, created_at::VARCHAR, finished_at::VARCHAR"


def queue_trace_job(store: Store, incident_id: str, model: str, max_hops: int | None, requested_by: str) -> str:
    """Record a queued job; returns its id."""
    job_id = "trace-" + secrets.token_hex(8)
    store._con.execute("INSERT INTO trace_jobs (id, incident_id, model, max_hops, requested_by, status) "
                      "VALUES (?, ?, ?, ?, ?, 'queued')", [job_id, incident_id, model, max_hops, requested_by])
    return job_id


def mark_trace_job(store: Store, job_id: str, status: str, *, error: str | None = None,
                   result_json: str | None = None) -> None:
    """Move a job to `status` (running, done or failed), with its error or result."""
    finished = status in ("done", "failed")
    store._con.execute(f"""UPDATE trace_jobs SET status = ?, error = ?, result_json = ?
                          {", finished_at = current_timestamp" if finished else ""} WHERE id = ?""",
                      [status, error, result_json, job_id])


def fail_unfinished_trace_jobs(store: Store) -> int:
    """At server start: jobs a previous server left queued or running failed; returns how many."""
    rows = store._con.execute(
        """UPDATE trace_jobs SET status = 'failed', error = ?, finished_at = current_timestamp
           WHERE status IN ('queued', 'running') RETURNING id""", [RESTARTED]).fetchall()
    return len(rows)


def trace_job(store: Store, job_id: str) -> TraceJob | None:
    """One job, or None."""
    row = store._con.execute(f"SELECT {_COLUMNS} FROM trace_jobs WHERE id = ?", [job_id]).fetchone()
    return None if row is None else TraceJob(*row)


def trace_jobs_of(store: Store, incident_ids: list[str]) -> list[TraceJob]:
    """The jobs of these incidents, newest first."""
    return [TraceJob(*r) for r in store._con.execute(
        f"""SELECT {_COLUMNS} FROM trace_jobs WHERE incident_id IN (SELECT unnest(?))
            ORDER BY created_at DESC, id""", [incident_ids]).fetchall()]


def latest_finished_trace(store: Store, incident_id: str) -> TraceJob | None:
    """The incident's most recently finished trace job, if any (what the board and the flow graph show)."""
    row = store._con.execute(
        f"""SELECT {_COLUMNS} FROM trace_jobs WHERE incident_id = ? AND status = 'done'
            ORDER BY finished_at DESC, id DESC LIMIT 1""", [incident_id]).fetchone()
    return None if row is None else TraceJob(*row)


def trace_job_result(store: Store, job_id: str) -> str | None:
    """The report JSON of a finished job."""
    row = store._con.execute("SELECT result_json FROM trace_jobs WHERE id = ?", [job_id]).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def queued_jobs_of(store: Store, org_id: str) -> int:
    """How many traces the organisation has queued or running."""
    row = store._con.execute(
        "SELECT count(*) FROM trace_jobs WHERE requested_by = ? AND status IN ('queued', 'running')", [org_id]
    ).fetchone()
    return int(row[0]) if row else 0


def trace_job_totals(store: Store, job_id: str) -> dict[str, dict[str, str]]:
    """A finished job's totals per asset (stolen, entered, at endpoints, held, ...), read from its report
    without loading the rest of it."""
    row = store._con.execute("SELECT json_extract(result_json, '$.totals')::VARCHAR FROM trace_jobs WHERE id = ?",
                             [job_id]).fetchone()
    if row is None or row[0] is None:
        return {}
    found = json.loads(str(row[0]))
    return {str(a): {str(k): str(v) for k, v in t.items()} for a, t in found.items()} if isinstance(found, dict) else {}
