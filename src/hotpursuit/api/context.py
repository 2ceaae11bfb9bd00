"""What every route of the API shares: the store this process owns, the screening index, the audit
writer, the job worker, and authentication (key -> organisation, scopes, per-key rate limit)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, Header, HTTPException

from hotpursuit.api.audit_writer import AuditWriter
from hotpursuit.api.worker import Worker
from hotpursuit.interdict.live_watch import LiveWatch
from hotpursuit.interdict.outbox_delivery import OutboxDelivery
from hotpursuit.screening.index import ScreeningIndex
from hotpursuit.security.tlp import may_see
from hotpursuit.store.database import Store
from hotpursuit.store.org_tables import Caller, authenticate, sharing_groups

AUTH_CACHE_SECONDS = 5.0  # a revocation takes effect within this many seconds


class RateBucket:
    """A token bucket: `rate` tokens per second, at most `burst` saved up."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst, self.tokens, self.at = rate, burst, float(burst), 0.0

    def take(self, now: float) -> float:
        """Take one token; 0 if granted, else the seconds until one is available."""
        if self.at:
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class ApiContext:
    """The server's shared state (used from the event loop only, except the worker's own cursor)."""

    store: Store
    index: ScreeningIndex
    audit: AuditWriter
    worker: Worker
    rate_per_second: float
    burst: int
    watch: LiveWatch | None = None
    delivery: OutboxDelivery | None = None
    buckets: dict[str, RateBucket] = field(default_factory=dict)
    auth_cache: dict[str, tuple[float, Caller]] = field(default_factory=dict)

    def owner_groups(self) -> dict[str, str | None]:
        """Each organisation's sharing group."""
        return sharing_groups(self.store)

    def may_see(self, tlp: str, owner: str | None, who: Caller, groups: dict[str, str | None] | None = None) -> bool:
        """Whether the caller may see data of this TLP owned by `owner`."""
        group = (groups if groups is not None else self.owner_groups()).get(owner or "")
        return may_see(tlp, owner, group, who.org_id, who.sharing_group)

    async def caller(self, authorization: str | None = Header(None), x_api_key: str | None = Header(None)) -> Caller:
        """The authenticated caller (401 otherwise), charged one token of its key's rate limit (429)."""
        key = x_api_key or (authorization[7:] if authorization and authorization.startswith("Bearer ") else None)
        now = time.monotonic()
        cached = self.auth_cache.get(key or "")
        if cached is not None and now - cached[0] < AUTH_CACHE_SECONDS:
            found: Caller | None = cached[1]
        else:
            found = authenticate(self.store, key)
            if found is not None and key:
                self.auth_cache[key] = (now, found)
        if found is None:
            raise HTTPException(401, "missing, unknown, expired or revoked API key",
                                headers={"WWW-Authenticate": "Bearer"})
        bucket = self.buckets.setdefault(found.key_id, RateBucket(self.rate_per_second, self.burst))
        wait = bucket.take(time.monotonic())
        if wait > 0:
            raise HTTPException(429, f"rate limit of {self.rate_per_second:g} requests/s for this key",
                                headers={"Retry-After": str(max(1, math.ceil(wait)))})
        return found

    def scoped(self, scope: str) -> Any:
        """A dependency: the caller, if its key has `scope` (or admin); 403 otherwise."""
        async def check(who: Caller = Depends(self.caller)) -> Caller:
            if scope not in who.scopes and "admin" not in who.scopes:
                raise HTTPException(403, f"this key lacks the {scope!r} scope")
            return who
        return check
