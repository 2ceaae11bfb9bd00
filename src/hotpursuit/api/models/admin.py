"""Admin jobs: clustering a chain, rebuilding the screening index."""

from __future__ import annotations

from pydantic import BaseModel


class ClusteredOut(BaseModel):
    """Clustering done and the index rebuilt."""

    chain: str
    links: int
    addresses_indexed: int


class ReloadedOut(BaseModel):
    """The index rebuilt."""

    addresses: int
