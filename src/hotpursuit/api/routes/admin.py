"""Server administration (scope server-admin): jobs in the worker (screening goes on meanwhile with the
old index: clustering a chain's new blocks, rebuilding the screening index), and the review of control
claims."""

from __future__ import annotations

from fastapi import APIRouter

from hotpursuit.api.deps import ServerAdmin, State
from hotpursuit.api.inputs import address_of, known_chain
from hotpursuit.api.models.admin import ClusteredOut, ReloadedOut
from hotpursuit.api.models.common import ChainPath
from hotpursuit.api.models.errors import ERRORS, NOT_FOUND_OR_CONFLICT
from hotpursuit.api.models.orgs import ControlOut, ControlsOut, ReviewIn
from hotpursuit.api.routes.orgs import control_out
from hotpursuit.jobs.assess_job import assess_changed
from hotpursuit.jobs.cluster_job import ClusterStats, run_clustering
from hotpursuit.screening.index import ScreeningIndex
from hotpursuit.store.control_tables import claims_to_review, mark_verified, pending_claim, reject_claim
from hotpursuit.store.database import Store
from hotpursuit.store.screening_rows import load_screening_index

router = APIRouter(tags=["admin"])


@router.post("/v1/admin/cluster/{chain}", response_model=ClusteredOut, responses=ERRORS)
async def cluster(chain: ChainPath, who: ServerAdmin, state: State) -> ClusteredOut:
    """Cluster a chain's new blocks, then rebuild the screening index."""
    known_chain(state, chain)

    def job(store: Store) -> tuple[ClusterStats, ScreeningIndex]:
        stats = run_clustering(store, chain)
        assess_changed(store)
        return stats, load_screening_index(store)

    stats, index = await state.worker.run(job)
    state.index = index
    state.watch_changed()  # clusters extend endpoints and controls: the live traces follow
    state.audit.append(who.org_id, "cluster", f"{chain}: {stats.links} links")
    return ClusteredOut(chain=chain, links=stats.links, addresses_indexed=len(index))


@router.post("/v1/admin/reload", response_model=ReloadedOut, responses=ERRORS)
async def reload(who: ServerAdmin, state: State) -> ReloadedOut:
    """Rebuild the screening index from the store (fake assets and poisoning of data imported meanwhile
    assessed first)."""
    def job(store: Store) -> ScreeningIndex:
        assess_changed(store)
        return load_screening_index(store)

    state.index = await state.worker.run(job)
    state.audit.append(who.org_id, "reload-index", f"{len(state.index)} addresses")
    return ReloadedOut(addresses=len(state.index))


@router.get("/v1/admin/controls", response_model=ControlsOut, responses=ERRORS)
async def claims(who: ServerAdmin, state: State) -> ControlsOut:
    """Control claims waiting for review (pending), oldest first."""
    return ControlsOut(controls=[control_out(c) for c in claims_to_review(state.store)])


@router.post("/v1/admin/controls/review", response_model=ControlOut, responses=NOT_FOUND_OR_CONFLICT)
async def review(body: ReviewIn, who: ServerAdmin, state: State) -> ControlOut:
    """Approve or reject a pending claim, with the reason (kept with the control, audited). Approving a
    claim on an address another organisation holds ends that organisation's control."""
    address = address_of(state, body.chain, body.address)
    claim = pending_claim(state.store, body.org, body.chain, address)
    with state.audit.change(who.org_id, f"{body.decision}-control") as note:
        if body.decision == "approve":
            done = mark_verified(state.store, claim, f"server-admin:{who.org_id}", body.reason)
        else:
            done = reject_claim(state.store, claim, who.org_id, body.reason)
        note.detail = f"{body.org} {body.chain}:{address}: {body.reason}"
    state.watch_changed()
    return control_out(done)
