"""The MISP feed served by `hotpursuit serve`: `/misp/feed/manifest.json`, `/misp/feed/<uuid>.json` (one event
per incident) and `/misp/feed/hashes.csv`, laid out as MISP instances pull a feed. Each caller sees exactly
what the API shows it (share.stix_export.audience: its TLP and sharing group): the events of the incidents it
may see, with the claims it may see; an event it may not see is answered 404 like an unknown uuid. The
feed lives outside /v1 (MISP's feed URL is a folder), so the key is checked here, as the guard does:
`X-API-Key`, `Authorization: Bearer`, or HTTP Basic with the key as the password (MISP's feed settings)."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response

from hotpursuit.api.deps import State, has_scope
from hotpursuit.api.guard import authenticated
from hotpursuit.api.models.errors import NOT_FOUND
from hotpursuit.api.state import ApiState
from hotpursuit.errors import NotFound
from hotpursuit.share.misp_feed import Feed, event_uuid, feed_of_sets
from hotpursuit.share.model import SharedIncident
from hotpursuit.share.stix_export import Sees, audience, incident_set
from hotpursuit.store.database import Store
from hotpursuit.store.org_tables import Caller
from hotpursuit.store.share_reads import own_incidents

router = APIRouter(prefix="/misp/feed", tags=["misp"])
JSON = "application/json"
FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND, 304: {"description": "the caller's copy (If-None-Match) is current"}}


def _reader(state: ApiState, request: Request) -> Caller:
    """The caller, authenticated and charged like a /v1 request; it needs the `read` scope."""
    who = authenticated(state, request.headers, request.client.host if request.client else "")
    if not has_scope(who, "read"):
        raise HTTPException(403, "this key lacks the 'read' scope")
    return who


def feed_for(store: Store, who: Caller, only: str | None = None) -> tuple[Feed, list[SharedIncident]]:
    """The feed as the caller may see it (only the event `only`, if given: NotFound if it may not see it),
    and its incidents."""
    sees: Sees = audience(store, who.org_id)
    incidents = [i for i in own_incidents(store) if sees(i.tlp, i.owner_org)
                 and (only is None or event_uuid(i.id) == only)]
    if only is not None and not incidents:
        raise NotFound(f"event {only!r}: no such event")
    return feed_of_sets(incident_set(store, i.id, sees) for i in incidents), incidents


async def caller_feed(state: ApiState, who: Caller, only: str | None = None) -> Feed:
    """`feed_for` on the job worker (an incident without a finished trace is traced to build its wallets:
    the event loop goes on answering meanwhile), audited when it shows anything not CLEAR."""
    feed, incidents = await state.worker.run(lambda store: feed_for(store, who, only))
    if any(i.tlp != "CLEAR" for i in incidents):
        state.audit.append(who.org_id, "read-misp-feed", f"{only or 'all'}: {len(incidents)} events")
    return feed


def _answer(request: Request, body: bytes, media_type: str) -> Response:
    """The body with a strong ETag; 304 when the client's copy is current (MISP caches the manifest so)."""
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if tag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers={"ETag": tag})
    return Response(body, media_type=media_type, headers={"ETag": tag, "Cache-Control": "private, no-cache"})


@router.get("/manifest.json", responses=FEED_RESPONSES)
async def misp_manifest(request: Request, state: State) -> Response:
    """The feed's manifest: event uuid -> Orgc, tags, info, date, analysis, threat level, timestamp."""
    return _answer(request, (await caller_feed(state, _reader(state, request))).manifest_json(), JSON)


@router.get("/hashes.csv", responses=FEED_RESPONSES)
async def misp_hashes(request: Request, state: State) -> Response:
    """`md5,event uuid` per attribute value of the events the caller may see (MISP's correlation cache)."""
    feed = await caller_feed(state, _reader(state, request))
    return _answer(request, feed.hashes_csv(), "text/csv; charset=utf-8")


@router.get("/{name}", responses=FEED_RESPONSES)
async def misp_event(name: str, request: Request, state: State) -> Response:
    """One event, `<uuid>.json`, as MISP's feed fetcher reads it."""
    who = _reader(state, request)
    wanted = name.removesuffix(".json")
    if not name.endswith(".json") or len(wanted) > 64:
        raise NotFound(f"{name!r}: no such feed file")
    feed = await caller_feed(state, who, only=wanted)
    return _answer(request, feed.event_json(wanted), JSON)
