"""What every UI page shares: the templates in the reader's language (Babel catalogue `ui`), the security
headers, the signed-in check (the session's key authenticates again on every page, so a revoked key ends
its sessions at once, and the key's rate limit is charged as on the API), and the incident the caller may
read (scope and TLP, through the API's visibility function)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

from hotpursuit.api.deps import has_scope
from hotpursuit.api.guard import authenticated
from hotpursuit.api.state import ApiState
from hotpursuit.api.visibility import visible_incident
from hotpursuit.errors import NotFound
from hotpursuit.i18n.catalogues import LANGUAGES, language_of, translations
from hotpursuit.store.incident_tables import IncidentRow
from hotpursuit.store.org_tables import Caller
from hotpursuit.web.sessions import COOKIE, UiSession, live_session

LANG_COOKIE = "hp_lang"
HEADERS = {"Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
                                      "form-action 'self'",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
Signed = tuple[UiSession, Caller]


@cache
def environment(lang: str) -> Environment:
    """The UI's templates with the `ui` catalogue of a language installed (`{% trans %}`, `_()`)."""
    env = Environment(loader=PackageLoader("hotpursuit.web", "templates"), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translations(lang, "ui"), newstyle=True)  # type: ignore[attr-defined]
    return env


def reader_language(request: Request) -> str:
    """The language the reader chose (cookie), else the browser's first preference, else English."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    return language_of(request.headers.get("accept-language", "").split(",")[0])


def ui_text(request: Request) -> Callable[..., str]:
    """`_` for a route's own words in the reader's language: `_("No stored transaction %(tx)s.", tx=tx)`
    (the words are found by `scripts/update_catalogues.py` like the templates')."""
    catalogue = translations(reader_language(request), "ui")

    def translate(message: str, **values: object) -> str:
        text = catalogue.gettext(message)
        return text % values if values else text

    return translate


def render(request: Request, name: str, **values: Any) -> str:
    """A template (or fragment) rendered in the reader's language."""
    lang = reader_language(request)
    return environment(lang).get_template(name).render(lang=lang, languages=LANGUAGES, path=request.url.path,
                                                        **values)


def page(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A rendered page with the UI's security headers."""
    return HTMLResponse(render(request, name, **values), status_code=status, headers=HEADERS)


def client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def signed_in(request: Request, state: ApiState, *, charge: bool = True) -> Signed | None:
    """The session and its caller, if the cookie names a live session whose key still authenticates
    (charged to the key's rate like an API request, unless `charge` is False: an open event stream's
    periodic check)."""
    sid = request.cookies.get(COOKIE)
    session = live_session(state.ui_sessions, sid, time.monotonic())
    if session is None:
        return None
    try:
        who = authenticated(state, Headers({"x-api-key": session.key}), client(request), charge=charge)
    except HTTPException as exc:
        if exc.status_code == 401:  # revoked or expired: the session ends with its key
            state.ui_sessions.pop(str(sid), None)
            return None
        raise
    return session, who


def to_login() -> RedirectResponse:
    return RedirectResponse("/ui/login", status_code=303, headers=HEADERS)


def refusal(request: Request, signed: Signed, status: int, title: str, error: str | None = None) -> HTMLResponse:
    """An error page for a signed-in reader (a hidden object is answered as one that does not exist)."""
    session, who = signed
    return page(request, "incidents.html", status=status, title=title, who=who, csrf=session.csrf, incidents=[],
                error=error)


def readable_incident(state: ApiState, incident_id: str, who: Caller) -> IncidentRow | None:
    """The incident, if the caller may read it (scope and TLP); None as for one that does not exist."""
    if not has_scope(who, "read"):
        return None
    try:
        return visible_incident(state, incident_id, who)
    except NotFound:
        return None


def signed_incident(request: Request, state: ApiState, incident_id: str) -> tuple[Signed, IncidentRow] | Response:
    """The session and the incident an incident's page or form is about, if the caller may read it; else
    the sign-in page, or the page about no such incident (a hidden one answers as one that does not exist)."""
    found = signed_in(request, state)
    if found is None:
        return to_login()
    incident = readable_incident(state, incident_id, found[1])
    if incident is None:
        return refusal(request, found, 404, ui_text(request)("Incidents"))
    return found, incident
