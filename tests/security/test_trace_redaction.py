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


def test_hidden_claims_never_crowd_visible_ones_out_of_a_label_search(tmp_path: Path) -> None:
    from hotpursuit.api.visibility import visible_labelled
    from hotpursuit.attribution.labels import LabelClaim
    from hotpursuit.store.label_tables import add_claim

    with Store.open(tmp_path / "s.duckdb") as store:
        add_org(store, "kr-nis", "NIS", "agency", "KR", "task-force")
        add_org(store, "ex-out", "Outsider", "exchange", "SC", None)
        for i in range(250):  # the agency's RED claims, strongest first, more than a page of results
            add_claim(store, "kr-nis:case", LabelClaim("ethereum", f"0x{i:040x}", f"Nightjar wallet {i}", "scam", None,
                                                        99, "informant", None, "RED", "kr-nis"))
        add_claim(store, "public", LabelClaim("ethereum", "0x" + "ee" * 20, "Nightjar (public report)", "scam", None,
                                              10, "press", None, "CLEAR", "ex-out"))
        state: Any = SimpleNamespace(store=store)
        outsider = visible_labelled(state, "nightjar", _caller("ex-out", None))
        owner = visible_labelled(state, "NIGHTJAR", _caller("kr-nis", "task-force"))
        wildcard = visible_labelled(state, "%", _caller("kr-nis", "task-force"))
    assert [(a, c.label) for _, a, c in outsider] == [("0x" + "ee" * 20, "Nightjar (public report)")]
    assert len(owner) == 200 and all(c.tlp == "RED" for _, _, c in owner)  # a page; the strongest first
    assert wildcard == []  # '%' is a character to find, not a pattern
