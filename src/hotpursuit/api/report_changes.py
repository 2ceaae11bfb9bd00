"""Taking victims' reports and building scam cases, for the API and the web UI alike: the reports checked
against the chains the store knows, each change written with its audit entry in one transaction, and a
built case handed to the live watch at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from hotpursuit.api.inputs import known_chain
from hotpursuit.api.state import ApiState
from hotpursuit.errors import Forbidden
from hotpursuit.jobs.scam_case_job import ScamCase, build_scam_case
from hotpursuit.screening.index import ScreeningIndex
from hotpursuit.store.database import Store
from hotpursuit.store.org_tables import Caller
from hotpursuit.store.screening_rows import load_screening_index
from hotpursuit.store.summary import known_chains
from hotpursuit.store.victim_report_tables import save_reports
from hotpursuit.victim_reports.intake_forms import status_counts
from hotpursuit.victim_reports.model import VictimReport


def report_chains(state: ApiState) -> tuple[str, ...]:
    """The chains a report may name: those the store holds data of."""
    return tuple(sorted(known_chains(state.store)))


def take_reports(state: ApiState, who: Caller, reports: list[VictimReport]) -> list[tuple[str, str]]:
    """Store checked reports for the caller's organisation, audited (`take-report`) in the same transaction;
    per report its id and `new`, `updated` or `unchanged`."""
    with state.audit.change(who.org_id, "take-report") as note:
        taken = save_reports(state.store, who.org_id, reports, at=dt.datetime.now(dt.UTC))
        if len(taken) == 1:
            note.detail = f"{taken[0][0]} ({taken[0][1]})"
        else:
            counts = status_counts(taken)
            note.detail = (f"{len(taken)} reports ({counts['new']} new, {counts['updated']} updated, "
                           f"{counts['unchanged']} unchanged)")
    return taken


async def build_case_as(state: ApiState, who: Caller, *, name: str, chain: str, tlp: str | None,
                        report_ids: Iterable[str] | None = None, model: str = "haircut") -> str:
    """Build (or rebuild) the case `name` from the caller's reports on `chain` (an agency's only: the case is
    an incident, which asks freezes) on the worker, then swap in a screening index that knows the case's
    trace and site; audited (`build-case`); the live watch takes it up. Its id. `tlp` None: the strictest
    TLP of its reports (RED unless they say otherwise: its payments name the victims' wallets)."""
    if who.kind != "agency":
        raise Forbidden(f"only an agency builds a case (it opens an incident); {who.org_id} is an organisation of "
                        f"kind {who.kind}")
    known_chain(state, chain)
    ids = None if report_ids is None else list(report_ids)

    def job(store: Store) -> tuple[ScamCase, ScreeningIndex]:
        case = build_scam_case(store, org=who.org_id, name=name, chain=chain, report_ids=ids, tlp=tlp, model=model)
        return case, load_screening_index(store)

    case, index = await state.worker.run(job)
    state.index = index
    state.audit.append(who.org_id, "build-case", f"{case.incident} ({len(case.reports)} reports, TLP:{case.tlp})")
    state.watch_changed()
    return case.incident
