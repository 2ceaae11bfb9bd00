"""Reading victims' reports from an intake file: a JSON object or list of them, or a CSV form with one
report per row (the bulk form police stations fill in). Pure: text in, reports and rejections out.

A bad entry is rejected with its place (`FILE:LINE` for CSV, `FILE[INDEX]` for JSON) and the reason,
and the others are still taken: one victim's typo never holds back another's complaint.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hotpursuit.errors import InvalidInput
from hotpursuit.security.json_depth import too_deep
from hotpursuit.victim_reports.model import FIELDS, VictimReport, check_report

CSV_COLUMNS = ("reference", "chain", "paid_at", "amount", "asset", "tx_hashes", "from_addresses", "paid_to",
               "website", "phone", "app", "text", "language", "victim_name", "victim_contact", "tlp")
MAX_REPORTS = 100_000


@dataclass
class Intake:
    """What an intake file gave: the reports checked (with their place) and the entries rejected."""

    accepted: list[tuple[str, VictimReport]] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (place, reason)


def read_intake(text: str, name: str, *, known_chains: tuple[str, ...] = ()) -> Intake:
    """Reports from a file's text: JSON when it starts with `{` or `[`, else the CSV form."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "["):
        return _from_json(stripped, name, known_chains)
    return _from_csv(text.lstrip("\ufeff"), name, known_chains)


def _from_json(text: str, name: str, known_chains: tuple[str, ...]) -> Intake:
    deep = too_deep(text.encode())  # the parser recurses: refused before it can exhaust the stack
    if deep:
        raise InvalidInput(f"{name}: not a file of reports: {deep} (a report needs 3)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"{name}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}") from None
    except (RecursionError, ValueError) as e:  # nested too deep; a number of thousands of digits
        raise InvalidInput(f"{name}: not a file of reports: {str(e)[:120] or 'nested too deeply'}") from None
    entries = data if isinstance(data, list) else [data]
    if len(entries) > MAX_REPORTS:
        raise InvalidInput(f"{name}: {len(entries):,} reports; at most {MAX_REPORTS:,} in one file")
    intake = Intake()
    for i, entry in enumerate(entries):
        place = f"{name}[{i}]" if isinstance(data, list) else name
        _take(intake, place, entry, known_chains)
    return intake


def _from_csv(text: str, name: str, known_chains: tuple[str, ...]) -> Intake:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InvalidInput(f"{name}: empty; a CSV form starts with the header {','.join(CSV_COLUMNS)}") from None
    except csv.Error as e:
        raise InvalidInput(f"{name}:1: not a CSV header: {e}") from None
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown or "chain" not in header:
        what = f"column {unknown[0][:40]!r} is not one of the form's" if unknown else "no `chain` column"
        raise InvalidInput(f"{name}:1: {what}; the columns are {','.join(CSV_COLUMNS)} "
                           "(or give a JSON list of reports)")
    intake = Intake()
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                intake.rejected.append((f"{name}:{line}", f"{len(row)} cells; the header has {len(header)}"))
                continue
            if len(intake.accepted) + len(intake.rejected) >= MAX_REPORTS:
                raise InvalidInput(f"{name}:{line}: more than {MAX_REPORTS:,} reports in one file")
            _take(intake, f"{name}:{line}", flat_report(dict(zip(header, row, strict=True))), known_chains)
    except csv.Error as e:
        raise InvalidInput(f"{name}:{reader.line_num}: not valid CSV: {e}") from None
    return intake


def flat_report(row: Mapping[str, str]) -> dict[str, Any]:
    """A report as check_report takes it from flat fields (a CSV row, the web form): empty ones are absent,
    `victim_name` and `victim_contact` become `victim`."""
    report: dict[str, Any] = {k: v for k, v in row.items() if k in FIELDS and v.strip()}
    name, contact = row.get("victim_name", "").strip(), row.get("victim_contact", "").strip()
    if name or contact:
        report["victim"] = {"name": name or None, "contact": contact or None}
    return report


def status_counts(saved: list[tuple[str, str]]) -> dict[str, int]:
    """How many reports were `new`, `updated` (filed again with other facts) and `unchanged`."""
    return {k: sum(1 for _, s in saved if s == k) for k in ("new", "updated", "unchanged")}


def _take(intake: Intake, place: str, entry: Any, known_chains: tuple[str, ...]) -> None:
    try:
        intake.accepted.append((place, check_report(entry, known_chains=known_chains)))
    except InvalidInput as e:
        intake.rejected.append((place, str(e)))

