"""The server's shared state, as plain data: the store this process owns, the screening index, the audit
writer, the job worker, the live watch and outbox delivery (if running), and the per-key rate buckets
and authentication cache. Used from the event loop only (the worker has its own cursor)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hotpursuit.api.audit_writer import AuditWriter
from hotpursuit.api.worker import Worker
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.interdict.live_watch import LiveWatch
from hotpursuit.interdict.outbox_delivery import OutboxDelivery
from hotpursuit.screening.index import ScreeningIndex
from hotpursuit.security.webhook_targets import Network
from hotpursuit.store.database import Store
from hotpursuit.store.org_tables import Caller
from hotpursuit.web.sessions import UiSession


@dataclass
class RateBucket:
    """A token bucket: `rate` tokens per second, at most `burst` saved up."""

    rate: float
    burst: int
    tokens: float = field(init=False)
    at: float = 0.0

    def __post_init__(self) -> None:
        self.tokens = float(self.burst)

    def refill(self, now: float) -> float:
        """Add what accrued since the last call; the seconds until a token is available (0: now)."""
        if self.at:
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> float:
        """Take one token; 0 if granted, else the seconds until one is available."""
        self.refill(now)
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class ApiState:
    """What every route shares."""

    store: Store
    index: ScreeningIndex
    audit: AuditWriter
    worker: Worker
    rate_per_second: float
    burst: int
    failed_auth_rate: float = 5.0  # failed authentications per second and source address, on average
    failed_auth_burst: int = 20
    watch: LiveWatch | None = None
    rpc: JsonRpcClient | None = None  # an EVM node: token roles for control proofs
    rpc_chain: str | None = None  # the chain it serves (asked once)
    delivery: OutboxDelivery | None = None
    buckets: dict[str, RateBucket] = field(default_factory=dict)  # key id -> its rate limit
    failed_auth: dict[str, RateBucket] = field(default_factory=dict)  # source address -> failed authentications
    auth_cache: dict[str, tuple[float, Caller]] = field(default_factory=dict)
    webhook_networks: list[Network] = field(default_factory=list)  # non-public networks webhooks may reach
    ui_sessions: dict[str, UiSession] = field(default_factory=dict)  # the web UI's signed-in browsers
    taxii_statuses: dict[str, dict[str, Any]] = field(default_factory=dict)  # TAXII add-objects statuses, by id
    shared_at: float = 0.0  # when the TAXII collections were last published (monotonic seconds)
    share_publisher: Any = None  # share.publisher.Publisher: what it last published from

    def traced_and_stolen(self, incident_id: str, declared: dict[str, str]
                          ) -> tuple[dict[str, dict[str, str]] | None, dict[str, str]]:
        """The live trace's figures for the incident (None without a watch) and the loot to show: the
        live trace counts it once, whatever the sources overlap; else as the sources declare it."""
        traced = None if self.watch is None else self.watch.stats.totals.get(incident_id)
        if not traced:
            return traced, declared
        return traced, {a: t["stolen"] for a, t in traced.items() if int(t.get("stolen", 0))}

    def watch_changed(self) -> None:
        """Incidents, controls, services or clusters changed: the live traces (if any) rebuild."""
        if self.watch is not None:
            self.watch.invalidate()
