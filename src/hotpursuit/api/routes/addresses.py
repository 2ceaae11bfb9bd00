"""The address page: what the store knows about one address, as far as the caller may see it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from hotpursuit.api.deps import Reader, State
from hotpursuit.api.inputs import address_of
from hotpursuit.api.models.addresses import (
    AddressOut,
    ClusterLink,
    ClusterOut,
    Counterparties,
    Counterparty,
    EntityOut,
    ScreeningSummary,
)
from hotpursuit.api.models.common import AddressPath, ChainPath
from hotpursuit.api.models.errors import ERRORS
from hotpursuit.api.visibility import claim_out, visible, visible_claims
from hotpursuit.store.address_page import address_page

router = APIRouter(tags=["addresses"])


@router.get("/v1/addresses/{chain}/{address}", response_model=AddressOut, responses=ERRORS)
async def address(chain: ChainPath, address: AddressPath, who: Reader, state: State,
                  limit: Annotated[int, Query(ge=1, le=500)] = 20,
                  offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> AddressOut:
    """What the store knows about an address: balances, first and last block seen, counterparties
    (paginated, busiest first), its cluster, the entity it belongs to (if the caller may see that claim),
    the claims the caller may see, and its screening."""
    normalized = address_of(state, chain, address)
    page = address_page(state.store, chain, normalized, limit=limit, offset=offset)
    shown, withheld = visible_claims(state, chain, normalized, who)
    entity = page.entity if page.entity and visible(state, who, page.entity.tlp, page.entity.asserted_by) else None
    screening = state.index.screen(chain, normalized, who.org_id, who.sharing_group)
    if any(c.tlp != "CLEAR" for c in shown) or (entity and entity.tlp != "CLEAR") or screening.indirect:
        state.audit.append(who.org_id, "read-address", f"{chain}:{normalized}")
    return AddressOut(
        chain=chain, address=normalized, balances={a: str(v) for a, v in page.balances.items()},
        first_seen_block=page.first_seen, last_seen_block=page.last_seen,
        counterparties=Counterparties(offset=offset, limit=limit, items=[
            Counterparty(address=c, asset=a, transfers=n, amount=str(x)) for c, a, n, x in page.counterparties]),
        cluster=None if page.cluster_id is None else ClusterOut(
            id=page.cluster_id, size=page.cluster_size, reason=page.cluster_reason),
        entity=None if entity is None else EntityOut(
            **claim_out(entity).model_dump(), address=page.entity_address,
            via=[ClusterLink(**asdict(link)) for link in page.inherited_via]),
        entity_withheld=page.entity is not None and entity is None,
        claims=shown, withheld=withheld,
        warnings=page.warnings,  # address poisoning: heuristic findings on public chain data (CLEAR)
        screening=ScreeningSummary(risk=screening.risk, score=screening.score, categories=screening.categories))
