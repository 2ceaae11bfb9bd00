"""Storing a scam case built from victims' reports (per report how its payment was found, per address what
the case found it to be) and reading it back, unfiltered: who may see it is the caller's to decide (the
case is an incident: api.visibility.visible_incident). Rebuilding a case replaces it whole."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

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
    with store.transaction() as con:
        for table in ("case_addresses", "case_reports"):
            con.execute(f"DELETE FROM {table} WHERE case_id = ?", [case.id])
        con.execute("DELETE FROM scam_cases WHERE id = ?", [case.id])
        con.execute("INSERT INTO scam_cases (id, org, chain, built_at, summary) VALUES (?, ?, ?, ?, ?)",
                    [case.id, case.org, case.chain, case.built_at.astimezone(dt.UTC).replace(tzinfo=None),
                     json.dumps(case.summary, sort_keys=True)])
        for r in case.reports:
            con.execute("INSERT INTO case_reports (case_id, report_id, status, reason, payments) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [case.id, r["report_id"], r["status"], r["reason"],
                         json.dumps({"payments": r["payments"], "notes": r["notes"], "traced": r["traced"]},
                                    sort_keys=True)])
        for a in case.addresses:
            con.execute("INSERT INTO case_addresses (case_id, address, role, rank, victims, evidence) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        [case.id, a["address"], a["role"], a["rank"], a["victims"],
                         json.dumps(a["evidence"], sort_keys=True)])


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
