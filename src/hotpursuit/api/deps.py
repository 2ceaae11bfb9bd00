"""What routes depend on: the server's state, the authenticated caller (the guard, api/guard.py, has
authenticated and rate-limited it before the body was read) and its scopes. Use them as annotations:
`who: Reader`, `state: State`. A key without the needed scope gets 403, never data. Every dependency is
`async`: a plain `def` would run in a thread pool, and the store's main connection is used from the
event loop only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from hotpursuit.api.state import ApiState
from hotpursuit.store.org_tables import Caller

# documents the key header in OpenAPI (security scheme); the guard reads the key itself
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False,
                       description="the organisation's key (or `Authorization: Bearer <key>`)")


async def api_state(request: Request) -> ApiState:
    """The server's state."""
    state: ApiState = request.app.state.hotpursuit
    return state


State = Annotated[ApiState, Depends(api_state)]


async def caller(request: Request, _: Annotated[str | None, Security(API_KEY)]) -> Caller:
    """The caller the guard authenticated (api/guard.py: before the body was read)."""
    found: Caller | None = getattr(request.state, "caller", None)
    if found is None:  # a route outside the guard's paths: never served without a key
        raise HTTPException(401, "missing, unknown, expired or revoked API key", headers={"WWW-Authenticate": "Bearer"})
    return found


def has_scope(who: Caller, scope: str) -> bool:
    """Whether the caller's key has `scope` (no scope implies another)."""
    return scope in who.scopes


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
Investigator = Annotated[Caller, Depends(scoped("incident"))]
OrgAdmin = Annotated[Caller, Depends(scoped("org-admin"))]
ServerAdmin = Annotated[Caller, Depends(scoped("server-admin"))]
