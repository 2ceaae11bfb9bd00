"""The rest of the core as API: labels (read and write), address pages, incidents, trace jobs (start,
status, result) and the admin jobs (clustering, index rebuild). Lists are paginated; everything is
TLP-filtered; reads of non-CLEAR data and every write are audited."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from hotpursuit.api.context import ApiContext
from hotpursuit.api.models import ERRORS, NOT_FOUND, IncidentIn, LabelIn, Problem, TraceJobOut, TraceRequest
from hotpursuit.api.pagination import page
from hotpursuit.attribution.labels import CATEGORIES, TLP_LEVELS, LabelClaim
from hotpursuit.chains.address_codec import check_chain, parse_address
from hotpursuit.errors import InvalidAddress, UnknownChain
from hotpursuit.jobs.assess_job import assess_changed
from hotpursuit.jobs.cluster_job import run_clustering
from hotpursuit.jobs.trace_request import run_trace_request
from hotpursuit.jobs.trace_setup import SERVICE_KINDS
from hotpursuit.screening.index import IndexedClaim, ScreeningIndex
from hotpursuit.store.address_page import address_page
from hotpursuit.store.database import Store
from hotpursuit.store.incident_tables import close_incident, get_incident, list_incidents, open_incident
from hotpursuit.store.label_tables import StoredClaim, add_claim, claims_for
from hotpursuit.store.org_tables import Caller, scores_hidden
from hotpursuit.store.screening_rows import load_screening_index
from hotpursuit.store.trace_job_tables import TraceJob, queue_trace_job, trace_job, trace_job_result, trace_jobs_of


def _address(chain: str, address: str, known_chains: set[str]) -> str:
    try:
        return parse_address(check_chain(chain, known_chains), address)
    except UnknownChain as exc:
        raise HTTPException(400, f"chain: {exc}") from exc
    except InvalidAddress as exc:
        raise HTTPException(400, f"address: {exc}") from exc


def _claim_out(c: StoredClaim) -> dict[str, Any]:
    return {**asdict(c), "source_date": None if c.source_date is None else str(c.source_date)}


def core_router(ctx: ApiContext) -> APIRouter:
    """The core routes over `ctx`."""
    router = APIRouter()
    read_scope, write_scope, admin_scope = ctx.scoped("read"), ctx.scoped("write"), ctx.scoped("admin")

    def visible_claims(chain: str, address: str, who: Caller) -> tuple[list[dict[str, Any]], int]:
        groups = ctx.owner_groups()
        visible, withheld = [], 0
        for c in claims_for(ctx.store, chain, address):
            if ctx.may_see(c.tlp, c.asserted_by, who, groups):
                visible.append(_claim_out(c))
            else:
                withheld += 1
        return visible, withheld

    @router.get("/v1/labels/{chain}/{address}", responses=ERRORS)
    async def labels_of(chain: str, address: str, who: Caller = Depends(read_scope)) -> dict[str, Any]:
        """The claims about an address the caller may see, with provenance, and how many were withheld."""
        normalized = _address(chain, address, ctx.index.chains())
        visible, withheld = visible_claims(chain, normalized, who)
        if any(c["tlp"] != "CLEAR" for c in visible):
            ctx.audit.append(who.org_id, "read-labels", f"{chain}:{normalized}")
        return {"chain": chain, "address": normalized, "claims": visible, "withheld": withheld}

    @router.post("/v1/labels", status_code=201, responses=ERRORS)
    async def add_label(body: LabelIn, who: Caller = Depends(write_scope)) -> dict[str, Any]:
        """Assert a claim as the caller's organisation; it is screened from now on."""
        normalized = _address(body.chain, body.address, ctx.index.chains())
        if body.category not in CATEGORIES:
            raise HTTPException(400, f"category: {body.category!r} is not one of {', '.join(CATEGORIES)}")
        if body.tlp.upper() not in TLP_LEVELS:
            raise HTTPException(400, f"tlp: {body.tlp!r} is not one of {', '.join(TLP_LEVELS)}")
        claim = LabelClaim(body.chain, normalized, body.label, body.category, body.actor, body.confidence,
                           body.source, body.source_date, body.tlp.upper(), who.org_id)
        add_claim(ctx.store, f"api:{who.org_id}", claim)
        hidden = scores_hidden(ctx.store, who.org_id)
        ctx.index.add(body.chain, normalized, IndexedClaim(
            claim.label, claim.category, claim.actor, claim.confidence, claim.source, claim.tlp, who.org_id,
            who.sharing_group, None, hidden))
        ctx.audit.append(who.org_id, "write-label", f"{body.chain}:{normalized} {claim.category} {claim.tlp}")
        if ctx.watch is not None and claim.category in SERVICE_KINDS:  # a new endpoint for the live traces
            ctx.watch.invalidate()
        return {"chain": body.chain, "address": normalized, "stored": True}

    @router.get("/v1/addresses/{chain}/{address}", responses=ERRORS)
    async def address(chain: str, address: str, limit: int = Query(20, ge=1, le=500), offset: int = Query(0, ge=0),
                      who: Caller = Depends(read_scope)) -> dict[str, Any]:
        """What the store knows about an address: balances, first and last block seen, counterparties
        (paginated, busiest first), its cluster, the entity it belongs to (if the caller may see that
        claim), the claims the caller may see, and its screening."""
        normalized = _address(chain, address, ctx.index.chains())
        page = address_page(ctx.store, chain, normalized, limit=limit, offset=offset)
        visible, withheld = visible_claims(chain, normalized, who)
        entity = page.entity if page.entity and ctx.may_see(page.entity.tlp, page.entity.asserted_by, who) else None
        screening = ctx.index.screen(chain, normalized, who.org_id, who.sharing_group)
        if any(c["tlp"] != "CLEAR" for c in visible) or (entity and entity.tlp != "CLEAR") or screening.indirect:
            ctx.audit.append(who.org_id, "read-address", f"{chain}:{normalized}")
        return {"chain": chain, "address": normalized,
                "balances": {a: str(v) for a, v in page.balances.items()},
                "first_seen_block": page.first_seen, "last_seen_block": page.last_seen,
                "counterparties": {"offset": offset, "limit": limit, "items": [
                    {"address": c, "asset": a, "transfers": n, "amount": str(x)}
                    for c, a, n, x in page.counterparties]},
                "cluster": None if page.cluster_id is None else {
                    "id": page.cluster_id, "size": page.cluster_size, "reason": page.cluster_reason},
                "entity": None if entity is None else {
                    "address": page.entity_address, **_claim_out(entity),
                    "via": [asdict(link) for link in page.inherited_via]},
                "entity_withheld": page.entity is not None and entity is None,
                "claims": visible, "withheld": withheld,
                "warnings": page.warnings,  # address poisoning: heuristic findings on public chain data (CLEAR)
                "screening": {"risk": screening.risk, "score": screening.score, "categories": screening.categories}}

    def visible_incident(incident_id: str, who: Caller) -> tuple[Any, ...]:
        found = get_incident(ctx.store, incident_id)
        if found is None or not ctx.may_see(found.tlp, found.owner_org, who):
            raise HTTPException(404, f"incident_id: no incident {incident_id!r} visible to {who.org_id}")
        return (found.id, found.name, found.chain, found.status, found.actor, found.tlp, found.owner_org)

    def visible_incident_ids(who: Caller) -> list[str]:
        groups = ctx.owner_groups()
        return [i.id for i in list_incidents(ctx.store) if ctx.may_see(i.tlp, i.owner_org, who, groups)]

    @router.get("/v1/incidents", responses=ERRORS)
    async def incidents(limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0),
                        cursor: str | None = Query(None, max_length=400),
                        who: Caller = Depends(read_scope)) -> dict[str, Any]:
        """Incidents the caller may see, by id; `next` is the cursor of the next page."""
        ids = visible_incident_ids(who)
        chosen, after = page(ids, str, limit=limit, offset=offset, cursor=cursor)
        rows = [visible_incident(i, who) for i in chosen]
        if any(r[5] != "CLEAR" for r in rows):
            ctx.audit.append(who.org_id, "read-incidents", f"{len(rows)} incidents")
        return {"total": len(ids), "offset": offset, "limit": limit, "next": after, "incidents": [
            {"id": r[0], "name": r[1], "chain": r[2], "status": r[3], "actor": r[4], "tlp": r[5]} for r in rows]}

    @router.post("/v1/incidents", status_code=201, responses={**ERRORS, 409: {"model": Problem}})
    async def incident_open(body: IncidentIn, who: Caller = Depends(write_scope)) -> dict[str, Any]:
        """Open an incident owned by the caller's organisation; the live watch (if running) takes it up
        at once and asks freezes for what already reached controlled addresses."""
        check_chain(body.chain, ctx.index.chains())  # a domain error: its class chooses the status
        incident_id, count = open_incident(ctx.store, body.name, body.chain, body.sources, victim=body.victim,
                                           actor=body.actor, since=body.since, tlp=body.tlp, owner=who.org_id)
        ctx.audit.append(who.org_id, "open-incident", f"{incident_id} ({count} sources)")
        if ctx.watch is not None:
            ctx.watch.invalidate()
        return {"id": incident_id, "sources": count}

    @router.post("/v1/incidents/{incident_id}/close", responses=NOT_FOUND)
    async def incident_close(incident_id: str, who: Caller = Depends(write_scope)) -> dict[str, str]:
        """Close an incident (its owner only): the live watch stops following it."""
        row = visible_incident(incident_id, who)
        if row[6] != who.org_id:
            raise HTTPException(403, f"incident {incident_id} is owned by {row[6]}, not {who.org_id}")
        close_incident(ctx.store, incident_id)
        ctx.audit.append(who.org_id, "close-incident", incident_id)
        if ctx.watch is not None:
            ctx.watch.invalidate()
        return {"id": incident_id, "status": "closed"}

    def job_out(job: TraceJob) -> TraceJobOut:
        return TraceJobOut(**asdict(job))

    def visible_job(job_id: str, who: Caller) -> TraceJob:
        job = trace_job(ctx.store, job_id)
        if job is None:
            raise HTTPException(404, f"no trace job {job_id!r}")
        visible_incident(job.incident_id, who)  # a trace has its incident's TLP
        return job

    @router.post("/v1/incidents/{incident_id}/traces", status_code=202, response_model=TraceJobOut,
                 responses=NOT_FOUND)
    async def start_trace(incident_id: str, body: TraceRequest, who: Caller = Depends(read_scope)) -> TraceJobOut:
        """Start a trace of the incident; poll `/v1/traces/{id}` and fetch `/v1/traces/{id}/result`.
        `save` (write scope) keeps the taint, which screening then shows as indirect exposure."""
        visible_incident(incident_id, who)
        if body.save and "write" not in who.scopes and "admin" not in who.scopes:
            raise HTTPException(403, "save: saving a trace needs the 'write' scope")
        job_id = queue_trace_job(ctx.store, incident_id, body.model, body.hops, who.org_id)
        ctx.audit.append(who.org_id, "start-trace", f"{job_id} {incident_id} {body.model} hops={body.hops}"
                                                          f" save={body.save}")

        def trace_and_index(store: Store) -> tuple[Any, ScreeningIndex | None]:
            # new data (the live watch's blocks) may hold new fake assets or poisoning: their claims go
            # into a fresh index, else only the incident's exposure is swapped in
            fresh = assess_changed(store)
            rows = run_trace_request(store, job_id, incident_id, body.model, body.hops, body.save)
            return rows, load_screening_index(store) if fresh else None

        def swap_exposure(done: Any) -> None:
            rows, index = (None, None) if done.cancelled() or done.exception() else done.result()
            if index is not None:
                ctx.index = index
            elif rows is not None:
                ctx.index.replace_incident_exposure(incident_id, rows)

        ctx.worker.run(trace_and_index).add_done_callback(swap_exposure)
        job = trace_job(ctx.store, job_id)
        assert job is not None
        return job_out(job)

    @router.get("/v1/traces", responses=ERRORS)
    async def traces(incident: str | None = Query(None, max_length=200), limit: int = Query(50, ge=1, le=500),
                     offset: int = Query(0, ge=0), cursor: str | None = Query(None, max_length=400),
                     who: Caller = Depends(read_scope)) -> dict[str, Any]:
        """Trace jobs of the incidents the caller may see (or of one), newest first; `next` is the cursor
        of the next page."""
        ids = visible_incident_ids(who)
        jobs = trace_jobs_of(ctx.store, [i for i in ids if incident is None or i == incident])
        chosen, after = page(jobs, lambda j: j.id, limit=limit, offset=offset, cursor=cursor)
        return {"total": len(jobs), "offset": offset, "limit": limit, "next": after,
                "traces": [job_out(j).model_dump() for j in chosen]}

    @router.get("/v1/traces/{job_id}", response_model=TraceJobOut, responses=NOT_FOUND)
    async def trace_status(job_id: str, who: Caller = Depends(read_scope)) -> TraceJobOut:
        """A trace job's status: queued, running, done or failed (with the error)."""
        return job_out(visible_job(job_id, who))

    @router.get("/v1/traces/{job_id}/result", responses={**NOT_FOUND, 409: {"model": Problem}})
    async def trace_result(job_id: str, who: Caller = Depends(read_scope)) -> Response:
        """The finished trace's report (endpoints, holders, flows, totals); 409 while it is not done."""
        job = visible_job(job_id, who)
        result = trace_job_result(ctx.store, job_id) if job.status == "done" else None
        if result is None:
            raise HTTPException(409, f"trace {job_id} is {job.status}" + (f": {job.error}" if job.error else ""))
        ctx.audit.append(who.org_id, "read-trace", job_id)
        return Response(result, media_type="application/json")

    @router.post("/v1/admin/cluster/{chain}", responses=ERRORS)
    async def cluster(chain: str, who: Caller = Depends(admin_scope)) -> dict[str, Any]:
        """Cluster a chain's new blocks, then rebuild the screening index (in the worker: screening
        goes on meanwhile with the old index)."""
        def job(store: Store) -> tuple[Any, Any]:
            stats = run_clustering(store, chain)
            assess_changed(store)
            return stats, load_screening_index(store)
        stats, index = await ctx.worker.run(job)
        ctx.index = index
        if ctx.watch is not None:  # clusters extend endpoints and controls: the live traces follow
            ctx.watch.invalidate()
        ctx.audit.append(who.org_id, "cluster", f"{chain}: {stats.links} links")
        return {"chain": chain, "links": stats.links, "addresses_indexed": len(index)}

    @router.post("/v1/admin/reload", responses=ERRORS)
    async def reload(who: Caller = Depends(admin_scope)) -> dict[str, int]:
        """Rebuild the screening index from the store, in the worker."""
        def job(store: Store) -> ScreeningIndex:
            assess_changed(store)  # fake assets and poisoning of data imported meanwhile
            return load_screening_index(store)

        ctx.index = await ctx.worker.run(job)
        ctx.audit.append(who.org_id, "reload-index", f"{len(ctx.index)} addresses")
        return {"addresses": len(ctx.index)}

    return router

