"""What a case report is made from: the incident as the cover states it, how the trace was run, and every
input the document is assembled from (read from the store by casereport.gather). Plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hotpursuit.attribution.annotations import Annotation
from hotpursuit.casereport.amounts import AssetBook
from hotpursuit.casereport.graph_model import GraphFacts
from hotpursuit.trace.report import TraceReport


@dataclass(frozen=True)
class IncidentFacts:
    """The incident as the cover gives it."""

    id: str
    name: str
    chain: str
    status: str
    actor: str | None
    victim: str | None
    tlp: str
    owner: str | None  # the owner organisation's name (or id)
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    theft: tuple[tuple[str, int | None, int | None], ...] = ()  # (tx, block, Unix time) of each theft tx


@dataclass(frozen=True)
class TraceParameters:
    """How the trace was run (what the cover states as the model and its parameters)."""

    model: str
    max_hops: int | None
    dust: int
    dust_by_asset: tuple[tuple[str, int], ...] = ()
    until_block: int | None = None
    include_assets: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseInputs:
    """What the document is made from (read by casereport.gather)."""

    incident: IncidentFacts
    report: TraceReport
    parameters: TraceParameters
    book: AssetBook
    requests: list[dict[str, Any]]  # the incident's freeze requests (interdiction_tables.freeze_requests)
    board: list[dict[str, Any]]  # per organisation and asset: requests, requested, frozen, answered (the board)
    sources: list[tuple[str, str, str | None, str | None, int | None, str]]  # incident_tables.source_amounts
    tx_times: dict[tuple[str, str], tuple[int, int | None]]  # (chain, tx) -> (block, Unix time)
    org_names: dict[str, str]
    graph_facts: GraphFacts
    annotations: list[Annotation]  # those the reader may see, oldest first
    reader: str | None
    version: str


