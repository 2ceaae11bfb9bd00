"""What routes depend on: the server's state, the authenticated caller (key -> organisation, charged one
token of its key's rate limit) and its scopes. Use them as annotations: `who: Reader`, `state: State`.

Keys come as `Authorization: Bearer <key>` or `X-API-Key: <key>`. A missing, wrong, expired or revoked
key gets 401, a key without the needed scope 403, a key over its rate 429 with Retry-After, never data.
Every dependency is `async`: a plain `def` would run in a thread pool, and the store's main connection
is used from the event loop only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from hotpursuit.api.state import ApiState, RateBucket
from hotpursuit.store.org_tables import Caller, authenticate

AUTH_CACHE_SECONDS = 5.0  # a revocation takes effect within this many seconds


async def api_state(request: Request) -> ApiState:
    """The server's state."""
    state: ApiState = request.app.state.hotpursuit
    return state


State = Annotated[ApiState, Depends(api_state)]


def _key(authorization: str | None, x_api_key: str | None) -> str | None:
    if x_api_key:
        return x_api_key
    return authorization[7:] if authorization and authorization.startswith("Bearer ") else None


async def caller(state: State, authorization: Annotated[str | None, Header()] = None,
                 x_api_key: Annotated[str | None, Header()] = None) -> Caller:
    """The authenticated caller (401 otherwise), charged one token of its key's rate limit (429)."""
    key = _key(authorization, x_api_key)
    now = time.monotonic()
    cached = state.auth_cache.get(key or "")
    if cached is not None and now - cached[0] < AUTH_CACHE_SECONDS:
        found: Caller | None = cached[1]
    else:
        found = authenticate(state.store, key)
        if found is not None and key:
            state.auth_cache[key] = (now, found)
    if found is None:
        raise HTTPException(401, "missing, unknown, expired or revoked API key",
                            headers={"WWW-Authenticate": "Bearer"})
    bucket = state.buckets.setdefault(found.key_id, RateBucket(state.rate_per_second, state.burst))
    wait = bucket.take(time.monotonic())
    if wait > 0:
        raise HTTPException(429, f"rate limit of {state.rate_per_second:g} requests/s for this key",
                            headers={"Retry-After": str(max(1, math.ceil(wait)))})
    return found


def has_scope(who: Caller, scope: str) -> bool:
    """Whether the caller's key has `scope` (admin has every scope)."""
    return scope in who.scopes or "admin" in who.scopes


def scoped(scope: str) -> Callable[[Caller], Awaitable[Caller]]:
    """A dependency: the caller, if its key has `scope`; 403 otherwise."""
    async def check(who: Annotated[Caller, Depends(caller)]) -> Caller:
        if not has_scope(who, scope):
            raise HTTPException(403, f"this key lacks the {scope!r} scope")
        return who
    return check


AnyKey = Annotated[Caller, Depends(caller)]
Screener = Annotated[Caller, Depends(scoped("screen"))]
Reader = Annotated[Caller, Depends(scoped("read"))]
Writer = Annotated[Caller, Depends(scoped("write"))]
Admin = Annotated[Caller, Depends(scoped("admin"))]
