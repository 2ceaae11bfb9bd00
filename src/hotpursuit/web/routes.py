"""The UI's pages: sign in and out, and the incidents the caller may see. Every page authenticates the
session's key again (so a revoked key ends its sessions at once) and charges the key's rate limit, as
the API does; what a page shows goes through the same visibility functions as the API."""

from __future__ import annotations

import asyncio
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from markupsafe import Markup
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

from hotpursuit.api.deps import State, has_scope
from hotpursuit.api.guard import authenticated
from hotpursuit.api.inputs import address_of
from hotpursuit.api.state import ApiState
from hotpursuit.api.visibility import visible_claims, visible_incidents
from hotpursuit.chains.readable import at_block, explorer_url, human
from hotpursuit.errors import HotpursuitError
from hotpursuit.i18n.catalogues import LANGUAGES
from hotpursuit.store.address_page import address_page
from hotpursuit.store.asset_units import AssetReader
from hotpursuit.store.incident_tables import IncidentRow
from hotpursuit.store.interdiction_tables import board
from hotpursuit.store.trace_job_tables import latest_finished_trace, trace_job_totals
from hotpursuit.web.case_pages import router as case_router
from hotpursuit.web.graph_pages import router as graph_router
from hotpursuit.web.incident_forms import router as incident_forms_router
from hotpursuit.web.pages import (
    HEADERS,
    LANG_COOKIE,
    client,
    page,
    readable_incident,
    refusal,
    render,
    signed_in,
    signed_incident,
    to_login,
    ui_text,
)
from hotpursuit.web.report_pages import router as report_router
from hotpursuit.web.search_pages import router as search_router
from hotpursuit.web.sessions import COOKIE, SESSION_SECONDS, csrf_holds, new_session

router = APIRouter(include_in_schema=False)


LOGIN_COOKIE = "hp_login"  # the sign-in form's own token (double submit): no other site can sign a browser in


def _login_form(request: Request, status: int = 200, error: str | None = None) -> HTMLResponse:
    """The sign-in page with a fresh form token, set in a cookie only this site's pages send back."""
    token = secrets.token_urlsafe(24)
    answer = page(request, "login.html", status=status, title=ui_text(request)("Sign in"), who=None, error=error,
                  login_token=token)
    answer.set_cookie(LOGIN_COOKIE, token, max_age=3600, path="/ui", secure=True, httponly=True, samesite="strict")
    return answer


@router.get("/ui/login")
async def login_page(request: Request) -> HTMLResponse:
    return _login_form(request)


@router.post("/ui/login")
async def login(request: Request, state: State, key: Annotated[str, Form(max_length=200)],
                login_token: Annotated[str, Form(max_length=100)] = "") -> Response:
    _ = ui_text(request)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), login_token.encode()):
        return _login_form(request, 403, _("The sign-in form was not this browser's: sign in again."))
    try:
        who = authenticated(state, Headers({"x-api-key": key.strip()}), client(request))
    except HTTPException as exc:
        message = (_("That key is not valid (missing, unknown, expired or revoked).") if exc.status_code == 401
                   else _("Too many attempts from this address; wait and try again."))
        return _login_form(request, exc.status_code, message)
    sid = new_session(state.ui_sessions, key.strip(), time.monotonic())
    answer = RedirectResponse("/ui/incidents", status_code=303, headers=HEADERS)
    answer.set_cookie(COOKIE, sid, max_age=SESSION_SECONDS, path="/ui", secure=True, httponly=True,
                      samesite="strict")
    answer.delete_cookie(LOGIN_COOKIE, path="/ui", secure=True, httponly=True, samesite="strict")
    del who
    return answer


@router.post("/ui/logout")
async def logout(request: Request, state: State, csrf: Annotated[str | None, Form(max_length=100)] = None) -> Response:
    found = signed_in(request, state)
    if found is None:
        return to_login()
    if not csrf_holds(found[0], csrf):
        return _login_form(request, 403, ui_text(request)("The form was not this session's."))
    state.ui_sessions.pop(request.cookies.get(COOKIE, ""), None)
    answer = to_login()
    answer.delete_cookie(COOKIE, path="/ui", secure=True, httponly=True, samesite="strict")
    return answer


@router.get("/ui/language/{lang}")
async def choose_language(lang: str, next: Annotated[str, Query(max_length=300)] = "/ui/incidents") -> Response:
    """Remember the reader's language (a cookie) and go back to the page (only a page of the UI)."""
    back = next if next.startswith("/ui/") and not next.startswith("/ui//") else "/ui/incidents"
    answer = RedirectResponse(back, status_code=303, headers=HEADERS)
    if lang in LANGUAGES:
        answer.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/ui", secure=True, httponly=True,
                          samesite="strict")
    return answer


@router.get("/ui")
@router.get("/ui/incidents")
async def incidents(request: Request, state: State) -> Response:
    found = signed_in(request, state)
    if found is None:
        return to_login()
    session, who = found
    if not has_scope(who, "read"):
        return refusal(request, found, 403, ui_text(request)("Incidents"))
    shown = sorted(visible_incidents(state, who), key=lambda i: i.id)
    return page(request, "incidents.html", title=ui_text(request)("Incidents"), who=who, csrf=session.csrf,
                incidents=shown, may_open=who.kind == "agency" and has_scope(who, "incident"))


STATIC = {"board.js": "text/javascript", "graph.js": "text/javascript",
          "vendor/htmx.min.js": "text/javascript", "vendor/sigma.min.js": "text/javascript",
          "vendor/graphology.umd.min.js": "text/javascript"}
EVENT_SECONDS = 0.25  # how often a stream looks at its board: one small query per open board


@router.get("/ui/static/{name:path}")
async def static(name: str) -> Response:
    """The UI's own scripts and the browser libraries vendored from npm at build time (no CDN)."""
    if name not in STATIC:
        return Response(status_code=404)
    body = (resources.files("hotpursuit.web") / "static" / name).read_bytes()
    return Response(body, media_type=STATIC[name], headers={"X-Content-Type-Options": "nosniff",
                                                            "Cache-Control": "no-cache"})


_JOB_TOTALS: OrderedDict[str, dict[str, dict[str, str]]] = OrderedDict()  # a finished trace's never change
CACHED_TOTALS = 64


def _traced(state: ApiState, incident_id: str, live: dict[str, dict[str, str]] | None
            ) -> tuple[dict[str, dict[str, str]], str]:
    """The trace figures the board shows and where they come from: the live watch's, else the latest
    finished trace's."""
    if live:
        return live, "live"
    job = latest_finished_trace(state.store, incident_id)
    if job is None:
        return {}, ""
    if job.id not in _JOB_TOTALS:
        _JOB_TOTALS[job.id] = trace_job_totals(state.store, job.id)
        while len(_JOB_TOTALS) > CACHED_TOTALS:
            _JOB_TOTALS.popitem(last=False)
    return _JOB_TOTALS[job.id], job.id


def _figures(request: Request, state: ApiState, incident: IncidentRow, reader: AssetReader) -> str:
    """The board's figures as HTML, amounts in the asset's units: per asset stolen, traced, at endpoints,
    still held, requested and frozen; per organisation its requests, answers and response times."""
    figures = board(state.store, incident.id)
    live, stolen = state.traced_and_stolen(incident.id, figures["stolen"])
    traced, traced_by = _traced(state, incident.id, live)

    def read(value: str | int | None, asset: str) -> str:
        return "" if value is None else human(int(value), reader.units(incident.chain, asset), asset)

    organisations = [{**row, "requested": read(row["requested"], row["asset"]), "requested_raw": row["requested"],
                      "frozen": read(row["frozen"], row["asset"]), "frozen_raw": row["frozen"]}
                     for row in figures["organisations"]]
    requested: dict[str, list[int]] = {}
    for row in figures["organisations"]:
        pair = requested.setdefault(row["asset"], [0, 0])
        pair[0] += int(row["requested"])
        pair[1] += int(row["frozen"])
    assets = sorted({*stolen, *requested, *(a for a, t in traced.items() if int(t.get("entered", 0) or 0)
                                             or int(t.get("at_endpoints", 0) or 0))})
    loot = [{"asset": a, "stolen": read(stolen.get(a), a), "traced": read(traced.get(a, {}).get("entered"), a),
             "at_endpoints": read(traced.get(a, {}).get("at_endpoints"), a),
             "held": read(traced.get(a, {}).get("held"), a),
             "requested": read(requested[a][0], a) if a in requested else "",
             "frozen": read(requested[a][1], a) if a in requested else ""} for a in assets]
    return render(request, "board_figures.html", loot=loot, traced_by=traced_by,
                  stolen=[(a, read(v, a)) for a, v in sorted(stolen.items())], organisations=organisations)


@router.get("/ui/incidents/{incident_id}")
async def incident_board(incident_id: str, request: Request, state: State) -> Response:
    opened = signed_incident(request, state, incident_id)
    if isinstance(opened, Response):
        return opened
    (session, who), incident = opened
    figures = Markup(_figures(request, state, incident, AssetReader(state.store)))
    return page(request, "board.html", title=incident.name, who=who, csrf=session.csrf, incident=incident,
                figures=figures, may_close=incident.status == "open" and incident.owner_org == who.org_id
                and has_scope(who, "incident"))


@router.get("/ui/incidents/{incident_id}/events")
async def board_events(incident_id: str, request: Request, state: State) -> Response:
    """Server-Sent Events: the board's figures whenever they change (looked at every second)."""
    found = signed_in(request, state)
    if found is None:
        return Response(status_code=401)
    incident = readable_incident(state, incident_id, found[1])
    if incident is None:
        return Response(status_code=404)
    reader = AssetReader(state.store)  # the tokens are read once per stream, not every second

    async def stream() -> AsyncIterator[str]:
        last = _figures(request, state, incident, reader)
        yield ": the board follows\n\n"
        while not await request.is_disconnected():
            await asyncio.sleep(EVENT_SECONDS)
            try:
                if signed_in(request, state, charge=False) is None:  # signed out or revoked: the stream ends
                    return
            except HTTPException:  # the key's address is locked out for failed sign-ins: end quietly
                return
            now = _figures(request, state, incident, reader)
            if now != last:
                last = now
                yield "event: board\n" + "".join(f"data: {line}\n" for line in now.splitlines()) + "\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


@router.get("/ui/addresses/{chain}/{address}")
async def address_view(chain: str, address: str, request: Request, state: State,
                       panel: Annotated[int, Query(ge=0, le=1)] = 0) -> Response:
    """The address page: claims the caller may see (with provenance and TLP), screening, poisoning
    warnings, activity and busiest counterparties in human units."""
    found = signed_in(request, state)
    if found is None:
        return to_login()
    session, who = found
    if not has_scope(who, "read"):
        return refusal(request, found, 403, ui_text(request)("Address"))
    try:
        normalized = address_of(state, chain, address)
    except HotpursuitError as exc:
        return refusal(request, found, 400, ui_text(request)("Address"), str(exc))
    shown_page = address_page(state.store, chain, normalized, limit=10)
    claims, withheld = visible_claims(state, chain, normalized, who)
    screening = state.index.screen(chain, normalized, who.org_id, who.sharing_group)
    if any(c.tlp != "CLEAR" for c in claims) or screening.indirect:
        state.audit.append(who.org_id, "read-address", f"{chain}:{normalized}")
    reader = AssetReader(state.store)

    def read(value: int, asset: str) -> str:
        return human(value, reader.units(chain, asset), asset)

    exposure = [{"incident": e["incident"], "actor": e["actor"] or "",
                 "tainted": human(int(str(e["tainted"])), reader.units(chain, str(e["asset"])), str(e["asset"])),
                 "received": human(int(str(e["received"])), reader.units(chain, str(e["asset"])), str(e["asset"]))}
                for e in screening.indirect]
    cluster = None if shown_page.cluster_id is None or shown_page.cluster_size < 2 else {
        "id": shown_page.cluster_id, "size": shown_page.cluster_size, "reason": shown_page.cluster_reason or ""}
    return page(request, "address.html", title=normalized, who=who, csrf=session.csrf, panel=panel, chain=chain,
                address=normalized, explorer=explorer_url(chain, "address", normalized),
                warnings=shown_page.warnings, risk=screening.risk, score=screening.score,
                categories=screening.categories, reasons=screening.reasons, claims=claims, withheld=withheld,
                exposure=exposure, cluster=cluster,
                first_seen=at_block(shown_page.first_seen, shown_page.first_seen_at),
                last_seen=at_block(shown_page.last_seen, shown_page.last_seen_at),
                balances=[(a, read(v, a)) for a, v in sorted(shown_page.balances.items())],
                counterparties=[{"address": c, "transfers": n, "amount": read(x, a), "raw": f"{x:,}"}
                                for c, a, n, x in shown_page.counterparties])


router.include_router(graph_router)
router.include_router(search_router)
router.include_router(incident_forms_router)
router.include_router(report_router)
router.include_router(case_router)
