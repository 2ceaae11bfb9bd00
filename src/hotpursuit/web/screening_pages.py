"""The screening page: one address, or a pasted batch (one address a line; `chain:address` for a chain
other than the form's), answered by the API's own screening functions (api/screening_answers.py) with
the caller's organisation and sharing group, so TLP holds, and audited as the API audits. A bad line is
reported by its number and the good lines are still screened."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from hotpursuit.api.deps import State, has_scope
from hotpursuit.api.models.screening import MAX_BATCH
from hotpursuit.api.screening_answers import screen_address, screen_addresses
from hotpursuit.api.state import ApiState
from hotpursuit.chains.address_codec import BITCOIN_CHAINS, EVM_CHAINS
from hotpursuit.errors import HotpursuitError
from hotpursuit.screening.index import Screening
from hotpursuit.store.org_tables import Caller
from hotpursuit.web.pages import Signed, page, signed_in, to_login, ui_text
from hotpursuit.web.sessions import csrf_holds

router = APIRouter(include_in_schema=False)

FORM_BYTES = 8 * 1024 * 1024  # a full batch pasted (MAX_BATCH lines), cut off while the body streams
LISTED_CLEAN = 1_000  # a batch up to this size lists its addresses without a finding too
DEFAULT_CHAIN = "ethereum"


@dataclass(frozen=True)
class Line:
    """One address to screen: its line in the pasted batch (None: the single-address field)."""

    number: int | None
    chain: str
    text: str


@dataclass(frozen=True)
class Row:
    """One address screened, as the table shows it."""

    line: int | None
    chain: str
    address: str
    risk: str = "none"
    score: int = 0
    categories: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What the page shows: screened rows in line order, the lines that could not be screened, and how
    many addresses had no finding (listed only in small batches)."""

    rows: list[Row] = field(default_factory=list)
    problems: list[tuple[int | None, str, str]] = field(default_factory=list)
    screened: int = 0
    clean_unlisted: int = 0


def pasted_lines(text: str, chain: str) -> list[Line]:
    """The batch's non-blank lines, numbered from 1; `chain:address` names the line's own chain."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        entry = raw.strip()
        if not entry:
            continue
        named, colon, rest = entry.partition(":")
        lines.append(Line(number, named.strip().lower(), rest.strip()) if colon else Line(number, chain, entry))
    return lines


def _row(number: int | None, result: Screening) -> Row:
    return Row(number, result.chain, result.address, result.risk, result.score, tuple(result.categories),
               tuple(result.reasons))


async def screen_lines(state: ApiState, who: Caller, lines: list[Line]) -> Outcome:
    """Screen the batch chain by chain, as the API's batch does (one audit entry per chain); the
    addresses with a finding get the full screening's reasons (in human units)."""
    outcome = Outcome()
    by_chain: dict[str, list[Line]] = {}
    for line in lines:
        by_chain.setdefault(line.chain, []).append(line)
    list_clean = len(lines) <= LISTED_CLEAN
    for chain, group in sorted(by_chain.items()):
        try:
            batch = await screen_addresses(state, who, chain, [line.text for line in group])
        except HotpursuitError as exc:  # an unknown chain: every line naming it
            outcome.problems += [(line.number, line.text, str(exc)) for line in group]
            continue
        bad = {index: reason for index, _, reason in batch.invalid}
        outcome.problems += [(group[i].number, group[i].text, reason) for i, reason in sorted(bad.items())]
        good = [line for i, line in enumerate(group) if i not in bad]
        flagged = {address for address, _ in batch.flagged}
        outcome.screened += len(good)
        for line, address in zip(good, batch.valid, strict=True):
            if address in flagged:
                outcome.rows.append(_row(line.number, state.index.screen(chain, address, who.org_id,
                                                                         who.sharing_group)))
            elif list_clean:
                outcome.rows.append(Row(line.number, chain, address))
            else:
                outcome.clean_unlisted += 1
    outcome.rows.sort(key=lambda r: r.line or 0)
    outcome.problems.sort(key=lambda p: p[0] or 0)
    return outcome


def _chains(state: ApiState) -> list[str]:
    return sorted(EVM_CHAINS | BITCOIN_CHAINS | state.index.chains())


def _page(request: Request, state: ApiState, signed: Signed, status: int = 200, **values: object) -> Response:
    session, who = signed
    values.setdefault("chain", DEFAULT_CHAIN)
    return page(request, "screening.html", status=status, title=ui_text(request)("Screening"),
                who=who, csrf=session.csrf,
                chains=_chains(state), max_batch=MAX_BATCH, allowed=has_scope(who, "screen"), **values)


@router.get("/ui/screening")
async def screening(request: Request, state: State) -> Response:
    found = signed_in(request, state)
    if found is None:
        return to_login()
    return _page(request, state, found, status=200 if has_scope(found[1], "screen") else 403)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.post("/ui/screening")
async def screen(request: Request, state: State) -> Response:
    """Screen the form's address and pasted batch. The session is checked before a byte of the body is
    read, and the body is cut off while it streams past `FORM_BYTES`."""
    found = signed_in(request, state)
    if found is None:
        return to_login()
    session, who = found
    if not has_scope(who, "screen"):
        return _page(request, state, found, status=403)
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > FORM_BYTES):
        return _page(request, state, found, status=413, error="too-large")
    try:
        form = await request.form(max_files=0, max_fields=10, max_part_size=FORM_BYTES)
    except HTTPException as exc:  # a field past FORM_BYTES, too many fields, a file: cut off while streaming
        return _page(request, state, found, status=exc.status_code, error="unreadable")
    if not csrf_holds(session, _text(form, "csrf") or None):
        return _page(request, state, found, status=403, error="csrf")
    chain = _text(form, "chain").strip().lower() or DEFAULT_CHAIN
    address, pasted = _text(form, "address").strip(), _text(form, "batch")
    lines = await asyncio.to_thread(pasted_lines, pasted, chain)
    if len(lines) > MAX_BATCH:
        return _page(request, state, found, status=400, error="too-many", chain=chain, address=address,
                     batch=pasted, lines=len(lines))
    outcome = await screen_lines(state, who, lines)
    if address:
        try:
            outcome.rows.insert(0, _row(None, screen_address(state, who, chain, address)))
            outcome.screened += 1
        except HotpursuitError as exc:
            outcome.problems.insert(0, (None, address, str(exc)))
    return _page(request, state, found, chain=chain, address=address, batch=pasted, outcome=outcome,
                 asked=bool(address or lines))
