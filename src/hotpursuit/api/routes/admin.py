"""Admin jobs, in the worker (screening goes on meanwhile with the old index): clustering a chain's new
blocks, rebuilding the screening index."""

from __future__ import annotations

from fastapi import APIRouter

from hotpursuit.api.deps import Admin, State
from hotpursuit.api.inputs import known_chain
from hotpursuit.api.models.admin import ClusteredOut, ReloadedOut
from hotpursuit.api.models.common import ChainPath
from hotpursuit.api.models.errors import ERRORS
from hotpursuit.jobs.assess_job import assess_changed
from hotpursuit.jobs.cluster_job import ClusterStats, run_clustering
from hotpursuit.screening.index import ScreeningIndex
from hotpursuit.store.database import Store
from hotpursuit.store.screening_rows import load_screening_index

router = APIRouter(tags=["admin"])


@router.post("/v1/admin/cluster/{chain}", response_model=ClusteredOut, responses=ERRORS)
async def cluster(chain: ChainPath, who: Admin, state: State) -> ClusteredOut:
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
async def reload(who: Admin, state: State) -> ReloadedOut:
    """Rebuild the screening index from the store (fake assets and poisoning of data imported meanwhile
    assessed first)."""
    def job(store: Store) -> ScreeningIndex:
        assess_changed(store)
        return load_screening_index(store)

    state.index = await state.worker.run(job)
    state.audit.append(who.org_id, "reload-index", f"{len(state.index)} addresses")
    return ReloadedOut(addresses=len(state.index))
