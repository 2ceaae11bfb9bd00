"""The real first hop of the Bybit exploiter (255 rows, 201 of them fake tokens, 31 look-alike
destinations): imported as the investigation exported it, the fakes are named with their reason, the
poisoning is found, the stolen totals hold only the real assets, and the top counterparties are real."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hotpursuit.cli import app
from hotpursuit.jobs.assess_job import assess_chain
from hotpursuit.store import Store
from hotpursuit.store.address_page import address_page
from hotpursuit.store.asset_trust_tables import load_poisoning

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
HOP1 = DATA / "lazarus" / "bybit_2025_hop1_all.csv"
EXPLOITER = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2"
STETH, METH, CMETH = ("0xae7ab96520de3a18e5e111b5eaab095312d7fe84", "0xd5f7838f5c461feff7fe49ea5ebaf7728bb0adfa",
                      "0xe6829d9a7ee3040e1276fa75293bde931859e8fa")
GENUINE = {STETH, METH, CMETH}


def _rows() -> list[dict[str, str]]:
    return list(csv.DictReader(HOP1.open(encoding="utf-8")))


def test_hop1_fakes_poisoning_stolen_totals_and_counterparties(tmp_path: Path) -> None:
    db = str(tmp_path / "hop1.duckdb")
    runner = CliRunner()
    args = ["import", "explorer", str(HOP1), "--from", EXPLOITER, "--db", db, "--format", "json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    again = json.loads(runner.invoke(app, args).output)
    assert again["files"][0]["added"] == 0 and again["files"][0]["already_stored"] == 250  # merged, not doubled

    rows = _rows()
    fakes = {r["contract"] for r in rows if r["kind"] == "token"} - GENUINE
    assert len(fakes) == 14
    with Store.open(db) as store:
        trust = assess_chain(store, "ethereum")
        assert {a for a in fakes if trust[a].status in ("impersonating", "spam")} == fakes
        assert all(trust[a].reason for a in fakes)
        assert trust["0x0d99217c4084b141dcab56d83693994ba8fda911"].imitates == "ETH"  # Cyrillic ЕТН
        assert trust["0xee33058e9fceb8ebece8bdb0e70fcb257595c562"].imitates == STETH  # stEТH
        assert trust[STETH].status == trust[METH].status == "canonical"
        assert trust[CMETH].status == "unknown"  # real, but in neither list: never counted, never called fake
        poisoning = load_poisoning(store, "ethereum")
        lookalikes = {p.address for p in poisoning}
        genuine_destinations = {r["to"] for r in rows if (r["kind"] == "native" and Decimal(r["amount"]) > 0)
                                or (r["contract"] in GENUINE and Decimal(r["amount"]) > 0)}
        assert len(lookalikes) == 31 and not lookalikes & genuine_destinations
        assert all(p.victim == EXPLOITER and p.lookalike_of in genuine_destinations for p in poisoning)

    opened = runner.invoke(app, ["incident", "open", "Bybit hop 1", "--chain", "ethereum", "--source", EXPLOITER,
                                 "--db", db])
    assert opened.exit_code == 0, opened.output
    traced = runner.invoke(app, ["trace", "bybit-hop-1", "--db", db, "--format", "json", "--save"])
    assert traced.exit_code == 0, traced.output
    report = json.loads(traced.output)
    eth = sum(Decimal(r["amount"]) for r in rows if r["kind"] == "native")
    steth = sum(Decimal(r["amount"]) for r in rows if r["contract"] == STETH)
    assert report["stolen"] == {"ETH": str(int(eth * 10**18)), STETH: str(int(steth * 10**18)),
                                METH: str(8_000 * 10**18)}
    assert report["stolen"]["ETH"] == str(400_001 * 10**18)
    ignored = {i["asset"]: i for i in report["ignored_assets"]}
    assert fakes | {CMETH} <= set(ignored) and "--assets" in ignored[CMETH]["reason"]
    held = {h["address"] for h in report["held"]}
    assert not held & lookalikes

    with Store.open(db) as store:
        taint_rows = {str(a) for (a,) in store.execute("SELECT DISTINCT address FROM taint").fetchall()}
        assert taint_rows and not taint_rows & lookalikes  # screening's exposure never names a look-alike
        page = address_page(store, "ethereum", EXPLOITER, limit=60)
        assert page.counterparties and not {c[0] for c in page.counterparties} & lookalikes
        assert {c[1] for c in page.counterparties} <= {"ETH", STETH, METH, CMETH}
        lookalike = sorted(lookalikes)[0]
        assert any("look-alike of" in w for w in address_page(store, "ethereum", lookalike).warnings)


def test_hop1_sources_named_twice_count_the_loot_once(tmp_path: Path) -> None:
    """The exploiter (bare: every outflow is loot) together with each of its forty 10,000 ETH recipients
    as ADDRESS@TXHASH (what that transaction brought): the same value named twice is stolen once, and
    every asset balances exactly (stolen + swapped in = endpoints + held + venues + burned + out)."""
    db = str(tmp_path / "hop1.duckdb")
    runner = CliRunner()
    assert runner.invoke(app, ["import", "explorer", str(HOP1), "--from", EXPLOITER, "--db", db]).exit_code == 0
    receipts = [f"{r['to']}@{r['hash']}" for r in _rows() if r["kind"] == "native" and Decimal(r["amount"]) == 10_000]
    assert len(receipts) == 40
    sources = [x for s in [EXPLOITER, *receipts] for x in ("--source", s)]
    opened = runner.invoke(app, ["incident", "open", "twice", "--chain", "ethereum", *sources, "--db", db])
    assert opened.exit_code == 0, opened.output
    report = json.loads(runner.invoke(app, ["trace", "twice", "--db", db, "--format", "json"]).output)
    assert report["stolen"]["ETH"] == str(400_001 * 10**18)
    for asset, t in report["totals"].items():
        v = {k: int(x) for k, x in t.items()}
        assert v["stolen"] + v["swapped_in"] == (v["at_endpoints"] + v["held"] + v["at_venues"] + v["burned"]
                                                 + v["swapped_out"]), asset
    held = {h["address"]: int(h["tainted"]) for h in report["held"] if h["asset"] == "ETH"}
    assert all(held[r.split("@")[0]] == 10_000 * 10**18 for r in receipts)


def test_only_a_finished_trace_asked_to_save_replaces_the_saved_taint(tmp_path: Path) -> None:
    """Screening reads the saved taint: an exploratory run (another model, fewer hops) or one that fails
    leaves it exactly as it was; `--save` replaces it after the trace finished."""
    db = str(tmp_path / "hop1.duckdb")
    runner = CliRunner()
    assert runner.invoke(app, ["import", "explorer", str(HOP1), "--from", EXPLOITER, "--db", db]).exit_code == 0
    assert runner.invoke(app, ["incident", "open", "Bybit hop 1", "--chain", "ethereum", "--source", EXPLOITER,
                               "--db", db]).exit_code == 0

    def saved() -> list[tuple[object, ...]]:
        with Store.open(db) as store:
            return store.execute("SELECT * EXCLUDE (computed_at) FROM taint ORDER BY ALL").fetchall()

    assert runner.invoke(app, ["trace", "bybit-hop-1", "--db", db, "--save"]).exit_code == 0
    first = saved()
    assert first
    assert runner.invoke(app, ["trace", "bybit-hop-1", "--db", db, "--model", "poison", "--hops", "0"]).exit_code == 0
    failed = runner.invoke(app, ["trace", "bybit-hop-1", "--db", db, "--save", "--out", str(tmp_path / "no" / "x")])
    assert failed.exit_code == 1 and "does not exist" in failed.output
    assert saved() == first
    def fingerprint() -> str:
        return str(json.loads(runner.invoke(app, ["trace", "bybit-hop-1", "--db", db, "--format", "json"]).output)
                   ["input_hash"])

    first_hash = fingerprint()
    assert fingerprint() == first_hash  # the same rows and parameters: the same evidence fingerprint
    with Store.open(db) as store:  # one movement the trace reads changes by one wei
        store.execute("""UPDATE transfers SET amount = amount + 1::BIGNUM WHERE rowid = (
                             SELECT min(rowid) FROM transfers WHERE asset = 'ETH' AND amount > 0::BIGNUM)""")
    assert fingerprint() != first_hash


def test_the_frontier_is_apart_from_freezable_endpoints_and_dust_is_per_asset(tmp_path: Path) -> None:
    db = str(tmp_path / "hop1.duckdb")
    runner = CliRunner()
    assert runner.invoke(app, ["import", "explorer", str(HOP1), "--from", EXPLOITER, "--db", db]).exit_code == 0
    assert runner.invoke(app, ["incident", "open", "Bybit hop 1", "--chain", "ethereum", "--source", EXPLOITER,
                               "--db", db]).exit_code == 0

    def trace(*args: str) -> dict[str, Any]:
        result = runner.invoke(app, ["trace", "bybit-hop-1", "--db", db, "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return dict(json.loads(result.output))

    stopped = trace("--hops", "0")  # every recipient is one hop out: the trace stops there
    assert stopped["endpoints"] == [] and stopped["frontier"]
    assert {f["why"] for f in stopped["frontier"]} == {"hop limit"}
    assert sum(int(f["tainted"]) for f in stopped["frontier"] if f["asset"] == "ETH") == 400_001 * 10**18
    # 20,000 ETH is dust for ETH only: the 10,000 ETH splits stop as dust, the staked ETH moves on
    dusty = trace("--dust", "ETH=20000000000000000000000")
    assert dusty["dust_by_asset"] == {"ETH": str(20_000 * 10**18)}
    assert {f["asset"] for f in dusty["frontier"] if f["why"] == "dust"} == {"ETH"}
    assert any(h["asset"] == STETH for h in dusty["held"])
    bad = runner.invoke(app, ["trace", "bybit-hop-1", "--db", db, "--dust", "ETH=lots"])
    assert bad.exit_code == 1 and "--dust" in bad.output
