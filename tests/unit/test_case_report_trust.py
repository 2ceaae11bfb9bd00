"""A case report is never more open than what it shows: the names its flow graph draws raise its TLP
marking, and a reader organisation that may not see the incident gets no report at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.casereport.inputs import TraceParameters
from hotpursuit.casereport.make import case_report
from hotpursuit.errors import NotFound
from hotpursuit.store import Store
from hotpursuit.store.incident_tables import open_incident
from hotpursuit.store.label_tables import add_claim
from hotpursuit.store.org_tables import add_org

THEFT, VICTIM, THIEF, NEXT = "0x" + "d1" * 32, "0x" + "c2" * 20, "0x" + "c1" * 20, "0x" + "c3" * 20
PARAMETERS = TraceParameters("haircut", None, 0)


def _store(path: Path, incident_tlp: str) -> tuple[Store, str]:
    store = Store.open(path)
    add_org(store, "kr-nis", "National Intelligence Service", "agency", "KR", "task-force")
    add_org(store, "ex-out", "Outsider Exchange", "exchange", "SC", None)
    for i, (tx, a, b) in enumerate([(THEFT, VICTIM, THIEF), ("0x" + "d2" * 32, THIEF, NEXT)]):
        store.execute("""INSERT INTO transfers VALUES ('ethereum', ?, ?, 0, 0, 'native', NULL, NULL, ?, ?, 'ETH',
                                '5000000000000000000'::BIGNUM, 'test')""", [i + 1, tx, a, b])
    add_claim(store, "kr-nis:notes", LabelClaim("ethereum", THIEF, "Nightjar cash-out", "scam", None, 90, "informant",
                                                None, "RED", "kr-nis"))
    incident, _ = open_incident(store, "Operation Nightjar", "ethereum", [THEFT], tlp=incident_tlp, owner="kr-nis")
    return store, incident


def test_a_red_name_in_the_graph_marks_the_report_red(tmp_path: Path) -> None:
    store, incident = _store(tmp_path / "s.duckdb", "GREEN")
    with store:
        _, document = case_report(store, incident, "html", "en", PARAMETERS)
    # the owner's own RED claim names an address of the flow graph: the document is marked RED, not GREEN
    assert document.marking == "RED"
    with Store.open(tmp_path / "s.duckdb") as store:
        _, shared = case_report(store, incident, "html", "en", PARAMETERS, reader="ex-out")
    assert shared.marking == "GREEN"  # a reader who may not see the claim gets neither its name nor its marking


def test_a_reader_who_may_not_see_the_incident_gets_no_report(tmp_path: Path) -> None:
    store, incident = _store(tmp_path / "s.duckdb", "RED")
    with store, pytest.raises(NotFound, match="no such incident visible to ex-out"):
        case_report(store, incident, "html", "en", PARAMETERS, reader="ex-out")
