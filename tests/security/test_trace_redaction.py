"""A finished trace as a reader sees it: a venue's name that comes from a label the reader may not see
is withheld wherever the report carries it (the venues the taint rests at, the swaps), as an endpoint's
owner is; the same names reach the flow graph only where they may."""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from hotpursuit.api.visibility import WITHHELD, redact_report
from hotpursuit.store import Store
from hotpursuit.store.org_tables import Caller, add_org
from hotpursuit.trace.flow_graph_input import report_context

RED = {"tlp": "RED", "asserted_by": "kr-nis"}
CLEAR = {"tlp": "CLEAR", "asserted_by": None}
REPORT: dict[str, Any] = {
    "at_venues": [{"chain": "ethereum", "address": "0x" + "aa" * 20, "venue": "Nightjar OTC desk", "asset": "ETH",
                   "tainted": "5", "basis": RED}],
    "swaps": [{"chain": "ethereum", "tx": "0x" + "01" * 32, "address": "0x" + "bb" * 20,
               "venues": ["0x" + "aa" * 20, "0x" + "cc" * 20], "venue_names": ["Nightjar OTC desk", "Uniswap V2"],
               "venue_bases": [RED, CLEAR]}],
    "endpoints": [], "held": [], "flows": []}


def _caller(org: str, group: str | None) -> Caller:
    return Caller(org, "agency", group, frozenset({"read"}), "k")


def test_restricted_venue_names_are_withheld(tmp_path: Path) -> None:
    with Store.open(tmp_path / "r.duckdb") as store:
        add_org(store, "kr-nis", "NIS", "agency", "KR", "task-force")
        add_org(store, "ex-out", "Outsider", "exchange", "SC", None)
        state: Any = SimpleNamespace(store=store)
        own = redact_report(state, _caller("kr-nis", "task-force"), copy.deepcopy(REPORT))
        other = redact_report(state, _caller("ex-out", None), copy.deepcopy(REPORT))
    assert own["at_venues"][0]["venue"] == "Nightjar OTC desk"
    assert own["swaps"][0]["venue_names"] == ["Nightjar OTC desk", "Uniswap V2"]
    assert other["at_venues"][0]["venue"] == WITHHELD
    assert other["swaps"][0]["venue_names"] == [WITHHELD, "Uniswap V2"]  # a public name stays
    assert "Nightjar" not in repr(other)
    names = report_context(other, {}).names
    assert "Nightjar" not in repr(names) and WITHHELD not in names.values()
    assert names["ethereum:0x" + "cc" * 20] == "Uniswap V2"
