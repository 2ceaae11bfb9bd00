"""The notes panel of the UI: the annotations on an incident, an address or a tx that the reader may see,
and a form to add one; through the same functions as the API (api.annotation_changes, and
api.visibility for every read).

`GET /ui/annotations?subject_kind=&chain=&subject=` answers the panel as an HTML fragment when htmx asks
(`HX-Request`), a whole page otherwise. `POST /ui/annotations` (the form: subject_kind, chain, subject,
note, tags, tlp, csrf) answers htmx with the refreshed panel, or the panel with the error and what was
typed (status 200, since htmx swaps only successes); without JavaScript, a saved note redirects (303) to
the panel's page, and an error answers that page with its status (400, 403, 404). A form without the
session's CSRF token, or from a key without the `write` scope, is refused with 403 and nothing stored.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from hotpursuit.api.annotation_changes import Subject, annotate, subject_of
from hotpursuit.api.deps import State, has_scope
from hotpursuit.api.state import ApiState
from hotpursuit.api.visibility import visible_annotations
from hotpursuit.attribution.annotations import split_tags
from hotpursuit.chains.readable import utc
from hotpursuit.errors import HotpursuitError, NotFound
from hotpursuit.security.tlp import TLP_ORDER
from hotpursuit.web.pages import HEADERS, Signed, page, render, signed_in, to_login, ui_text
from hotpursuit.web.sessions import csrf_holds

router = APIRouter(include_in_schema=False)
PANEL = "/ui/annotations"
Text = Annotated[str, Form()]


def _from_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _signed_out(request: Request) -> Response:
    """To the login page: htmx is told to go there (a swapped-in login page would sit inside the panel)."""
    if _from_htmx(request):
        return Response(status_code=401, headers={**HEADERS, "HX-Redirect": "/ui/login"})
    return to_login()


def _panel_url(subject: Subject) -> str:
    kind, chain, ident = subject
    return f"{PANEL}?{urlencode({'subject_kind': kind, 'chain': chain, 'subject': ident})}"


def _subject_page(subject: Subject) -> str | None:
    """The UI page of the subject itself, if it has one."""
    kind, chain, ident = subject
    if kind == "address":
        return f"/ui/addresses/{quote(chain)}/{quote(ident)}"
    if kind == "incident":
        return f"/ui/incidents/{quote(ident)}"
    return None


def _answer(request: Request, state: ApiState, signed: Signed, status: int, *, subject: Subject | None = None,
            error: str | None = None, refused: str | None = None, typed: dict[str, str] | None = None) -> Response:
    """The panel (the notes on `subject` the reader may see, and the form if its key may write), as a
    fragment for htmx or inside a page; `error` or `refused` (a message the catalogue translates) above."""
    session, who = signed
    notes: list[dict[str, Any]] = []
    if subject is not None and has_scope(who, "read"):
        shown = visible_annotations(state, who, *subject)
        if any(a.tlp != "CLEAR" for a in shown):
            state.audit.append(who.org_id, "read-annotations", f"{subject[0]} {subject[1]}:{subject[2]}")
        notes = [{"id": a.id, "note": a.note, "tags": a.tags, "tlp": a.tlp, "author_org": a.author_org,
                  "author": a.author, "when": utc(a.created_at),
                  "iso": a.created_at.isoformat().replace("+00:00", "Z")} for a in shown]
    key = "|".join(subject) if subject else "none"
    fragment = render(request, "annotations.html", who=who, csrf=session.csrf, subject=subject, notes=notes,
                      error=error, refused=refused, can_write=has_scope(who, "write"), levels=TLP_ORDER,
                      typed=typed or {"note": "", "tags": "", "tlp": "AMBER"},
                      fid="notes-" + hashlib.sha256(key.encode()).hexdigest()[:12])
    if _from_htmx(request):
        return HTMLResponse(fragment, status_code=status, headers=HEADERS)
    return page(request, "annotations_page.html", status=status, title=ui_text(request)("Notes"),
                who=who, csrf=session.csrf,
                subject=subject, back=None if subject is None else _subject_page(subject), panel=Markup(fragment))


@router.get(PANEL)
async def annotations_panel(request: Request, state: State, subject_kind: Annotated[str, Query()] = "",
                            chain: Annotated[str, Query()] = "", subject: Annotated[str, Query()] = "") -> Response:
    """The notes on one subject the reader may see (an incident's only if the incident is visible to it)."""
    signed = signed_in(request, state)
    if signed is None:
        return _signed_out(request)
    if not has_scope(signed[1], "read"):
        return _answer(request, state, signed, 403, refused="read")
    try:
        resolved = subject_of(state, signed[1], subject_kind, chain or None, subject)
    except NotFound as exc:  # a hidden incident: the answer for one that does not exist
        return _answer(request, state, signed, 404, error=str(exc))
    except HotpursuitError as exc:
        return _answer(request, state, signed, 400, error=str(exc))
    return _answer(request, state, signed, 200, subject=resolved)


@router.post(PANEL)
async def annotations_add(request: Request, state: State, subject_kind: Text = "", chain: Text = "",
                          subject: Text = "", note: Text = "", tags: Text = "", tlp: Text = "AMBER",
                          csrf: Text = "") -> Response:
    """Write a note from the panel's form, as the session's organisation and key."""
    signed = signed_in(request, state)
    if signed is None:
        return _signed_out(request)
    session, who = signed
    if not csrf_holds(session, csrf or None):
        return _answer(request, state, signed, 403, refused="csrf")
    if not has_scope(who, "write"):
        return _answer(request, state, signed, 403, refused="write")
    try:
        resolved = subject_of(state, who, subject_kind, chain or None, subject)
    except NotFound as exc:
        return _answer(request, state, signed, 404, error=str(exc))
    except HotpursuitError as exc:
        return _answer(request, state, signed, 400, error=str(exc))
    try:
        annotate(state, who, *resolved, note, split_tags(tags), tlp)
    except HotpursuitError as exc:  # what was typed comes back with the reason, so nothing is lost
        return _answer(request, state, signed, 200 if _from_htmx(request) else 400, subject=resolved, error=str(exc),
                       typed={"note": note, "tags": tags, "tlp": tlp.strip().upper()})
    if not _from_htmx(request):
        return RedirectResponse(_panel_url(resolved), status_code=303, headers=HEADERS)
    return _answer(request, state, signed, 200, subject=resolved)
