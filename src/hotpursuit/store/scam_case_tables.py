"""Storing a scam case built from victims' reports (per report how its payment was found, per address what
the case found it to be) and reading it back, unfiltered: who may see it is the caller's to decide (the
case is an incident: api.visibility.visible_incident). Rebuilding a case replaces it whole."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from hotpursuit.store.database import Store


@dataclass(frozen=True)
class StoredCase:
    """A case as stored: its summary, its reports' findings and its addresses (collectors first)."""

    id: str
    org: str
    chain: str
    built_at: dt.datetime
    summary: dict[str, Any]
    reports: list[dict[str, Any]]  # report_id, status, reason, payments (list), traced (dict)
    addresses: list[dict[str, Any]]  # address, role, rank, victims, evidence


def save_case(store: Store, case: StoredCase) -> None:
    """Replace the case's rows with `case`'s, in one transaction."""
    text = pa.string()
    reports = pa.table({
        "case_id": pa.array([case.id] * len(case.reports), text),
        "report_id": pa.array([r["report_id"] for r in case.reports], text),
        "status": pa.array([r["status"] for r in case.reports], text),
        "reason": pa.array([r["reason"] for r in case.reports], text),
        "payments": pa.array([json.dumps({"payments": r["payments"], "notes": r["notes"], "traced": r["traced"]},
                                         sort_keys=True) for r in case.reports], text)})
    addresses = pa.table({
        "case_id": pa.array([case.id] * len(case.addresses), text),
        "address": pa.array([a["address"] for a in case.addresses], text),
        "role": pa.array([a["role"] for a in case.addresses], text),
        "rank": pa.array([a["rank"] for a in case.addresses], pa.int32()),
        "victims": pa.array([a["victims"] for a in case.addresses], pa.int32()),
        "evidence": pa.array([json.dumps(a["evidence"], sort_keys=True) for a in case.addresses], text)})
    with store.transaction(new_case_reports=reports, new_case_addresses=addresses) as con:
        for table in ("case_addresses", "case_reports"):
            con.execute(f"DELETE FROM {table} WHERE case_id = ?", [case.id])
        con.execute("DELETE FROM scam_cases WHERE id = ?", [case.id])
        con.execute("INSERT INTO scam_cases (id, org, chain, built_at, summary) VALUES (?, ?, ?, ?, ?)",
                    [case.id, case.org, case.chain, case.built_at.astimezone(dt.UTC).replace(tzinfo=None),
                     json.dumps(case.summary, sort_keys=True)])
        for name, rows in (("case_reports", reports), ("case_addresses", addresses)):
            columns = ", ".join(rows.column_names)
            con.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM new_{name}")


def load_case(store: Store, case_id: str) -> StoredCase | None:
    """The case, or None."""
    head = store._con.execute("SELECT id, org, chain, built_at, summary FROM scam_cases WHERE id = ?",
                              [case_id]).fetchone()
    if head is None:
        return None
    reports = []
    for report_id, status, reason, detail in store._con.execute(
            "SELECT report_id, status, reason, payments FROM case_reports WHERE case_id = ? ORDER BY report_id",
            [case_id]).fetchall():
        extra = json.loads(detail)
        reports.append({"report_id": report_id, "status": status, "reason": reason, **extra})
    addresses = [{"address": r[0], "role": r[1], "rank": r[2], "victims": r[3], "evidence": json.loads(r[4])}
                 for r in store._con.execute(
                     """SELECT address, role, rank, victims, evidence FROM case_addresses WHERE case_id = ?
                        ORDER BY rank NULLS LAST, CASE role WHEN 'deposit' THEN 0 WHEN 'cash_out' THEN 1 ELSE 2 END,
                                 address""", [case_id]).fetchall()]
    return StoredCase(head[0], head[1], head[2], head[3].replace(tzinfo=dt.UTC), json.loads(head[4]), reports,
                      addresses)


def cases_of(store: Store, org: str | None = None) -> list[tuple[str, str, str, dt.datetime]]:
    """(id, org, chain, built_at) of the cases (of `org`), newest first."""
    rows = store._con.execute("""SELECT id, org, chain, built_at FROM scam_cases WHERE $org IS NULL OR org = $org
                                 ORDER BY built_at DESC, id""", {"org": org}).fetchall()
    return [(r[0], r[1], r[2], r[3].replace(tzinfo=dt.UTC)) for r in rows]
