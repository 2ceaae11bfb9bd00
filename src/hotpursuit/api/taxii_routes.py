"""TAXII 2.1 (OASIS, 10 June 2021) under /taxii2/: discovery, one api root (`hotpursuit`), its collections
(labels, incidents, traces, and one per incident), objects with `added_after`, `limit`/`next` and the
`match[...]` filters, single objects and their versions, manifests, and adding objects to the labels
collection (a partner's claims, owned here by the organisation that posted them). Basic (the key as the
password) and Bearer authentication with the API's keys; a caller sees exactly the objects its TLP and
sharing group allow (security.tlp.may_see, the API's rule); a collection it may not see is answered as one
that does not exist. `next` is a stateless cursor (the last object's date added and sequence)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import secrets
import time
import uuid
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from hotpursuit.api.guard import authenticated
from hotpursuit.api.state import ApiState
from hotpursuit.share.publisher import Publisher
from hotpursuit.share.stix_export import Sees, audience
from hotpursuit.share.stix_import import import_objects
from hotpursuit.share.stix_mapping import StixError, parse_timestamp
from hotpursuit.store.database import Store
from hotpursuit.store.org_tables import Caller
from hotpursuit.store.share_reads import own_incidents
from hotpursuit.store.share_tables import Provenance, PublishedObject, published

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
ROOT = "hotpursuit"
MAX_PAGE = 1000
MAX_CONTENT = 8 * 1024 * 1024
COLLECTION_NS = uuid.UUID("6a1f3c52-8e0d-4b7a-9c21-5d4e3f2a1b09")
PUBLISH_EVERY = 1.0  # seconds: how stale a collection may be when a client reads it
WRITABLE = frozenset({"labels"})
STIX_ID = re.compile(r"[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

router = APIRouter(include_in_schema=False)


class TaxiiError(Exception):
    """A TAXII error answer: its status, title and description (the TAXII error message body)."""

    def __init__(self, status: int, title: str, description: str = "", headers: dict[str, str] | None = None) -> None:
        super().__init__(title)
        self.status, self.title, self.description, self.headers = status, title, description, headers or {}


def _answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=TAXII, headers=headers)


def error_answer(exc: TaxiiError) -> Response:
    """A TAXII error message."""
    body = {"title": exc.title, "http_status": str(exc.status)}
    if exc.description:
        body["description"] = exc.description
    return _answer(body, exc.status, exc.headers)


def collection_id(name: str) -> str:
    """A collection's id: a UUID from its name, the same on every start."""
    return str(uuid.uuid5(COLLECTION_NS, name))


async def _caller(request: Request) -> tuple[ApiState, Caller]:
    state: ApiState = request.app.state.hotpursuit
    client = request.client.host if request.client else ""
    try:
        who = authenticated(state, request.headers, client)
    except HTTPException as exc:
        headers = dict(exc.headers or {})
        if exc.status_code == 401:
            headers["WWW-Authenticate"] = 'Basic realm="hotpursuit TAXII", Bearer'
        raise TaxiiError(exc.status_code, "unauthorized" if exc.status_code == 401 else "too many requests",
                         str(exc.detail), headers) from None
    if "read" not in who.scopes:
        raise TaxiiError(403, "forbidden", "this key lacks the 'read' scope")
    accept = request.headers.get("accept", "")
    if accept and not any(part.strip().split(";")[0] in ("application/taxii+json", "*/*", "application/*")
                          for part in accept.split(",")):
        raise TaxiiError(406, "not acceptable", f"Accept {accept!r}: this server answers {TAXII}")
    if time.monotonic() - state.shared_at > PUBLISH_EVERY:
        if not isinstance(state.share_publisher, Publisher):
            state.share_publisher = Publisher()
        await state.worker.run(state.share_publisher.run)
        state.shared_at = time.monotonic()
    return state, who


def _collections(store: Store, sees: Sees) -> dict[str, dict[str, Any]]:
    """The collections the caller may see, by id."""
    names: list[tuple[str, str, str]] = [
        ("labels", "labels", "claims about addresses (indicators on cryptocurrency wallets); partners may add theirs"),
        ("incidents", "incidents", "incidents with their actors"),
        ("traces", "traces", "the wallets every incident's trace reached, with their taint")]
    for incident in own_incidents(store):
        if sees(incident.tlp, incident.owner_org):
            names.append((f"incident:{incident.id}", f"incident {incident.name}",
                          f"incident {incident.id}: the incident, the wallets its trace reached, the claims "
                          "about them"))
    return {collection_id(name): {"id": collection_id(name), "title": title, "description": description,
                                  "alias": name.replace(":", "-"), "can_read": True, "can_write": name in WRITABLE,
                                  "media_types": [STIX], "_name": name} for name, title, description in names}


def _collection(state: ApiState, who: Caller, cid: str) -> dict[str, Any]:
    found = _collections(state.store, audience(state.store, who.org_id)).get(cid)
    if found is None:
        raise TaxiiError(404, "collection not found", f"no collection {cid!r} visible to {who.org_id}")
    return found


def _public(collection: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in collection.items() if not k.startswith("_")}


@router.get("/taxii2/")
async def discovery(request: Request) -> Response:
    """The server's discovery resource."""
    try:
        await _caller(request)
    except TaxiiError as exc:
        return error_answer(exc)
    base = str(request.base_url).rstrip("/")
    return _answer({"title": "hotpursuit", "description": "stolen-crypto intelligence of this task force, under TLP",
                    "default": f"{base}/taxii2/{ROOT}/", "api_roots": [f"{base}/taxii2/{ROOT}/"]})


@router.get(f"/taxii2/{ROOT}/")
async def api_root(request: Request) -> Response:
    """The api root's information."""
    try:
        await _caller(request)
    except TaxiiError as exc:
        return error_answer(exc)
    return _answer({"title": "hotpursuit", "description": "claims, incidents and traces", "versions": [TAXII],
                    "max_content_length": MAX_CONTENT})


@router.get(f"/taxii2/{ROOT}/collections/")
async def collections(request: Request) -> Response:
    """The collections the caller may see."""
    try:
        state, who = await _caller(request)
    except TaxiiError as exc:
        return error_answer(exc)
    found = _collections(state.store, audience(state.store, who.org_id))
    return _answer({"collections": [_public(c) for c in found.values()]})


@router.get(f"/taxii2/{ROOT}/collections/{{cid}}/")
async def collection(request: Request, cid: str) -> Response:
    """One collection's information."""
    try:
        state, who = await _caller(request)
        return _answer(_public(_collection(state, who, cid)))
    except TaxiiError as exc:
        return error_answer(exc)


def _timestamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def _parse_time(text: str, name: str) -> dt.datetime:
    try:
        return parse_timestamp(text, name)
    except StixError as bad:
        raise TaxiiError(400, "bad request", str(bad)) from None


def _cursor(text: str) -> int:
    try:
        kind, _, seq = base64.urlsafe_b64decode(text.encode() + b"==").decode().partition(":")
        if kind != "after" or not seq.isdigit():
            raise ValueError(text)
        return int(seq)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise TaxiiError(400, "bad request", f"next: {text[:80]!r} is not a cursor this server gave") from None


def _next_of(seq: int) -> str:
    return base64.urlsafe_b64encode(f"after:{seq}".encode()).decode().rstrip("=")


def _page(state: ApiState, who: Caller, name: str, request: Request, object_id: str | None = None
          ) -> tuple[list[PublishedObject], bool, str | None]:
    """The page of (row) the query asks for: visible rows only, at most `limit`."""
    q = request.query_params
    limit = q.get("limit")
    if limit is not None and (not limit.isdigit() or int(limit) < 1):
        raise TaxiiError(400, "bad request", f"limit: {limit!r} is not a positive integer")
    size = min(int(limit) if limit else MAX_PAGE, MAX_PAGE)
    added_after = _parse_time(q["added_after"], "added_after") if q.get("added_after") else None
    after = _cursor(q["next"]) if q.get("next") else 0
    ids = [object_id] if object_id else [i for i in (q.get("match[id]") or "").split(",") if i]
    types = [t for t in (q.get("match[type]") or "").split(",") if t]
    versions = q.get("match[version]") or ("all" if request.url.path.endswith("/versions/") else "last")
    sees = audience(state.store, who.org_id)
    rows: list[PublishedObject] = []
    more = False
    while not more:  # read on until the page is full of what the caller may see, or nothing is left
        batch = published(state.store, name, after=after, added_after=added_after, ids=ids, types=types,
                          versions=versions, limit=size + 1)
        for row in batch:
            if not sees(row.tlp, row.owner_org):
                continue
            if len(rows) == size:
                more = True
                break
            rows.append(row)
        if len(batch) <= size:
            break
        after = batch[-1].seq
    following = _next_of(rows[-1].seq) if more and rows else None
    if any(r.tlp != "CLEAR" for r in rows):
        state.audit.append(who.org_id, "taxii-read", f"{name}: {len(rows)} objects")
    return rows, more, following


def _date_headers(rows: list[Any]) -> dict[str, str]:
    if not rows:
        return {}
    return {"X-TAXII-Date-Added-First": _timestamp(rows[0].date_added),
            "X-TAXII-Date-Added-Last": _timestamp(rows[-1].date_added)}


def _envelope(rows: list[Any], more: bool, following: str | None) -> Response:
    body = b'{"more":' + (b"true" if more else b"false")
    if following:
        body += b',"next":' + orjson.dumps(following)
    body += b',"objects":[' + b",".join(r.body.encode() for r in rows) + b"]}"
    return Response(body, media_type=TAXII, headers=_date_headers(rows))


@router.get(f"/taxii2/{ROOT}/collections/{{cid}}/objects/")
async def objects(request: Request, cid: str) -> Response:
    """A page of the collection's objects the caller may see."""
    try:
        state, who = await _caller(request)
        found = _collection(state, who, cid)
        return _envelope(*_page(state, who, found["_name"], request))
    except TaxiiError as exc:
        return error_answer(exc)


async def _object_page(request: Request, cid: str, object_id: str
                       ) -> tuple[list[PublishedObject], bool, str | None]:
    """The page of one object's versions the caller may see; 404 if there is none."""
    state, who = await _caller(request)
    found = _collection(state, who, cid)
    rows, more, following = _page(state, who, found["_name"], request, object_id)
    if not rows:
        raise TaxiiError(404, "object not found", f"no object {object_id!r} in this collection")
    return rows, more, following


@router.get(f"/taxii2/{ROOT}/collections/{{cid}}/objects/{{object_id}}/")
async def one_object(request: Request, cid: str, object_id: str) -> Response:
    """The versions of one object (by default its newest) the caller may see."""
    try:
        return _envelope(*await _object_page(request, cid, object_id))
    except TaxiiError as exc:
        return error_answer(exc)


@router.get(f"/taxii2/{ROOT}/collections/{{cid}}/objects/{{object_id}}/versions/")
async def versions(request: Request, cid: str, object_id: str) -> Response:
    """The versions of one object."""
    try:
        rows, more, following = await _object_page(request, cid, object_id)
        body: dict[str, Any] = {"more": more, "versions": [r.version for r in rows]}
        if following:
            body["next"] = following
        return _answer(body, headers=_date_headers(rows))
    except TaxiiError as exc:
        return error_answer(exc)


@router.get(f"/taxii2/{ROOT}/collections/{{cid}}/manifest/")
async def manifest(request: Request, cid: str) -> Response:
    """A page of the collection's manifest (id, date added, version, media type) the caller may see."""
    try:
        state, who = await _caller(request)
        found = _collection(state, who, cid)
        rows, more, following = _page(state, who, found["_name"], request)
        body: dict[str, Any] = {"more": more, "objects": [
            {"id": r.id, "date_added": _timestamp(r.date_added), "version": r.version, "media_type": STIX}
            for r in rows]}
        if following:
            body["next"] = following
        return _answer(body, headers=_date_headers(rows))
    except TaxiiError as exc:
        return error_answer(exc)


@router.post(f"/taxii2/{ROOT}/collections/{{cid}}/objects/")
async def add_objects(request: Request, cid: str) -> Response:
    """Add a partner's objects to a writable collection (labels): its claims are stored as the posting
    organisation's, with their own TLP and asserting organisation; answered with a status resource."""
    try:
        state, who = await _caller(request)
        found = _collection(state, who, cid)
        if not found["can_write"] or "write" not in who.scopes:
            raise TaxiiError(403, "forbidden", f"collection {cid}: not writable with this key")
        if request.headers.get("content-type", "").replace(" ", "").split(";")[0] != "application/taxii+json":
            raise TaxiiError(415, "unsupported media type", f"Content-Type must be {TAXII}")
        try:
            envelope = orjson.loads(await request.body())
        except orjson.JSONDecodeError as bad:
            raise TaxiiError(400, "bad request", f"body: not JSON ({bad})") from None
        items = envelope.get("objects") if isinstance(envelope, dict) else None
        if not isinstance(items, list):
            raise TaxiiError(400, "bad request", "body: an envelope with an `objects` list is expected")
        received = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        provenance = Provenance(f"taxii-post:{who.org_id}", found["_name"], who.org_id)
        counts = await state.worker.run(lambda store: import_objects(
            store, provenance, items, asserted_as=who.org_id, authority=who.kind == "agency"))
        state.audit.append(who.org_id, "taxii-add", f"{found['_name']}: {counts.claims} claims, "
                                                    f"{counts.wallets} wallets, {len(counts.skipped)} skipped")
        failures = [{"id": _stix_id(s), "message": s} for s in counts.skipped]
        ids = [str(o.get("id")) for o in items if isinstance(o, dict)]
        failed = {f["id"] for f in failures}
        status: dict[str, Any] = {
            "id": str(uuid.UUID(bytes=secrets.token_bytes(16), version=4)), "status": "complete",
            "request_timestamp": _timestamp(received), "total_count": len(items),
            "success_count": len(items) - len(failures),
            "successes": [{"id": i} for i in ids if i not in failed][:1000],
            "failure_count": len(failures), "failures": failures[:1000], "pending_count": 0, "pendings": []}
        state.taxii_statuses[status["id"]] = {**status, "_org": who.org_id}
        if len(state.taxii_statuses) > 10_000:
            state.taxii_statuses.pop(next(iter(state.taxii_statuses)))
        if counts.claims or counts.wallets or counts.withdrawn:
            from hotpursuit.store.screening_rows import load_screening_index
            state.index = await state.worker.run(load_screening_index)
        return _answer(status, 202)
    except TaxiiError as exc:
        return error_answer(exc)


def _stix_id(text: str) -> str:
    found = STIX_ID.search(text)
    return found.group(0) if found else ""


@router.get(f"/taxii2/{ROOT}/status/{{status_id}}/")
async def status(request: Request, status_id: str) -> Response:
    """The status of an earlier add (its poster's only)."""
    try:
        state, who = await _caller(request)
        found = state.taxii_statuses.get(status_id)
        if found is None or found["_org"] != who.org_id:
            raise TaxiiError(404, "status not found", f"no status {status_id!r}")
        return _answer({k: v for k, v in found.items() if not k.startswith("_")})
    except TaxiiError as exc:
        return error_answer(exc)

