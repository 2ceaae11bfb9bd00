"""The HTTP API (FastAPI): versioned under /v1, every request authenticated by an organisation's key
(api/deps.py), routes one module per resource (api/routes/), bodies and answers one module per resource
(api/models/), errors in one shape chosen by class (api/errors.py).

The server process owns the store (DuckDB lets one process write it): while it runs, labels, traces and
clustering change through the API, and the screening index follows each change. Handlers are `async`
and never await while they use the store's main connection (dependencies included), so that connection
is used by one request at a time; long jobs and audit commits run in threads on their own cursors.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from hotpursuit.api.audit_writer import CHECKPOINT_SECONDS, AuditWriter
from hotpursuit.api.errors import register_error_handlers
from hotpursuit.api.guard import Guard
from hotpursuit.api.misp_routes import router as misp_feed_router
from hotpursuit.api.routes import ROUTERS
from hotpursuit.api.state import ApiState
from hotpursuit.api.taxii_routes import router as taxii_router
from hotpursuit.api.worker import Worker
from hotpursuit.ingest.bitcoin_node_job import BitcoinSource
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.interdict.live_watch import LiveWatch
from hotpursuit.interdict.outbox_delivery import OutboxDelivery
from hotpursuit.jobs.assess_job import assess_changed
from hotpursuit.security.webhook_targets import parse_networks
from hotpursuit.share.scheduled_pull import PullSpec, run_share_pulls
from hotpursuit.store.database import Store
from hotpursuit.store.screening_rows import load_screening_index
from hotpursuit.store.trace_job_tables import fail_unfinished_trace_jobs
from hotpursuit.web.annotation_pages import router as annotation_ui_router
from hotpursuit.web.freeze_pages import router as freeze_ui_router
from hotpursuit.web.routes import router as ui_router
from hotpursuit.web.screening_pages import router as screening_ui_router

MAX_BODY_BYTES = 8 * 1024 * 1024


def _operation_id(route: APIRoute) -> str:
    """Operation ids are the handlers' names (unique across routes), so OpenAPI links can name them."""
    return route.name


DEFAULT_KEY_RATE = 100.0  # requests/s per key: well under one server's throughput (~350-1,300 req/s measured)


def create_app(store: Store, *, rate_per_second: float = DEFAULT_KEY_RATE, burst: int | None = None,
               watch_rpc: str | None = None, thresholds: dict[str, int] | None = None,
               watch_from: int | None = None, watch_bitcoin: BitcoinSource | None = None,
               watch_bitcoin_from: int | None = None, webhook_networks: list[str] | None = None,
               failed_auth_rate: float = 5.0, failed_auth_burst: int = 20,
               audit_checkpoint_seconds: float = CHECKPOINT_SECONDS, rpc: str | None = None,
               share_pulls: list[PullSpec] | None = None) -> FastAPI:
    """The application over an open store (the server process owns it); each key may make
    `rate_per_second` requests per second on average, `burst` (default: two seconds' worth) at once (429
    with Retry-After beyond); a key with a rate of its own keeps it. The default is set below what one
    server answers, so one key's flood cannot take the others' turn.
    With `watch_rpc` (an EVM node's JSON-RPC URL), it follows that chain live and sends freeze requests
    (`thresholds`: asset -> minimum amount asked, base units), and with `watch_bitcoin` also a Bitcoin
    source, where bridge payouts carry the taint on; the outbox is delivered in any case.
    `webhook_networks`: non-public networks (CIDR) an organisation's webhook may point at. Failed
    authentications from one source address: `failed_auth_rate` per second, `failed_auth_burst` at once.
    The audit log's head is signed every `audit_checkpoint_seconds`. `rpc` (default: `watch_rpc`): an EVM
    node the server reads token roles from, to verify control claims over token contracts. `share_pulls`:
    partners' TAXII collections pulled at intervals (their claims and exposure reach screening)."""
    fail_unfinished_trace_jobs(store)
    assess_changed(store)  # fake assets and poisoning known before the first screening answer
    audit = AuditWriter(store, checkpoint_seconds=audit_checkpoint_seconds)
    state = ApiState(store, load_screening_index(store), audit, Worker(store), rate_per_second,
                     burst if burst is not None else max(1, int(2 * rate_per_second)),
                     webhook_networks=parse_networks(webhook_networks or []),
                     failed_auth_rate=failed_auth_rate, failed_auth_burst=failed_auth_burst)
    if rpc or watch_rpc:
        state.rpc = JsonRpcClient(str(rpc or watch_rpc), timeout=10.0, retries=1)
    if watch_rpc is not None:
        state.watch = LiveWatch(JsonRpcClient(watch_rpc), store, thresholds=thresholds, bitcoin=watch_bitcoin)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state.audit.start()
        state.delivery = OutboxDelivery(store, allowed_networks=state.webhook_networks)
        state.delivery.start()
        if state.watch is not None:
            loop, delivery = asyncio.get_running_loop(), state.delivery

            def wake_delivery() -> None:
                loop.call_soon_threadsafe(delivery.wake)

            state.watch.on_requests = wake_delivery
            state.watch.start(watch_from, watch_bitcoin_from)
        pulls = asyncio.get_running_loop().create_task(run_share_pulls(state, share_pulls)) if share_pulls else None
        yield
        if pulls is not None:
            pulls.cancel()
            await asyncio.gather(pulls, return_exceptions=True)
        if state.watch is not None:
            await asyncio.to_thread(state.watch.stop)
        await state.delivery.stop()
        await state.audit.stop()
        state.worker.close()
        state.audit.close()

    app = FastAPI(title="hotpursuit", version="1", openapi_url="/openapi.json", lifespan=lifespan,
                  generate_unique_id_function=_operation_id)
    app.state.hotpursuit = state

    app.add_middleware(Guard, state=state, max_body=MAX_BODY_BYTES)
    register_error_handlers(app)

    for router in ROUTERS:
        app.include_router(router)
    app.include_router(ui_router)
    app.include_router(screening_ui_router)
    app.include_router(freeze_ui_router)
    app.include_router(annotation_ui_router)
    app.include_router(taxii_router)
    app.include_router(misp_feed_router)
    return app
