"""The live watch's state."""

from __future__ import annotations

from pydantic import BaseModel


class WatchOut(BaseModel):
    """Blocks processed, requests, retractions, reorgs, last blocks; only `running` without a watch."""

    running: bool
    chain: str | None = None
    blocks: int | None = None
    requests: int | None = None
    retractions: int | None = None
    reorgs: int | None = None
    last_block: int | None = None
    bitcoin_block: int | None = None
