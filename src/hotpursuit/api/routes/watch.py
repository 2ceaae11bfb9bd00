"""The live watch's state."""

from __future__ import annotations

from fastapi import APIRouter

from hotpursuit.api.deps import Reader, State
from hotpursuit.api.models.errors import ERRORS
from hotpursuit.api.models.watch import WatchOut

router = APIRouter(tags=["watch"])


@router.get("/v1/watch", response_model=WatchOut, responses=ERRORS)
async def watch(who: Reader, state: State) -> WatchOut:
    """Blocks processed, requests, retractions, reorgs, last block of the live watch."""
    if state.watch is None:
        return WatchOut(running=False)
    s = state.watch.stats
    return WatchOut(running=True, chain=state.watch.chain, blocks=s.blocks, requests=s.requests,
                    retractions=s.retractions, reorgs=s.reorgs, last_block=s.last_block,
                    bitcoin_block=s.bitcoin_block)
