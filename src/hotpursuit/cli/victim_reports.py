"""`hotpursuit report intake|list`: victims' reports taken in bulk from a JSON or CSV intake file, and
the reports an organisation holds. (`report INCIDENT` and `report case` live in cli/report.py and
cli/scam_case.py.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from hotpursuit.cli.options import DbOption, FormatOption, TableOrJson, console, err_console, show_rows, user_errors
from hotpursuit.store import Store

OrgOption = Annotated[str, typer.Option("--org", help="The organisation that took the reports (it owns them).")]


def intake_cmd(
    path: Annotated[Path, typer.Argument(help=(
        "A JSON report, a JSON list of reports, or the CSV form (columns: reference, chain, paid_at, amount, "
        "asset, tx_hashes, from_addresses, paid_to, website, phone, app, text, language, victim_name, "
        "victim_contact, tlp)."))],
    db: DbOption,
    org: OrgOption,
) -> None:
    """Take victims' reports: each is checked; a bad one is named with its place and reason and the others
    are still taken. Filed again under the same reference, a report replaces the first. Victims' personal
    data is TLP:RED unless a report says otherwise, and never leaves the organisation."""
    from hotpursuit.errors import InvalidInput, NotFound
    from hotpursuit.store.org_tables import org_exists
    from hotpursuit.store.summary import known_chains
    from hotpursuit.store.victim_report_tables import save_reports
    from hotpursuit.user_files import read_user_text
    from hotpursuit.victim_reports.intake_forms import read_intake, status_counts

    with user_errors():
        text = read_user_text(path)
        with Store.open(db) as store:
            if not org_exists(store, org):
                raise NotFound(f"--org: no organisation {org!r} (add it with `hotpursuit org add`)")
            intake = read_intake(text, path.name, known_chains=tuple(known_chains(store)))
            if not intake.accepted and intake.rejected:
                for place, reason in intake.rejected[:20]:
                    err_console.print(f"  {place}: {reason}", highlight=False, markup=False, soft_wrap=True)
                raise InvalidInput(f"{path.name}: none of its {len(intake.rejected)} reports could be taken")
            saved = save_reports(store, org, [r for _, r in intake.accepted], at=dt.datetime.now(dt.UTC))
    counts = status_counts(saved)
    console.print(f"{len(saved)} report(s) taken for {org}: {counts['new']} new, {counts['updated']} updated, "
                  f"{counts['unchanged']} already held; {len(intake.rejected)} rejected", highlight=False)
    for place, reason in intake.rejected:
        err_console.print(f"  rejected {place}: {reason}", highlight=False, markup=False, soft_wrap=True)


def list_cmd(db: DbOption, org: OrgOption, fmt: FormatOption = TableOrJson.table) -> None:
    """The reports `--org` holds (theirs only: victims' data never leaves its owner), oldest first."""
    from hotpursuit.store.victim_report_tables import load_reports

    with user_errors(), Store.open(db, must_exist=True) as store:
        rows = load_reports(store, org=org)
    show_rows(["id", "reference", "chain", "paid_on", "amount", "asset", "paid_to", "website", "tlp"],
              [[s.id, s.report.reference, s.report.chain, str(s.report.paid_on or ""), s.report.amount,
                s.report.asset, s.report.paid_to, s.report.website, s.report.tlp] for s in rows], fmt)
