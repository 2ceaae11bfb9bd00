"""The gate every /v1 request passes before any route runs (a plain ASGI middleware): the key is
authenticated and charged against its rate limit *before a byte of the body is read*, failed
authentications are limited per source address, and the body is counted while it streams (chunked
uploads included) and cut off with 413 past the limit. The authenticated caller is handed to the
routes in the request's state (api/deps.py reads it).

Keys come as `Authorization: Bearer <key>` or `X-API-Key: <key>`. A missing, wrong, expired or revoked
key gets 401; a key over its rate, or an address over its failed-authentication rate, 429 with
Retry-After.
"""

from __future__ import annotations

import base64
import ipaddress
import math
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hotpursuit.api.errors import error_response
from hotpursuit.api.state import ApiState, RateBucket
from hotpursuit.security.json_depth import MAX_NESTING, too_deep
from hotpursuit.store.org_tables import Caller, authenticate

AUTH_CACHE_SECONDS = 1.0  # a revocation takes effect within this many seconds


def presented_key(headers: Headers) -> str | None:
    """The key a request presents, if any: `X-API-Key`, `Authorization: Bearer KEY`, or HTTP Basic with the
    key as the password (TAXII and MISP clients speak Basic; the user name is not checked)."""
    key = headers.get("x-api-key")
    if key:
        return key
    authorization = headers.get("authorization") or ""
    if authorization.startswith("Bearer "):
        return authorization[7:]
    if authorization[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def _retry_after(wait: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(wait)))}


def authenticated(state: ApiState, headers: Headers, client: str, *, charge: bool = True) -> Caller:
    """The caller a request's key names, charged one token of its key's rate (unless `charge` is False: an
    open event stream checking that its key still holds); HTTPException 401/429."""
    now = time.monotonic()
    client = source_of(client)
    key = presented_key(headers)
    cached = state.auth_cache.get(key or "")
    if cached is not None and now - cached[0] < AUTH_CACHE_SECONDS:
        found: Caller | None = cached[1]
    else:
        failures = state.failed_auth.get(client)
        wait = 0.0 if failures is None else failures.refill(now)
        if wait > 0:  # guessing keys from this address: no more tries until the bucket refills
            raise HTTPException(429, "too many failed authentications from this address", headers=_retry_after(wait))
        found = authenticate(state.store, key)
        if found is not None and key:
            state.auth_cache[key] = (now, found)
    if found is None:
        failed = state.failed_auth.get(client)
        if failed is None:
            forget_idle_sources(state.failed_auth, now)
            failed = state.failed_auth[client] = RateBucket(state.failed_auth_rate, state.failed_auth_burst)
        failed.take(now)
        raise HTTPException(401, "missing, unknown, expired or revoked API key", headers={"WWW-Authenticate": "Bearer"})
    if not charge:
        return found
    rate = found.rate_per_second or state.rate_per_second
    bucket = state.buckets.get(found.key_id)
    if bucket is None or bucket.rate != rate:  # a key's own rate, else the server's; a burst of two seconds' worth
        burst = state.burst if rate == state.rate_per_second else max(1, int(2 * rate))
        bucket = state.buckets[found.key_id] = RateBucket(rate, burst)
    wait = bucket.take(now)
    if wait > 0:
        raise HTTPException(429, f"rate limit of {rate:g} requests/s for this key", headers=_retry_after(wait))
    return found


MAX_TRACKED_SOURCES = 10_000


def source_of(client: str) -> str:
    """Whom failed authentications are counted against: the IPv4 address, or the IPv6 /64 (one host
    holds a whole /64, so counting single IPv6 addresses would count nothing)."""
    try:
        ip = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def forget_idle_sources(buckets: dict[str, RateBucket], now: float) -> None:
    """Keep the failed-authentication buckets bounded: past MAX_TRACKED_SOURCES, drop those refilled to
    their burst (they restrict nothing), then the oldest."""
    if len(buckets) < MAX_TRACKED_SOURCES:
        return
    for source, bucket in list(buckets.items()):
        if bucket.refill(now) == 0 and bucket.tokens >= bucket.burst:
            del buckets[source]
    while len(buckets) >= MAX_TRACKED_SOURCES:
        del buckets[next(iter(buckets))]


class Guard:
    """Authenticate, rate-limit and cap the body of every /v1 request, in that order; cap the body of
    every /ui, /taxii2 and /misp request (they authenticate themselves)."""

    def __init__(self, app: ASGIApp, state: ApiState, max_body: int) -> None:
        self.app, self.state, self.max_body = app, state, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope["path"]).startswith(("/ui/", "/taxii2/", "/misp/")):
            # the pages, TAXII and the MISP feed authenticate themselves (their own auth schemes and error
            # bodies); their bodies are capped here
            await self._ui(scope, receive, send)
            return
        if scope["type"] != "http" or not str(scope["path"]).startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            size = headers.get("content-length")
            if size is not None and (not size.isdigit() or int(size) > self.max_body):
                raise HTTPException(413, f"body: request body above {self.max_body} bytes")
            client = scope.get("client")
            caller = authenticated(self.state, headers, client[0] if client else "")
        except HTTPException as exc:
            refusal = error_response(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))
            await refusal(scope, receive, send)
            return
        scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, self._capped(receive, headers), send)

    async def _ui(self, scope: Scope, receive: Receive, send: Send) -> None:
        size = Headers(scope=scope).get("content-length")
        if size is not None and (not size.isdigit() or int(size) > self.max_body):
            refusal = error_response(413, f"body: request body above {self.max_body} bytes")
            await refusal(scope, receive, send)
            return
        await self.app(scope, self._capped(receive, Headers(scope=scope)), send)

    def _capped(self, receive: Receive, headers: Headers) -> Receive:
        """`receive`, raising 413 once the body passes the limit, and 400 at its end if it nests deeper
        than security.json_depth allows (FastAPI passes an HTTPException raised while reading the body
        through to the error handlers)."""
        kind = headers.get("content-type", "").lower()
        is_json = not kind or "json" in kind  # FastAPI parses a body without a type as JSON; forms and files not
        received, brackets = 0, 0
        kept: list[bytes] = []  # the body so far (within max_body), measured at its end if it may nest too deep

        async def capped() -> Message:
            nonlocal received, brackets
            message: dict[str, Any] = dict(await receive())
            if message["type"] == "http.request":
                chunk = bytes(message.get("body", b""))
                received += len(chunk)
                if received > self.max_body:
                    raise HTTPException(413, f"body: request body above {self.max_body} bytes")
                brackets += chunk.count(b"[") + chunk.count(b"{")
                kept.append(chunk)
                if is_json and brackets > MAX_NESTING and not message.get("more_body", False):
                    deep = too_deep(b"".join(kept))  # the parsers recurse per level: measured first
                    if deep:
                        raise HTTPException(400, f"body: {deep}")
            return message

        return capped
