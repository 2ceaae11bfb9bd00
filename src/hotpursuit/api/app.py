"""The HTTP API (FastAPI): versioned under /v1, every request authenticated by an organisation's key.

Keys come as `Authorization: Bearer <key>` or `X-API-Key: <key>`. A missing, wrong, expired or revoked
key gets 401, a key without the needed scope 403, never data. Screening answers come from the
in-memory screening index; answers that reveal non-public (non-CLEAR) claims are written to the
hash-chained audit log, with the caller. Handlers are `async` and never await while they use the
store, so the one DuckDB connection is used by one request at a time. (Dependencies are given as
default values, not `Annotated`: the module's postponed annotations cannot see the local functions.)
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from hotpursuit.chains.address_codec import parse_address
from hotpursuit.errors import InvalidAddress
from hotpursuit.screening.index import ScreeningIndex
from hotpursuit.store.database import Store
from hotpursuit.store.org_tables import Caller, append_audit, authenticate
from hotpursuit.store.screening_rows import load_screening_index

MAX_BATCH = 100_000
MAX_BODY_BYTES = 8 * 1024 * 1024


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


def create_app(store: Store) -> FastAPI:
    """The application over an open store (the server process owns it)."""
    app = FastAPI(title="hotpursuit", version="1", openapi_url="/openapi.json")
    state: dict[str, ScreeningIndex] = {"index": load_screening_index(store)}

    def caller(authorization: str | None = Header(None), x_api_key: str | None = Header(None)) -> Caller:
        key = x_api_key or (authorization[7:] if authorization and authorization.startswith("Bearer ") else None)
        found = authenticate(store, key)
        if found is None:
            raise HTTPException(401, "missing, unknown, expired or revoked API key",
                                headers={"WWW-Authenticate": "Bearer"})
        return found

    def scoped(scope: str) -> Any:
        def check(who: Caller = Depends(caller)) -> Caller:
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

    @app.get("/v1/ping")
    async def ping(who: Caller = Depends(caller)) -> dict[str, str]:
        """Authenticated, does nothing: the baseline for the screening benchmark."""
        return {"org": who.org_id}

    @app.get("/v1/screen/{chain}/{address}", response_model=ScreeningOut)
    async def screen(chain: str, address: str, who: Caller = Depends(screen_scope)) -> ScreeningOut:
        """Risk, categories and the claims the caller may see about one address."""
        try:
            normalized = parse_address(chain, address)
        except InvalidAddress as exc:
            raise HTTPException(422, f"address: {exc}") from exc
        result = state["index"].screen(chain, normalized, who.org_id, who.sharing_group)
        if any(c["tlp"] != "CLEAR" for c in result.direct):
            append_audit(store, who.org_id, "screen", f"{chain}:{normalized}")
        return ScreeningOut(**asdict(result))

    @app.post("/v1/screen/batch")
    async def screen_batch(body: BatchRequest, who: Caller = Depends(screen_scope)) -> dict[str, Any]:
        """Up to 100,000 addresses at once; invalid ones are listed with the reason, not fatal."""
        index = state["index"]
        results, invalid = [], []
        for i, address in enumerate(body.addresses):
            try:
                normalized = parse_address(body.chain, address)
            except InvalidAddress as exc:
                invalid.append({"index": i, "address": address[:100], "reason": str(exc)[:200]})
                continue
            r = index.screen(body.chain, normalized, who.org_id, who.sharing_group)
            if r.score or r.withheld:
                results.append({"address": normalized, "risk": r.risk, "score": r.score,
                                 "categories": r.categories, "withheld": r.withheld})
        append_audit(store, who.org_id, "screen-batch", f"{body.chain}: {len(body.addresses)} addresses")
        return {"chain": body.chain, "screened": len(body.addresses), "flagged": results, "invalid": invalid}

    @app.post("/v1/admin/reload")
    async def reload(who: Caller = Depends(admin_scope)) -> dict[str, int]:
        """Rebuild the screening index from the store (after label imports or clustering)."""
        state["index"] = load_screening_index(store)
        append_audit(store, who.org_id, "reload-index", f"{len(state['index'])} addresses")
        return {"addresses": len(state["index"])}

    return app
