"""Which transactions and blocks a trace report cites (as evidence, in flows, paths, swaps, Bitcoin
outpoints, block times): the source rows a bundle must carry so every figure can be recomputed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hotpursuit.trace.report import TraceReport


def cited_transactions(report: TraceReport, theft_txs: Iterable[tuple[str, str]] = ()) -> set[tuple[str, str]]:
    """(chain, tx hash) of every transaction the report names, and the incident's own theft transactions."""
    cited = set(theft_txs)
    for row in [*report.endpoints, *report.frontier]:
        chain = str(row["chain"])
        cited |= {(chain, str(tx)) for tx in row.get("evidence") or []}
        cited |= {(chain, str(step["tx"])) for step in row.get("path") or []}
    for row in [*report.flows, *report.swaps]:
        cited.add((str(row["chain"]), str(row["tx"])))
    for row in report.held:
        if row.get("outpoint"):
            cited.add((str(row["chain"]), str(row["outpoint"]).rsplit(":", 1)[0]))
    return cited


def cited_blocks(report: TraceReport) -> set[tuple[str, int]]:
    """(chain, block number) of the blocks the report names (since when an endpoint holds, block times)."""
    blocks: set[tuple[str, int]] = set()
    rows: list[dict[str, Any]] = [*report.endpoints, *report.frontier]
    for row in rows:
        if row.get("since_block") is not None:
            blocks.add((str(row["chain"]), int(row["since_block"])))
    for key in report.block_times:
        chain, _, number = key.rpartition(":")
        if chain and number.isdigit():
            blocks.add((chain, int(number)))
    return blocks
