"""TAXII 2.1 client side: pull a partner's collection (every page after the stored cursor) into the store
as claims and exposure with provenance, and push what a partner may see to its collection; built on
`taxii2-client`, with Basic (user + key) or Bearer auth and one-line errors for every failure."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from taxii2client.common import _HTTPConnection  # type: ignore[import-untyped]  # no stubs; pyproject is the lead's
from taxii2client.exceptions import AccessError, TAXIIServiceException  # type: ignore[import-untyped]
from taxii2client.v21 import Collection  # type: ignore[import-untyped]

from hotpursuit.errors import Forbidden, HotpursuitError, NotFound
from hotpursuit.share.stix_import import ImportCounts, import_objects
from hotpursuit.share.stix_mapping import StixObject
from hotpursuit.store.database import Store
from hotpursuit.store.share_tables import Provenance, pull_cursor, set_pull_cursor

PAGE_SIZE = 500  # objects asked per page (a server may answer fewer)
IMPORT_BATCH = 2_000  # claims and wallets imported per batch
PUSH_OBJECTS = 500  # objects per POST
PUSH_BYTES = 4 * 1024 * 1024  # and at most this much JSON per POST (servers cap request bodies)
TIMEOUT = 30.0  # seconds per HTTP request
# Objects an indicator or wallet refers to: sent with every import batch, and fetched whole on an
# incremental pull, so a claim pulled later still knows who made it and a wallet its incident.
CONTEXT_TYPES = ("identity", "threat-actor", "intrusion-set", "incident")
STIX_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


class TaxiiPeerError(HotpursuitError):
    """A partner's TAXII server was unreachable, refused us, or answered something that is not TAXII 2.1."""


class BearerAuth(requests.auth.AuthBase):
    """`Authorization: Bearer KEY` (taxii2-client's own TokenAuth sends `Token KEY`)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.key}"
        return request


class _TimeoutAdapter(HTTPAdapter):
    """Every request gets a timeout: taxii2-client sets none, and a silent peer must not hang a pull."""

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: float | tuple[float | None, float | None] | None = None, verify: bool | str = True,
             cert: str | tuple[str, str] | None = None, proxies: dict[str, str] | None = None) -> requests.Response:
        return super().send(request, stream=stream, timeout=TIMEOUT if timeout is None else timeout, verify=verify,
                            cert=cert, proxies=proxies)


@dataclass(frozen=True, slots=True)
class Peer:
    """A partner's collection: its API root URL, the collection id, and how we authenticate (the key as
    Basic password with `user`, else as a Bearer token)."""

    api_root: str
    collection: str
    key: str
    user: str | None = None

    @property
    def url(self) -> str:
        """The collection's URL (what pulled data's provenance names)."""
        return f"{self.api_root.rstrip('/')}/collections/{self.collection}/"


@dataclass
class PullResult:
    """What a pull did: the import's counts, how many objects the server sent, and the new cursor."""

    counts: ImportCounts
    received: int = 0
    cursor: str | None = None


@dataclass
class PushResult:
    """What a push did: objects sent, the server's status counts, and what was held back (with why)."""

    sent: int = 0
    succeeded: int = 0
    failed: int = 0
    pending: int = 0
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def open_collection(peer: Peer) -> tuple[Any, list[str]]:
    """The taxii2-client Collection of a peer, and the list the `X-TAXII-Date-Added-Last` header of each
    answer is appended to (the envelope itself has no dates)."""
    conn = _HTTPConnection(user=peer.user, password=peer.key, version="2.1") if peer.user else \
        _HTTPConnection(auth=BearerAuth(peer.key), version="2.1")
    adapter = _TimeoutAdapter()
    conn.session.mount("http://", adapter)
    conn.session.mount("https://", adapter)
    added_last: list[str] = []

    def remember(response: Any, *_: Any, **__: Any) -> None:
        if value := response.headers.get("X-TAXII-Date-Added-Last"):
            added_last.append(str(value))
    conn.session.hooks["response"].append(remember)
    return Collection(peer.url, conn=conn), added_last


@contextmanager
def peer_errors(peer: Peer, doing: str) -> Iterator[None]:
    """Turn what requests and taxii2-client raise into one clear HotpursuitError naming the peer."""
    where = f"TAXII {doing} {peer.url}"
    try:
        yield
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        detail = _error_detail(exc.response)
        if status == 401:
            how = f"Basic, user {peer.user!r}" if peer.user else "Bearer key"
            raise TaxiiPeerError(f"{where}: 401: the server refused the credentials ({how}){detail}") from None
        if status == 403:
            raise Forbidden(f"{where}: 403: this key may not {doing} this collection{detail}") from None
        if status == 404:
            raise NotFound(f"{where}: 404: no such API root or collection{detail}") from None
        raise TaxiiPeerError(f"{where}: the server answered {status}{detail}") from None
    except requests.Timeout:
        raise TaxiiPeerError(f"{where}: no answer within {TIMEOUT:.0f} s") from None
    except requests.ConnectionError as exc:
        raise TaxiiPeerError(f"{where}: unreachable ({_reason(exc)})") from None
    except requests.RequestException as exc:  # invalid URL, schema, too many redirects, ...
        raise TaxiiPeerError(f"{where}: {type(exc).__name__}: {exc}") from None
    except AccessError:
        raise Forbidden(f"{where}: the collection does not allow this ({doing})") from None
    except TAXIIServiceException as exc:  # wrong content type, invalid JSON, malformed resource
        raise TaxiiPeerError(f"{where}: not a TAXII 2.1 answer ({str(exc).splitlines()[0]})") from None
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise TaxiiPeerError(f"{where}: not a TAXII 2.1 answer ({type(exc).__name__}: {exc})") from None


def _error_detail(response: Any) -> str:
    """The `title`/`description` of a TAXII error message, if the server sent one."""
    try:
        body = response.json() if response is not None else None
    except ValueError:  # not JSON: no detail
        return ""
    if isinstance(body, dict) and (body.get("title") or body.get("description")):
        return ": " + " - ".join(str(body[k]) for k in ("title", "description") if body.get(k))
    return ""


def _reason(exc: Exception) -> str:
    """The innermost reason of a connection error (refused, name not known), not urllib3's whole chain."""
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "No route to host", "timed out",
                   "Temporary failure in name resolution", "certificate verify failed"):
        if marker in text:
            return marker
    return text.splitlines()[0][:200]


# ---- pull ------------------------------------------------------------------------------------------------

def fetch_collection(peer: Peer, added_after: str | None) -> tuple[list[StixObject], list[StixObject], str | None]:
    """Every object of the peer's collection added after `added_after` (all pages, fetched back to back:
    a server's `next` may live only seconds), the context objects of the whole collection when pulling
    incrementally, and the latest date_added seen (the next cursor; None if nothing came)."""
    collection, added_last = open_collection(peer)
    try:
        with peer_errors(peer, "pull from"):
            objects = _all_pages(collection, added_after=added_after)
            cursor = max(added_last, key=_when) if added_last else None
            context = _all_pages(collection, type=list(CONTEXT_TYPES)) if added_after and objects else []
    finally:
        collection.close()
    return objects, context, cursor


def _all_pages(collection: Any, **filters: Any) -> list[StixObject]:
    """Every page of Get Objects with these filters, following `next` (the same filters on every page, as
    a server's paging session wants; a server may answer fewer than asked, which is not a warning)."""
    out: list[StixObject] = []
    page: Any = collection.get_objects(limit=PAGE_SIZE, **filters)
    while True:
        if not isinstance(page, dict) or not isinstance(page.get("objects", []), list):
            raise TAXIIServiceException("the answer is not a TAXII envelope")
        out.extend(o for o in page.get("objects", []) if isinstance(o, dict))
        if not page.get("more") or not page.get("next"):
            return out
        page = collection.get_objects(limit=PAGE_SIZE, next=str(page["next"]), **filters)


def _when(timestamp: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise TAXIIServiceException(f"X-TAXII-Date-Added-Last {timestamp!r} is not a timestamp") from None


def import_pulled(store: Store, peer: Peer, org_id: str, objects: Sequence[StixObject],
                  context: Sequence[StixObject] = (), default_chain: str | None = None) -> ImportCounts:
    """Import pulled objects as organisation `org_id`'s, in batches of claims and wallets, each batch
    with the objects they refer to (identities, actors, incidents and `indicates` relationships)."""
    provenance = Provenance(peer.url, peer.collection, org_id)
    referred = {str(o.get("id")): o for o in [*context, *objects] if o.get("type") in CONTEXT_TYPES
                or (o.get("type") == "relationship" and o.get("relationship_type") == "indicates")}
    payload = [o for o in objects if o.get("type") in ("indicator", "cryptocurrency-wallet")]
    total = ImportCounts()
    for start in range(0, max(len(payload), 1), IMPORT_BATCH):
        counts = import_objects(store, provenance, [*referred.values(), *payload[start:start + IMPORT_BATCH]],
                                default_chain)
        total.claims += counts.claims
        total.wallets += counts.wallets
        total.withdrawn += counts.withdrawn
        total.unchanged += counts.unchanged
        total.skipped += [s for s in counts.skipped if s not in total.skipped]  # context repeats per batch
    return total


def pull(store: Store, peer: Peer, org_id: str, default_chain: str | None = None) -> PullResult:
    """Pull what the peer's collection gained since the last pull by `org_id`, import it as that
    organisation's, and move the cursor on (only after the import, so a failed one is retried)."""
    cursor = pull_cursor(store, peer.url, peer.collection, org_id)
    objects, context, latest = fetch_collection(peer, cursor)
    counts = import_pulled(store, peer, org_id, objects, context, default_chain)
    if latest is not None:
        set_pull_cursor(store, peer.url, peer.collection, org_id, latest)
    return PullResult(counts, len(objects), latest or cursor)


# ---- push ------------------------------------------------------------------------------------------------

def forwardable(objects: Sequence[StixObject]) -> tuple[list[StixObject], list[str]]:
    """The objects safe to send, and why the others were held back: an object whose `version` is not a
    STIX timestamp (OASIS's TLP extension-definition says "1.0.0") makes medallion 3.0 answer 500 to every
    read of the collection until it restarts, as it reads `version` before `modified`."""
    keep: list[StixObject] = []
    skipped: list[str] = []
    for o in objects:
        version = o.get("version")
        if version is not None and not (isinstance(version, str) and STIX_TIMESTAMP.fullmatch(version)):
            skipped.append(f"{o.get('type')} {o.get('id')}: version {version!r} is not a timestamp "
                           "(some TAXII servers then fail every read of the collection)")
            continue
        keep.append(o)
    return keep, skipped


def chunks(objects: Sequence[StixObject], max_objects: int = PUSH_OBJECTS,
           max_bytes: int = PUSH_BYTES) -> Iterator[list[StixObject]]:
    """The objects in envelopes of at most `max_objects` objects and about `max_bytes` of JSON."""
    chunk: list[StixObject] = []
    size = 0
    for o in objects:
        n = len(json.dumps(o, ensure_ascii=False).encode()) + 2
        if chunk and (len(chunk) >= max_objects or size + n > max_bytes):
            yield chunk
            chunk, size = [], 0
        chunk.append(o)
        size += n
    if chunk:
        yield chunk


def push_objects(peer: Peer, objects: Sequence[StixObject], *, poll_seconds: float = 1.0,
                 wait_seconds: float = 60.0) -> PushResult:
    """Add the objects to the peer's collection in envelopes; the server's status counts summed."""
    keep, skipped = forwardable(objects)
    result = PushResult(skipped=skipped)
    collection, _ = open_collection(peer)
    try:
        with peer_errors(peer, "push to"):
            for chunk in chunks(keep):
                status = collection.add_objects({"objects": chunk}, poll_interval=poll_seconds,
                                                timeout=wait_seconds)
                result.sent += len(chunk)
                result.succeeded += int(status.success_count or 0)
                result.failed += int(status.failure_count or 0)
                result.pending += int(status.pending_count or 0)
                result.failures += [f"{f.get('id')}: {f.get('message') or 'refused'}"
                                    for f in status.failures or () if isinstance(f, dict)]
    finally:
        collection.close()
    return result


def push(store: Store, peer: Peer, what: str, for_org: str, as_org: str | None = None) -> PushResult:
    """Push collection `what` (labels, incidents, traces, incident:<id>) as organisation `for_org` (the
    partner, as known in this store) may see it: TLP and sharing groups decide what leaves; with `as_org`
    (the pushing organisation), only what it may see itself too."""
    from hotpursuit.share.stix_export import visible_collection
    objects = visible_collection(store, what, for_org)
    if as_org is not None and as_org != for_org:
        ours = {str(o["id"]) for o in visible_collection(store, what, as_org)}
        objects = [o for o in objects if o["id"] in ours]
    return push_objects(peer, objects)
