"""The HTTP API (FastAPI): versioned under /v1, every request authenticated by an organisation's key.

Keys come as `Authorization: Bearer <key>` or `X-API-Key: <key>`. A missing, wrong, expired or revoked
key gets 401, a key without the needed scope 403, never data. Screening answers come from the
in-memory screening index; answers that reveal non-public (non-CLEAR) claims are written to the
hash-chained audit log, with the caller. Handlers are `async` and never await while they use the
store (dependencies included: a plain `def` would run in a thread pool), so the one DuckDB connection
is used by one request at a time. (Dependencies are given as
default values, not `Annotated`: the module's postponed annotations cannot see the local functions.)
"""

from __future__ import annotations

import datetime
import math
import re
import time
from dataclasses import asdict
from typing import Any

import orjson
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from hotpursuit.attribution.labels import CATEGORIES, TLP_LEVELS, LabelClaim
from hotpursuit.chains.address_codec import parse_address
from hotpursuit.errors import InvalidAddress
from hotpursuit.jobs.trace_job import run_trace
from hotpursuit.screening.index import IndexedClaim, ScreeningIndex
from hotpursuit.security.tlp import may_see
from hotpursuit.store.database import Store
from hotpursuit.store.label_tables import add_claim, claims_for
from hotpursuit.store.org_tables import Caller, append_audit, authenticate
from hotpursuit.store.screening_rows import load_screening_index
from hotpursuit.trace.report_render import render_json

MAX_BATCH = 100_000
AUTH_CACHE_SECONDS = 5.0
TX_HASH = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")


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
MAX_BODY_BYTES = 8 * 1024 * 1024


class Problem(BaseModel):
    """An error: what was wrong, naming the field."""

    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": Problem}, 401: {"model": Problem},
                                           403: {"model": Problem}, 413: {"model": Problem},
                                           429: {"model": Problem}}


class LabelIn(BaseModel):
    """A claim an organisation asserts (it becomes its owner)."""

    chain: str = Field(min_length=1, max_length=32)
    address: str = Field(min_length=1, max_length=128)
    label: str = Field(min_length=1, max_length=200)
    category: str
    actor: str | None = Field(default=None, max_length=100)
    confidence: int = Field(ge=0, le=100)
    source: str = Field(min_length=1, max_length=500)
    source_date: datetime.date | None = None
    tlp: str = "AMBER"


class BatchRequest(BaseModel):
    """Up to 100,000 addresses of one chain."""

    chain: str = Field(min_length=1, max_length=32)
    addresses: list[str] = Field(min_length=1, max_length=MAX_BATCH)


class ScreeningOut(BaseModel):
    """The screening of one address."""

    chain: str
    address: str
    risk: str
    score: int
    categories: list[str]
    direct: list[dict[str, Any]]
    withheld: int
    indirect: list[dict[str, Any]]


def create_app(store: Store, *, rate_per_second: float = 2000.0, burst: int = 4000) -> FastAPI:
    """The application over an open store (the server process owns it); each key may make
    `rate_per_second` requests per second on average, `burst` at once (429 with Retry-After beyond)."""
    app = FastAPI(title="hotpursuit", version="1", openapi_url="/openapi.json")
    state: dict[str, ScreeningIndex] = {"index": load_screening_index(store)}
    buckets: dict[str, RateBucket] = {}
    auth_cache: dict[str, tuple[float, Caller]] = {}  # a revocation takes effect within AUTH_CACHE_SECONDS

    async def caller(authorization: str | None = Header(None), x_api_key: str | None = Header(None)) -> Caller:
        key = x_api_key or (authorization[7:] if authorization and authorization.startswith("Bearer ") else None)
        now = time.monotonic()
        cached = auth_cache.get(key or "")
        if cached is not None and now - cached[0] < AUTH_CACHE_SECONDS:
            found: Caller | None = cached[1]
        else:
            found = authenticate(store, key)
            if found is not None and key:
                auth_cache[key] = (now, found)
        if found is None:
            raise HTTPException(401, "missing, unknown, expired or revoked API key",
                                headers={"WWW-Authenticate": "Bearer"})
        bucket = buckets.setdefault(found.key_id, RateBucket(rate_per_second, burst))
        wait = bucket.take(time.monotonic())
        if wait > 0:
            raise HTTPException(429, f"rate limit of {rate_per_second:g} requests/s for this key",
                                headers={"Retry-After": str(max(1, math.ceil(wait)))})
        return found

    def scoped(scope: str) -> Any:
        async def check(who: Caller = Depends(caller)) -> Caller:
            if scope not in who.scopes and "admin" not in who.scopes:
                raise HTTPException(403, f"this key lacks the {scope!r} scope")
            return who
        return check

    screen_scope, admin_scope = scoped("screen"), scoped("admin")

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Any:
        size = request.headers.get("content-length")
        if size is not None and size.isdigit() and int(size) > MAX_BODY_BYTES:
            return JSONResponse({"detail": f"request body above {MAX_BODY_BYTES} bytes"}, status_code=413)
        return await call_next(request)

    @app.get("/v1/ping", responses=ERRORS)
    async def ping(who: Caller = Depends(caller)) -> dict[str, str]:
        """Authenticated, does nothing: the baseline for the screening benchmark."""
        return {"org": who.org_id}

    @app.get("/v1/screen/{chain}/{address}", response_model=ScreeningOut, responses=ERRORS)
    async def screen(chain: str, address: str, who: Caller = Depends(screen_scope)) -> ScreeningOut:
        """Risk, categories and the claims the caller may see about one address."""
        try:
            normalized = parse_address(chain, address)
        except InvalidAddress as exc:
            raise HTTPException(400, f"address: {exc}") from exc
        result = state["index"].screen(chain, normalized, who.org_id, who.sharing_group)
        if any(c["tlp"] != "CLEAR" for c in result.direct):
            append_audit(store, who.org_id, "screen", f"{chain}:{normalized}")
        return ScreeningOut(**asdict(result))

    @app.get("/v1/screen/{chain}/tx/{tx_hash}", responses={**ERRORS, 404: {"model": Problem}})
    async def screen_tx(chain: str, tx_hash: str, who: Caller = Depends(screen_scope)) -> dict[str, Any]:
        """Every address a transaction moved value between, screened; the transaction's risk is the worst."""
        if not TX_HASH.match(tx_hash):
            raise HTTPException(400, "tx_hash: want 64 hex digits (0x-prefixed for EVM chains)")
        wanted = tx_hash.lower()
        rows = store.con.execute(
            """SELECT from_address FROM transfers WHERE chain = $c AND tx_hash = $h
               UNION SELECT to_address FROM transfers WHERE chain = $c AND tx_hash = $h
               UNION SELECT address FROM utxo_outputs WHERE chain = $c AND tx_hash = $h AND address IS NOT NULL
               UNION SELECT address FROM utxo_inputs WHERE chain = $c AND tx_hash = $h AND address IS NOT NULL""",
            {"c": chain, "h": wanted}).fetchall()
        if not rows:
            raise HTTPException(404, f"transaction {wanted} is not in the store for chain {chain}")
        results = [asdict(state["index"].screen(chain, str(a), who.org_id, who.sharing_group)) for (a,) in sorted(rows)]
        worst = max(results, key=lambda r: r["score"])
        return {"chain": chain, "tx": wanted, "risk": worst["risk"], "score": worst["score"], "addresses": results}

    @app.post("/v1/screen/batch", responses=ERRORS)
    async def screen_batch(body: BatchRequest, who: Caller = Depends(screen_scope)) -> Response:
        """Up to 100,000 addresses at once; invalid ones are listed with the reason, not fatal."""
        index = state["index"]
        results, invalid = [], []
        for i, address in enumerate(body.addresses):
            try:
                normalized = parse_address(body.chain, address)
            except InvalidAddress as exc:
                invalid.append({"index": i, "address": address[:100], "reason": str(exc)[:200]})
                continue
            if not index.knows(body.chain, normalized):
                continue  # nothing known: risk none, nothing withheld
            r = index.screen(body.chain, normalized, who.org_id, who.sharing_group)
            if r.score or r.withheld:
                results.append({"address": normalized, "risk": r.risk, "score": r.score,
                                 "categories": r.categories, "withheld": r.withheld})
        append_audit(store, who.org_id, "screen-batch", f"{body.chain}: {len(body.addresses)} addresses")
        # serialised here with orjson: FastAPI's generic encoder costs more than the screening itself
        return Response(orjson.dumps({"chain": body.chain, "screened": len(body.addresses), "flagged": results,
                                      "invalid": invalid}), media_type="application/json")

    read_scope, write_scope = scoped("read"), scoped("write")

    @app.get("/v1/labels/{chain}/{address}", responses=ERRORS)
    async def labels_of(chain: str, address: str, who: Caller = Depends(read_scope)) -> dict[str, Any]:
        """The claims about an address the caller may see, with provenance, and how many were withheld."""
        try:
            normalized = parse_address(chain, address)
        except InvalidAddress as exc:
            raise HTTPException(400, f"address: {exc}") from exc
        visible, withheld = [], 0
        for c in claims_for(store, chain, normalized):
            group = owner_groups().get(c.asserted_by)
            if may_see(c.tlp, c.asserted_by, group, who.org_id, who.sharing_group):
                visible.append({**asdict(c), "source_date": None if c.source_date is None else str(c.source_date)})
            else:
                withheld += 1
        if any(c["tlp"] != "CLEAR" for c in visible):
            append_audit(store, who.org_id, "read-labels", f"{chain}:{normalized}")
        return {"chain": chain, "address": normalized, "claims": visible, "withheld": withheld}

    @app.post("/v1/labels", status_code=201, responses=ERRORS)
    async def add_label(body: LabelIn, who: Caller = Depends(write_scope)) -> dict[str, Any]:
        """Assert a claim as the caller's organisation; it is screened from now on."""
        try:
            normalized = parse_address(body.chain, body.address)
        except InvalidAddress as exc:
            raise HTTPException(400, f"address: {exc}") from exc
        if body.category not in CATEGORIES:
            raise HTTPException(400, f"category: {body.category!r} is not one of {', '.join(CATEGORIES)}")
        if body.tlp.upper() not in TLP_LEVELS:
            raise HTTPException(400, f"tlp: {body.tlp!r} is not one of {', '.join(TLP_LEVELS)}")
        claim = LabelClaim(body.chain, normalized, body.label, body.category, body.actor, body.confidence,
                           body.source, body.source_date, body.tlp.upper(), who.org_id)
        add_claim(store, f"api:{who.org_id}", claim)
        state["index"].add(body.chain, normalized, IndexedClaim(
            claim.label, claim.category, claim.actor, claim.confidence, claim.source, claim.tlp, who.org_id,
            who.sharing_group))
        append_audit(store, who.org_id, "write-label", f"{body.chain}:{normalized} {claim.category} {claim.tlp}")
        return {"chain": body.chain, "address": normalized, "stored": True}

    def visible_incident(incident_id: str, who: Caller) -> tuple[Any, ...]:
        row = store.con.execute("""SELECT i.id, i.name, i.chain, i.status, i.actor, i.tlp, i.owner_org,
                                          o.sharing_group FROM incidents i LEFT JOIN orgs o ON o.id = i.owner_org
                                   WHERE i.id = ?""", [incident_id]).fetchone()
        if row is None or not may_see(str(row[5]), row[6], row[7], who.org_id, who.sharing_group):
            raise HTTPException(404, f"no incident {incident_id!r} visible to {who.org_id}")
        return tuple(row)

    @app.get("/v1/incidents", responses=ERRORS)
    async def incidents(limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0),
                        who: Caller = Depends(read_scope)) -> dict[str, Any]:
        """Incidents the caller may see, paginated by id."""
        rows = store.con.execute("""SELECT i.id, i.name, i.chain, i.status, i.actor, i.tlp, i.owner_org,
                                           o.sharing_group FROM incidents i LEFT JOIN orgs o ON o.id = i.owner_org
                                    ORDER BY i.id""").fetchall()
        seen = [r for r in rows if may_see(str(r[5]), r[6], r[7], who.org_id, who.sharing_group)]
        page = [{"id": r[0], "name": r[1], "chain": r[2], "status": r[3], "actor": r[4], "tlp": r[5]}
                for r in seen[offset:offset + limit]]
        return {"total": len(seen), "offset": offset, "limit": limit, "incidents": page}

    @app.get("/v1/incidents/{incident_id}/trace", responses={**ERRORS, 404: {"model": Problem}})
    async def incident_trace(incident_id: str, model: str = Query("haircut", pattern="^(haircut|fifo|poison)$"),
                             hops: int | None = Query(None, ge=1, le=64),
                             who: Caller = Depends(read_scope)) -> Response:
        """Trace an incident now and return the report (endpoints, holders, flows, totals)."""
        visible_incident(incident_id, who)
        report = run_trace(store, incident_id, model=model, max_hops=hops)
        append_audit(store, who.org_id, "trace", f"{incident_id} {model} hops={hops}")
        return Response(render_json(report), media_type="application/json")

    def owner_groups() -> dict[str, str | None]:
        return {str(o): g for o, g in store.con.execute("SELECT id, sharing_group FROM orgs").fetchall()}

    @app.post("/v1/admin/reload", responses=ERRORS)
    async def reload(who: Caller = Depends(admin_scope)) -> dict[str, int]:
        """Rebuild the screening index from the store (after label imports or clustering)."""
        state["index"] = load_screening_index(store)
        append_audit(store, who.org_id, "reload-index", f"{len(state['index'])} addresses")
        return {"addresses": len(state["index"])}

    return app
