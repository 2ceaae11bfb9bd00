"""The case report of a real drill case through the CLI, as PDF in Korean and in English: the text pdftotext
extracts has the headings of each language, the incident, its TLP marking and the stolen amount read from
the store's integers; every page renders to a picture that is not blank; the reader's organisation sees
only the annotations TLP lets it see; the same store and options give the same bytes, HTML and PDF.
First pages go to $HP_SCREENSHOTS when it is set (for the closing note)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from hotpursuit.cli import app
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.jobs.trace_job import run_trace
from hotpursuit.store import Store
from hotpursuit.store.annotation_tables import add_annotation
from hotpursuit.store.interdiction_tables import NewRequest, answer_request, record_requests
from hotpursuit.store.org_tables import add_org
from tests.integration.drill_store import build_drill_case

runner = CliRunner()
KO_HEADINGS = ("도난 암호자산 사건 보고서", "1. 요약", "2. 동결 가능 기관과 대상", "3. 도난 자금의 흐름", "4. 종착지",
               "5. 주석", "6. 증거 경로", "부록")
EN_HEADINGS = ("Case report on stolen crypto-assets", "1. Summary", "2. Who can freeze what",
               "3. Flow of the stolen funds", "4. Endpoints", "5. Annotations", "6. Evidence chains", "Appendix")


def _report(db: Path, out: Path, *options: str) -> bytes:
    result = runner.invoke(app, ["report", "drill-heist", "--db", str(db), "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def _pages(pdf: Path, folder: Path) -> list[Path]:
    """Every page at 50 dpi; each must show something between its running header and footer (a line of text
    at least: a page with nothing but the TLP marking and its number is blank)."""
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(folder / "p")], check=True)
    pictures = sorted(folder.glob("p-*.png"))
    for picture in pictures:
        with Image.open(picture) as image:
            body = image.convert("L").crop((0, image.height * 12 // 100, image.width, image.height * 90 // 100))
            inked = sum(n for level, n in enumerate(body.histogram()) if level < 200)
            assert inked > body.width * body.height // 2000, f"{picture.name} is blank ({inked} pixels inked)"
    return pictures


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _readable(amount: int, decimals: int) -> str:
    """Every digit of an amount, computed here from the integer (not with the product's formatter)."""
    whole, fraction = str(amount)[:-decimals] or "0", str(amount)[-decimals:].rjust(decimals, "0").rstrip("0")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def test_case_report_pdf_in_korean_and_english(rpc: JsonRpcClient, tmp_path: Path) -> None:
    db = tmp_path / "case.duckdb"
    build_drill_case(rpc, db)
    when = dt.datetime(2025, 2, 22, 9, 30, tzinfo=dt.UTC)
    with Store.open(db) as store:
        add_org(store, "kr-knpa", "Korean National Police Agency", "agency", "KR", "task-force")
        add_org(store, "ex-lumen", "Lumen Exchange", "exchange", "KR", None)
        add_annotation(store, subject_kind="incident", chain="", subject="drill-heist", tags=["dprk"], tlp="AMBER",
                       note="Laundering pattern matches the February heist", author_org="kr-knpa", author="k1",
                       at=when)
        thief = str(store.execute("SELECT to_address FROM transfers WHERE tx_hash = (SELECT ref FROM incident_sources "
                                  "WHERE incident_id = 'drill-heist' AND kind = 'tx' LIMIT 1) AND asset = 'ETH' "
                                  "LIMIT 1").fetchone()[0])
        add_annotation(store, subject_kind="address", chain="anvil", subject=thief, tags=[], tlp="RED",
                       note="Internal: account holder identified", author_org="ex-lumen", author="k2", at=when)
        stolen_wei = sum(int(v) for (v,) in store.execute(
            "SELECT amount::VARCHAR FROM incident_sources WHERE incident_id = 'drill-heist' AND asset = 'ETH'"
        ).fetchall())
        lumen = max((e for e in run_trace(store, "drill-heist").endpoints
                     if e["freezer"] == "Lumen Exchange" and e["asset"] == "ETH"), key=lambda e: int(e["tainted"]))
        asked = int(lumen["tainted"])
        record_requests(store, [NewRequest("fr-lumen-1", "drill-heist", "ex-lumen", "anvil", lumen["address"], "ETH",
                                           asked, int(lumen["since_block"]), "0x" + "00" * 32, "{}", "kr-knpa",
                                           dt.datetime(2025, 2, 23), b"{}")])
        answer_request(store, "fr-lumen-1", "ex-lumen", "partial", asked // 3, "part already withdrawn")
    stolen = f"{_readable(stolen_wei, 18)} ETH"
    frozen = f"{_readable(asked // 3, 18)} ETH"

    ko = [_report(db, tmp_path / f"ko{i}.pdf", "--format", "pdf", "--lang", "ko", "--reader", "kr-knpa")
          for i in range(2)]
    assert ko[0] == ko[1] and ko[0].startswith(b"%PDF")  # same inputs, same bytes
    en = _report(db, tmp_path / "en.pdf", "--format", "pdf", "--lang", "en", "--reader", "kr-knpa")
    assert en != ko[0]
    pages = {"ko": _page_count(tmp_path / "ko0.pdf"), "en": _page_count(tmp_path / "en.pdf")}
    print(f"case report pages: ko {pages['ko']}, en {pages['en']}")
    assert all(5 <= n <= 40 for n in pages.values()), pages

    for lang, pdf, headings, other in (("ko", tmp_path / "ko0.pdf", KO_HEADINGS, EN_HEADINGS),
                                       ("en", tmp_path / "en.pdf", EN_HEADINGS, KO_HEADINGS)):
        text = _text(pdf)
        assert [h for h in headings if h not in text] == [], lang
        assert not [h for h in other[1:] if h in text], lang  # one language per report
        assert "Drill heist" in text and "drill-heist" in text and stolen in text, lang
        assert frozen in text and "Lumen Exchange" in text, lang  # the answer to the freeze request, every digit
        assert text.count("TLP:AMBER") >= pages[lang], lang  # the marking in every page's header
        assert "Laundering pattern matches the February heist" in text, lang  # the reader's own AMBER note
        assert "account holder identified" not in text, lang  # another organisation's RED note stays hidden
        pictures = _pages(pdf, tmp_path / f"png-{lang}")
        assert len(pictures) == pages[lang]
        shots = os.environ.get("HP_SCREENSHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            shutil.copy(pictures[0], Path(shots) / f"casereport-{lang}-p1.png")

    html = [_report(db, tmp_path / f"r{i}.html", "--format", "html", "--lang", "en", "--reader", "ex-lumen")
            for i in range(2)]
    assert html[0] == html[1]
    page = html[0].decode("utf-8")
    assert "account holder identified" in page and "Laundering pattern" not in page  # the exchange's view
    assert "TLP:RED" in page  # the report quoting a RED note is marked RED
