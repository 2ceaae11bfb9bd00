"""The case report's pure parts: amounts read exactly, the flow graph bounded and drawn without overlapping
labels, the document's figures and marking, every string translated to Korean, and the same inputs giving
the same bytes; and the command's user errors (an unknown incident or reader, an --out folder that does
not exist)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from pathlib import Path
from xml.etree import ElementTree as ET

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from hotpursuit.attribution.annotations import Annotation
from hotpursuit.casereport.amounts import AssetBook
from hotpursuit.casereport.document import build_document, strictest
from hotpursuit.casereport.flow_layout import GROUP_PREFIX, layout_flows
from hotpursuit.casereport.graph_model import GraphFacts, report_graph
from hotpursuit.casereport.graph_svg import draw_graph
from hotpursuit.casereport.inputs import CaseInputs, IncidentFacts, TraceParameters
from hotpursuit.casereport.render import graph_words, render_html
from hotpursuit.chains.readable import AssetUnits
from hotpursuit.cli import app
from hotpursuit.i18n.catalogues import catalogue_text, missing_translations, translations
from hotpursuit.store import Store
from hotpursuit.store.incident_tables import open_incident
from hotpursuit.trace.report import TraceReport

ETH = 10**18
USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7"
VICTIM, THIEF = "0x" + "aa" * 20, "0x" + "bb" * 20
EXCHANGES = {"Hanbit Exchange": "0x" + "e1" * 20, "Lumen Exchange": "0x" + "e2" * 20,
             "Nordvik Exchange": "0x" + "e3" * 20}
PACKAGE = Path(__file__).resolve().parents[2] / "src" / "hotpursuit" / "casereport"
SVG = "{http://www.w3.org/2000/svg}"


def _tx(n: int) -> str:
    return "0x" + f"{n:064x}"


def _address(n: int) -> str:
    return "0x" + f"{n:040x}"


def _report(layers: int = 60) -> TraceReport:
    """The thief splits 600 ETH over `layers` addresses; each forwards through a second address to one of
    three exchanges, except every fifth, which holds it; 1,000 USDT go straight to Hanbit."""
    report = TraceReport("heist", "haircut", None, 0, "ab" * 32, stolen={"ETH": str(600 * ETH)})
    share = 600 * ETH // layers
    report.flows.append({"chain": "ethereum", "from": VICTIM, "to": THIEF, "asset": "ETH", "tx": _tx(1),
                         "tainted": str(600 * ETH), "hop": 1})
    report.flows.append({"chain": "ethereum", "from": THIEF, "to": EXCHANGES["Hanbit Exchange"], "asset": USDT,
                         "tx": _tx(2), "tainted": str(1000 * 10**6), "hop": 2})
    at_endpoint: dict[str, int] = {}
    held = 0
    names = sorted(EXCHANGES)
    for i in range(layers):
        layer, relay = _address(0x1000 + i), _address(0x2000 + i)
        report.flows.append({"chain": "ethereum", "from": THIEF, "to": layer, "asset": "ETH", "tx": _tx(100 + i),
                             "tainted": str(share), "hop": 2})
        if i % 5 == 4:
            report.held.append({"chain": "ethereum", "address": layer, "asset": "ETH", "tainted": str(share),
                                "freezer": None, "basis": {"tlp": "CLEAR", "asserted_by": None}})
            held += share
            continue
        exchange = EXCHANGES[names[i % 3]]
        report.flows.append({"chain": "ethereum", "from": layer, "to": relay, "asset": "ETH", "tx": _tx(200 + i),
                             "tainted": str(share), "hop": 3})
        report.flows.append({"chain": "ethereum", "from": relay, "to": exchange, "asset": "ETH",
                             "tx": _tx(300 + i), "tainted": str(share), "hop": 4})
        at_endpoint[exchange] = at_endpoint.get(exchange, 0) + share
    for name, address in sorted(EXCHANGES.items()):
        path = [{"from": VICTIM, "to": THIEF, "asset": "ETH", "tx": _tx(1), "tainted": str(600 * ETH)}]
        report.endpoints.append({"chain": "ethereum", "address": address, "asset": "ETH", "kind": "exchange",
                                 "owner": name, "freezer": name, "basis": {"tlp": "GREEN", "asserted_by": "kr-fsc"},
                                 "tainted": str(at_endpoint[address]), "exposure": "0", "since_block": 12,
                                 "evidence": [_tx(1)], "path": path})
    report.endpoints.append({"chain": "ethereum", "address": EXCHANGES["Hanbit Exchange"], "asset": USDT,
                             "kind": "exchange", "owner": "Hanbit Exchange", "freezer": "Hanbit Exchange",
                             "basis": {"tlp": "GREEN", "asserted_by": "kr-fsc"}, "tainted": str(1000 * 10**6),
                             "exposure": "0", "since_block": 11, "evidence": [_tx(2)],
                             "path": [{"from": THIEF, "to": EXCHANGES["Hanbit Exchange"], "asset": USDT,
                                       "tx": _tx(2), "tainted": str(1000 * 10**6)}]})
    report.totals = {"ETH": {"entered": str(600 * ETH), "stolen": str(600 * ETH), "swapped_in": "0",
                             "at_endpoints": str(sum(at_endpoint.values())), "held": str(held), "at_venues": "0",
                             "burned": "0", "swapped_out": "0"},
                     USDT: {"entered": str(1000 * 10**6), "stolen": str(1000 * 10**6), "swapped_in": "0",
                            "at_endpoints": str(1000 * 10**6), "held": "0", "at_venues": "0", "burned": "0",
                            "swapped_out": "0"}}
    report.assets = {"ETH": {"symbol": "ETH", "decimals": 18}, USDT: {"symbol": "USDT", "decimals": 6}}
    report.block_times = {"ethereum:12": 1740147215, "ethereum:11": 1740147203}
    return report


def _inputs(report: TraceReport | None = None, annotations: list[Annotation] | None = None,
            requests: list[dict[str, object]] | None = None, board: list[dict[str, object]] | None = None
            ) -> CaseInputs:
    report = report or _report()
    incident = IncidentFacts("heist", "Heist of 21 February", "ethereum", "open", "lazarusgroup", VICTIM, "AMBER",
                             "Korean National Police Agency", dt.datetime(2025, 2, 21, 15, 0, 0), None,
                             ((_tx(1), 11, 1740147203),))
    book = AssetBook({"ETH": AssetUnits("ETH", 18), USDT: AssetUnits("USDT", 6)})
    facts = GraphFacts(blocks={("ethereum", _tx(1)): 11}, sources=frozenset({f"ethereum:{VICTIM}"}),
                       names={f"ethereum:{THIEF}": "Lazarus group"})
    return CaseInputs(incident=incident, report=report, parameters=TraceParameters("haircut", None, 0), book=book,
                      requests=list(requests or []), board=list(board or []), sources=[],
                      tx_times={("ethereum", _tx(1)): (11, 1740147203)}, org_names={"ex-hanbit": "Hanbit Exchange"},
                      graph_facts=facts, annotations=list(annotations or []), reader="kr-knpa", version="0.1.0")


def _note(tlp: str, org: str = "kr-knpa") -> Annotation:
    return Annotation(f"an-{tlp.lower()}", "address", "ethereum", THIEF, f"seen cashing out ({tlp})",
                      ("cash-out",), tlp, org, "k1", dt.datetime(2025, 2, 22, 9, 30, tzinfo=dt.UTC))


def test_amounts_read_exactly_from_integers() -> None:
    book = AssetBook({"ETH": AssetUnits("ETH", 18)}, "{amount} base units of {asset}")
    assert book.exact(401_346_770_000_000_000_000_000, "ETH") == "401,346.77 ETH"
    assert book.exact(477_316_491188346156995108, "ETH") == "477,316.491188346156995108 ETH"
    assert book.shown(477_316_491188346156995108, "ETH") == "477,316.49 ETH"  # rounded down, never up
    assert book.brief(27_255_277_470_000_000_000_000_000, "ETH") == ("27,255,277", "ETH")
    assert book.brief(999 * ETH + ETH // 2, "ETH") == ("999.5", "ETH")
    assert book.exact(12345, USDT) == f"12,345 base units of {USDT}"  # decimals unknown: never guessed


def test_graph_is_bounded_and_keeps_every_endpoint_and_every_wei() -> None:
    report = _report()
    drawing = report_graph(report, GraphFacts(sources=frozenset({f"ethereum:{VICTIM}"})))
    layout = layout_flows(drawing, max_boxes=12, max_rows=5)
    keys = {b.key for b in layout.boxes}
    assert len(layout.boxes) <= 12
    assert {f"group:entity:{n}" for n in EXCHANGES} <= keys  # what the reader acts on is always drawn
    assert max(sum(1 for b in layout.boxes if b.column == c) for c in range(layout.columns)) <= 5
    groups = [b for b in layout.boxes if b.key.startswith(GROUP_PREFIX)]
    assert groups and sum(b.members for b in groups) == layout.grouped
    # grouping and shortening chains move no value: each exchange still receives exactly what reached it
    for e in report.endpoints:
        into = sum(x.amount for x in layout.links if x.target == f"group:entity:{e['owner']}" and x.asset == e["asset"])
        assert into == int(e["tainted"])
    column = {b.key: b.column for b in layout.boxes}
    assert all(column[x.source] < column[x.target] for x in layout.links)  # left to right by hop
    assert layout.contracted > 0 and any(x.via for x in layout.links)  # relays shown as "via N"


def test_graph_labels_never_overlap_and_the_drawing_is_the_same_twice() -> None:
    drawing = report_graph(_report(), GraphFacts(sources=frozenset({f"ethereum:{VICTIM}"})))
    layout = layout_flows(drawing, max_boxes=20, max_rows=8)
    words = graph_words(translations("ko", "report"))
    book = AssetBook({"ETH": AssetUnits("ETH", 18), USDT: AssetUnits("USDT", 6)})
    svg = draw_graph(layout, drawing, book, words)
    assert svg == draw_graph(layout, drawing, book, words)
    root = ET.fromstring(svg)
    rects = [(float(r.get("x", 0)), float(r.get("y", 0)), float(r.get("width", 0)), float(r.get("height", 0)), r)
             for r in root.iter(f"{SVG}rect")]
    labels = [r for r in rects if r[4].get("fill") == "#ffffff" and r[4].get("fill-opacity")]
    boxes = [r for r in rects if r[4].get("rx")]
    assert len(boxes) == len(layout.boxes) and len(labels) >= len(layout.links)

    def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]

    assert not [(a, b) for a, b in itertools.combinations(labels, 2) if overlap(a[:4], b[:4])]
    assert not [(a, b) for a in labels for b in boxes if overlap(a[:4], b[:4])]
    assert not [(a, b) for a, b in itertools.combinations(boxes, 2) if overlap(a[:4], b[:4])]
    texts = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Hanbit Exchange" in texts and "USDT" in texts and "기타 주소" in texts  # grouped, in Korean


def test_document_figures_requests_and_evidence() -> None:
    requests = [{"id": "fr-1", "org": "ex-hanbit", "address": EXCHANGES["Hanbit Exchange"], "asset": "ETH",
                 "amount": str(100 * ETH), "status": "partial", "amount_frozen": str(40 * ETH),
                 "created_at": "2025-02-21 16:00:00", "answered_at": "2025-02-21 17:00:00"},
                {"id": "fr-2", "org": "ex-hanbit", "address": EXCHANGES["Hanbit Exchange"], "asset": "ETH",
                 "amount": str(50 * ETH), "status": "retracted", "amount_frozen": None,
                 "created_at": "2025-02-21 16:00:00", "answered_at": None}]
    board = [{"org": "ex-hanbit", "asset": "ETH", "requests": 1, "requested": str(100 * ETH),
              "frozen": str(40 * ETH), "answered": 1}]
    doc = build_document(_inputs(requests=requests, board=board), max_boxes=16)
    assert [(b.organisation, b.requested.exact, b.frozen.shown) for b in doc.board] == [
        ("Hanbit Exchange", "100 ETH", "40 ETH")]
    eth = next(r for r in doc.summary if r.asset == "ETH")
    assert (eth.stolen.exact, eth.requested.base, eth.frozen.base) == ("600 ETH", 100 * ETH, 40 * ETH)
    assert eth.at_endpoints.base + eth.held.base == 600 * ETH
    hanbit = next(f for f in doc.freezers if f.name == "Hanbit Exchange")
    assert [f.exact for f in hanbit.frozen] == ["40 ETH"] and {f.asset for f in hanbit.amounts} == {"ETH", USDT}
    first = doc.evidence[0]
    assert first.hops[0].block == 11 and first.hops[0].time == 1740147203
    assert first.hops[0].sender.startswith("0xaaaa") and "Lazarus group" in first.hops[0].receiver
    assert all(c.holds for c in doc.appendix.checks) and doc.appendix.checks
    assert [r[0] for r in doc.appendix.requests] == ["fr-1", "fr-2"]  # every request row, retracted ones too


def test_a_total_that_disagrees_with_its_rows_is_shown_as_differing() -> None:
    report = _report()
    report.held[0]["tainted"] = str(int(report.held[0]["tainted"]) - 1)  # one wei short
    doc = build_document(_inputs(report))
    wrong = [c for c in doc.appendix.checks if not c.holds]
    assert [(c.symbol, c.figure, c.total - c.rows_sum) for c in wrong] == [("ETH", "held", 1)]
    assert "불일치" in render_html(doc, "ko")


def test_the_marking_is_the_strictest_of_what_the_report_contains() -> None:
    assert strictest(["GREEN", "AMBER", "CLEAR"]) == "AMBER" and strictest([]) == "CLEAR"
    assert build_document(_inputs(annotations=[_note("GREEN")])).marking == "AMBER"  # the incident's
    doc = build_document(_inputs(annotations=[_note("GREEN"), _note("RED")]))
    assert doc.marking == "RED" and [m.kind for m in doc.marking_inputs] == ["annotation", "incident"]
    page = render_html(doc, "en")
    assert page.count("TLP:RED") >= 3 and "TLP:AMBER" in page  # banner, running header; the incident's own
    assert "seen cashing out (RED)" in page and "seen cashing out (GREEN)" in page


def test_every_string_is_translated_to_korean() -> None:
    methods = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = {m for _, _, m, _, _ in extract_from_dir(str(PACKAGE), methods, options)}
    assert len(found) > 120 and "1. Summary" in found and "holds {amount}" in found
    singular = {m for m in found if isinstance(m, str)}
    plural = {m for m in found if not isinstance(m, str)}
    assert missing_translations("ko", "report", singular) == []
    catalogue = read_po(io.StringIO(catalogue_text("ko", "report") or ""), locale="ko")
    translated = {m.id: m.string for m in catalogue if m.id and not m.fuzzy}
    assert [m for m in plural if not all(translated.get(m) or [""])] == []  # every plural form of each


def test_rendered_in_korean_and_in_english_with_the_same_bytes_each_time() -> None:
    doc = build_document(_inputs(annotations=[_note("AMBER")]))
    ko, en = render_html(doc, "ko"), render_html(doc, "en")
    assert ko == render_html(doc, "ko") and en == render_html(doc, "en")
    for heading in ("1. 요약", "2. 동결 가능 기관과 대상", "3. 도난 자금의 흐름", "4. 종착지",
                    "5. 주석", "6. 증거 경로", "부록"):
        assert heading in ko
    for heading in ("1. Summary", "2. Who can freeze what", "3. Flow of the stolen funds", "6. Evidence chains"):
        assert heading in en and heading not in ko
    assert "2025년 2월 21일 오후 3시 0분 0초 UTC" in ko and "2025-02-21 15:00:00 UTC" in en  # opened, by Babel in ko
    assert "블록 11 (2025년 2월 21일 오후 2시 13분 23초 UTC)" in ko
    assert '<meta name="dcterms.created" content="2025-02-21T15:00:00Z">' in en  # the PDF's date: the incident's
    assert re.search(r"<html lang=\"ko\">", ko) and "600 ETH" in ko and "1,000 USDT" in en


def _store_with_incident(tmp_path: Path) -> str:
    db = tmp_path / "s.duckdb"
    with Store.open(db) as store:
        store.execute("INSERT INTO transfers (chain, block_number, tx_index, tx_hash, seq, kind, from_address, "
                      "to_address, asset, amount, source) VALUES ('anvil', 1, 0, ?, 0, 'native', ?, ?, 'ETH', 5, "
                      "'test')",
                      [_tx(9), VICTIM, THIEF])
        open_incident(store, "Small theft", "anvil", [_tx(9)])
    return str(db)


def test_the_command_s_user_errors_are_one_clear_line(tmp_path: Path) -> None:
    runner = CliRunner()
    db = _store_with_incident(tmp_path)
    unknown = runner.invoke(app, ["report", "no-such-incident", "--db", db, "--out", str(tmp_path / "r.html")])
    assert unknown.exit_code == 1 and "no-such-incident" in unknown.output and "Traceback" not in unknown.output
    reader = runner.invoke(app, ["report", "small-theft", "--db", db, "--reader", "nobody", "--out",
                                 str(tmp_path / "r.html")])
    assert reader.exit_code == 1 and "--reader 'nobody'" in reader.output
    folder = runner.invoke(app, ["report", "small-theft", "--db", db, "--out", str(tmp_path / "no" / "r.pdf")])
    assert folder.exit_code == 1 and "does not exist" in folder.output
    assert runner.invoke(app, ["report", "small-theft", "--db", db, "--lang", "fr"]).exit_code == 2
    ok = runner.invoke(app, ["report", "small-theft", "--db", db, "--lang", "ko", "--out", str(tmp_path / "r.html")])
    assert ok.exit_code == 0, ok.output
    assert "Small theft" in (tmp_path / "r.html").read_text(encoding="utf-8")
