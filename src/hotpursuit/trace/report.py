"""A trace's result as plain data, ready to render or serve."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class TraceReport:
    """A trace's result as plain data: parameters, totals, endpoints, holders, flows, swaps, the assets it
    ignored and why, warnings, input hash."""

    incident: str
    model: str
    max_hops: int | None
    dust: int
    input_hash: str
    stolen: dict[str, str] = field(default_factory=dict)
    endpoints: list[dict[str, Any]] = field(default_factory=list)
    held: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, dict[str, str]] = field(default_factory=dict)
    ignored_assets: list[dict[str, Any]] = field(default_factory=list)  # never counted, with the reason
    swaps: list[dict[str, Any]] = field(default_factory=list)  # swaps that carried taint from one asset to another
    at_venues: list[dict[str, Any]] = field(default_factory=list)  # taint left at a pass-through venue
    # where the trace stopped without an owner (the hop limit, dust): not freezable endpoints
    frontier: list[dict[str, Any]] = field(default_factory=list)
    dust_by_asset: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # how each asset named in the report is read: {"symbol", "decimals"} (amounts stay base units)
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    # "<chain>:<block>" -> the block's Unix time, for the blocks the report names (where the store holds them)
    block_times: dict[str, int] = field(default_factory=dict)
