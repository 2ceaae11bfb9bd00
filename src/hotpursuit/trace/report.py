"""A trace's result as plain data, ready to render or serve."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class TraceReport:
    """A trace's result as plain data: parameters, totals, endpoints, holders, flows, input hash."""

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
