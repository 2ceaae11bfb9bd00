"""The UI's incident forms: open an incident (an agency's key with the `incident` scope) and close one
(its owner), through the API's own functions, so the checks, the audit entry and the live watch's
pick-up are the same. A refused form answers with the reason, never a 500."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hotpursuit.api.deps import State, has_scope
from hotpursuit.api.models.incidents import IncidentIn
from hotpursuit.api.routes.incidents import close_incident_as, open_incident_as
from hotpursuit.errors import Forbidden, HotpursuitError, NotFound
from hotpursuit.web.pages import HEADERS, refusal, signed_in, signed_incident, to_login, ui_text
from hotpursuit.web.sessions import csrf_holds

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=200)]


def _invalid(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"


@router.post("/ui/incidents")
async def open_form(request: Request, state: State, name: Short, chain: Short,
                    sources: Annotated[str, Form(max_length=100_000)], tlp: Short = "AMBER",
                    victim: Short = "", actor: Short = "", csrf: Annotated[str | None, Form(max_length=100)] = None
                    ) -> Response:
    found = signed_in(request, state)
    if found is None:
        return to_login()
    session, who = found
    _ = ui_text(request)
    if not csrf_holds(session, csrf):
        return refusal(request, found, 403, _("Incidents"), _("The form was not this session's."))
    if not has_scope(who, "incident"):
        return refusal(request, found, 403, _("Incidents"),
                       _("Opening an incident needs a key with the 'incident' scope."))
    lines = [line.strip() for line in sources.splitlines() if line.strip()]
    try:
        body = IncidentIn.model_validate({"name": name.strip(), "chain": chain.strip(), "sources": lines,
                                          "victim": victim.strip() or None, "actor": actor.strip() or None,
                                          "tlp": tlp})
        incident_id, _ = open_incident_as(state, who, body)
    except ValidationError as exc:
        return refusal(request, found, 400, _("Incidents"), _invalid(exc))
    except HotpursuitError as exc:
        return refusal(request, found, 403 if isinstance(exc, Forbidden) else 400, _("Incidents"), str(exc))
    return RedirectResponse(f"/ui/incidents/{incident_id}", status_code=303, headers=HEADERS)


@router.post("/ui/incidents/{incident_id}/close")
async def close_form(incident_id: str, request: Request, state: State,
                     csrf: Annotated[str | None, Form(max_length=100)] = None) -> Response:
    opened = signed_incident(request, state, incident_id)
    if isinstance(opened, Response):
        return opened
    found, _incident = opened
    session, who = found
    _ = ui_text(request)
    if not csrf_holds(session, csrf):
        return refusal(request, found, 403, _("Incidents"), _("The form was not this session's."))
    if not has_scope(who, "incident"):
        return refusal(request, found, 403, _("Incidents"),
                       _("Closing an incident needs a key with the 'incident' scope."))
    try:
        close_incident_as(state, who, incident_id)
    except NotFound:
        return refusal(request, found, 404, _("Incidents"))
    except HotpursuitError as exc:
        return refusal(request, found, 403, _("Incidents"), str(exc))
    return RedirectResponse(f"/ui/incidents/{incident_id}", status_code=303, headers=HEADERS)
