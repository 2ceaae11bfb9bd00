"""Delivering the outbox: at least once, signed, in order per organisation, with backoff.

Runs on the server's event loop. Each due entry is POSTed to its organisation's webhook with the
exact stored body, `X-Hotpursuit-Signature` (HMAC-SHA256 over timestamp and body) and
`Idempotency-Key` (the entry's id, the same on every retry). A 2xx marks it delivered; anything else
(refused connection, timeout, 4xx, 5xx) schedules the next attempt after `backoff(attempts)`:
0.25 s doubling up to 30 s. Entries of one organisation go one at a time in creation order (a
retraction never overtakes its request); organisations are served concurrently. The state lives in
the store, so a restarted server resumes where the killed one stopped; a receiver may see an entry
twice (killed between its 2xx and our commit) and must apply each idempotency key once.

The webhook's host is resolved again at each delivery and every address checked as when it was set
(public only, unless the operator allowed a network); the request then goes to the checked address
(the URL's host kept in `Host` and, for https, in TLS's server name and certificate check), so a DNS
name that later resolves into the server's network reaches nothing. A failure is recorded as the HTTP
status or the kind of error only: the receiver's reply is never kept or shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import socket
import time
from collections.abc import Iterable

import httpx

from hotpursuit.errors import InvalidInput
from hotpursuit.security.webhook_signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, sign
from hotpursuit.security.webhook_targets import Network, pinned_url, refused_address, webhook_host
from hotpursuit.store.database import Store
from hotpursuit.store.interdiction_tables import Delivery, due_deliveries, mark_delivered, mark_failed, next_due
from hotpursuit.store.interdiction_tables import utc_now as _now

log = logging.getLogger(__name__)


def backoff(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failure."""
    return float(min(30.0, 0.25 * 2 ** max(0, attempts - 1)))


class OutboxDelivery:
    """The delivery loop over one store (its main connection: used only between awaits)."""

    def __init__(self, store: Store, *, timeout: float = 5.0, allowed_networks: Iterable[Network] = ()) -> None:
        self.store = store
        self.timeout = timeout
        self.allowed_networks = list(allowed_networks)
        self.delivered: dict[str, float] = {}  # entry id -> when delivered (monotonic), for the benchmark
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    def start(self) -> None:
        """Start delivering (on the running loop)."""
        self._client = httpx.AsyncClient(timeout=self.timeout)
        self._task = asyncio.get_running_loop().create_task(self._run())

    def wake(self) -> None:
        """New entries were queued: look now (call from the loop's thread)."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop delivering; pending entries stay pending for the next start."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            due = due_deliveries(self.store, _now())
            by_org: dict[str, list[Delivery]] = {}
            for d in due:
                by_org.setdefault(d.org_id, []).append(d)
            await asyncio.gather(*(self._deliver_in_order(entries) for entries in by_org.values()))
            if due:
                continue  # maybe more than one page was due
            nxt = next_due(self.store)
            wait = 30.0 if nxt is None else max(0.0, (nxt - _now()).total_seconds())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=min(wait, 30.0) or 0.01)

    async def _deliver_in_order(self, entries: list[Delivery]) -> None:
        for entry in entries:
            if not await self._deliver(entry):
                return  # keep the organisation's order: the rest wait for this one

    async def _deliver(self, entry: Delivery) -> bool:
        assert self._client is not None
        if not entry.url or not entry.secret:
            mark_failed(self.store, entry.id, _now() + dt.timedelta(seconds=30.0),
                        f"organisation {entry.org_id} has no webhook configured")
            return False
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: entry.id,
                   SIGNATURE_HEADER: sign(entry.secret, entry.body, int(time.time()), entry.id)}
        target = await self._checked_target(entry.url)
        if isinstance(target, str):
            error: str | None = target
        else:
            url, host = target
            headers["Host"] = host
            try:
                reply = await self._client.post(url, content=entry.body, headers=headers,
                                                extensions={"sni_hostname": webhook_host(entry.url)[0]})
                # the status only: the error is shown in the freeze-request list, the reply never is
                error = None if 200 <= reply.status_code < 300 else f"HTTP {reply.status_code}"
            except httpx.HTTPError as exc:
                error = type(exc).__name__  # the kind only: no text from the receiver's side
        if error is None:
            mark_delivered(self.store, entry.id)
            self.delivered[entry.id] = time.monotonic()
            return True
        retry = backoff(entry.attempts + 1)
        log.warning("delivery %s to %s failed (attempt %d, retry in %.2f s): %s", entry.id, entry.org_id,
                    entry.attempts + 1, retry, error)
        mark_failed(self.store, entry.id, _now() + dt.timedelta(seconds=retry), error)
        return False

    async def _checked_target(self, url: str) -> tuple[str, str] | str:
        """(URL pinned to a checked address, Host header), or why the webhook may not be reached now."""
        try:
            host, port = webhook_host(url)
            found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except InvalidInput as exc:
            return str(exc)
        except OSError:
            return "the webhook's host does not resolve"
        addresses = [str(info[4][0]) for info in found]
        refused = refused_address(addresses, self.allowed_networks)
        if refused is not None or not addresses:
            return f"refused: the webhook's host now resolves to {refused}, not a public address"
        netloc = httpx.URL(url).netloc.decode()
        return pinned_url(url, addresses[0]), netloc
