"""The real Bybit hop 1 as an exchange meets it: imported from the investigation's CSV, the fake tokens
and look-alikes are known at once (before anyone traces), the address page warns, and after the trace
the screening API (a real uvicorn server) flags only real recipients of real loot, while every
look-alike is listed as `poisoning` with risk none and the address it imitates."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import httpx
from typer.testing import CliRunner

from hotpursuit.api.app import create_app
from hotpursuit.api.background import serve_in_thread
from hotpursuit.cli import app
from hotpursuit.store import Store
from hotpursuit.store.asset_trust_tables import load_poisoning
from hotpursuit.store.org_tables import add_org, create_key

from ..conftest import SHARED_DATA

HOP1 = SHARED_DATA / "lazarus" / "bybit_2025_hop1_all.csv"
EXPLOITER = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2"
GENUINE = {"0xae7ab96520de3a18e5e111b5eaab095312d7fe84", "0xd5f7838f5c461feff7fe49ea5ebaf7728bb0adfa",
           "0xe6829d9a7ee3040e1276fa75293bde931859e8fa"}  # stETH, mETH, cmETH (real; cmETH is only unknown)
COUNTED = {"ETH", "0xae7ab96520de3a18e5e111b5eaab095312d7fe84", "0xd5f7838f5c461feff7fe49ea5ebaf7728bb0adfa"}


def _destinations() -> tuple[set[str], set[str]]:
    """(addresses that received real loot, every destination of the hop)."""
    real, every = set(), set()
    for r in csv.DictReader(HOP1.open(encoding="utf-8")):
        every.add(r["to"])
        asset = "ETH" if r["kind"] == "native" else r["contract"]
        if asset in COUNTED and Decimal(r["amount"]) > 0:
            real.add(r["to"])
    return real, every


def test_hop1_is_assessed_at_import_and_screening_flags_only_real_recipients(tmp_path: Path) -> None:
    db = str(tmp_path / "hop1.duckdb")
    runner = CliRunner()
    imported = runner.invoke(app, ["import", "explorer", str(HOP1), "--from", EXPLOITER, "--db", db,
                                   "--format", "json"])
    assert imported.exit_code == 0, imported.output
    assessment = json.loads(imported.output)["assessment"]
    assert assessment["assets"]["impersonating"] + assessment["assets"].get("spam", 0) == 14
    assert assessment["lookalikes"] >= 31

    # before any trace: the exploiter's counterparties are real, and a look-alike's page warns
    page = runner.invoke(app, ["address", "show", EXPLOITER, "--db", db, "--format", "json"])
    assert page.exit_code == 0, page.output
    counterparties = json.loads(page.output)["counterparties"]
    assert counterparties and {c["asset"] for c in counterparties} <= GENUINE | {"ETH"}
    # read in their units where the decimals are known (stETH from the registry: the export has none);
    # cmETH's are not, so it stays in base units, never guessed
    units = {c["asset"]: (c["symbol"], c["decimals"]) for c in counterparties}
    assert units["0xae7ab96520de3a18e5e111b5eaab095312d7fe84"] == ("stETH", 18) and units["ETH"] == ("ETH", 18)
    assert units.get("0xe6829d9a7ee3040e1276fa75293bde931859e8fa", (None, None)) == (None, None)
    with Store.open(db) as store:
        imitated = {p.address: p.lookalike_of for p in load_poisoning(store, "ethereum") if p.lookalike_of}
    lookalike = sorted(imitated)[0]
    shown = runner.invoke(app, ["address", "show", lookalike, "--db", db])
    assert f"look-alike of {imitated[lookalike]}" in shown.output

    assert runner.invoke(app, ["incident", "open", "Bybit hop 1", "--chain", "ethereum", "--source", EXPLOITER,
                               "--db", db]).exit_code == 0
    # a receipt of a fake token named as a source: shown, never counted as stolen
    fake = next(r for r in csv.DictReader(HOP1.open(encoding="utf-8"))
                if r["kind"] == "token" and r["contract"] not in GENUINE and Decimal(r["amount"]) > 0)
    assert runner.invoke(app, ["incident", "open", "fake receipt", "--chain", "ethereum", "--source",
                               f"{fake['to']}@{fake['hash']}", "--db", db]).exit_code == 0
    raw = runner.invoke(app, ["incident", "show", "fake-receipt", "--db", db, "--raw"])
    assert f"moved {int(Decimal(fake['amount']) * 10**18):,} {fake['contract']}" in raw.output.replace("\n", "")
    shown = runner.invoke(app, ["incident", "show", "fake-receipt", "--db", db])
    assert "not counted as stolen" in shown.output and " stole " not in shown.output
    moved = shown.output.replace("\n", "").split(" moved ")[1]
    # the copied symbol never reads as the real token: marked fake, or (decimals unknown, as in an
    # explorer export) in base units of the contract
    assert moved.split(" ")[1] in ("fake", "spam") or f"base units of {fake['contract']}" in moved, moved
    traced = runner.invoke(app, ["trace", "bybit-hop-1", "--db", db, "--format", "json", "--save"])
    assert traced.exit_code == 0, traced.output

    real, every = _destinations()
    with Store.open(db) as store:
        add_org(store, "ex-hanbit", "Hanbit Exchange", "exchange", "KR", None)
        key = {"X-API-Key": create_key(store, "ex-hanbit", ["screen", "read"], 1)[1]}
        with serve_in_thread(create_app(store)) as base:
            one = httpx.get(f"{base}/v1/screen/ethereum/{lookalike}", headers=key).json()
            batch = httpx.post(f"{base}/v1/screen/batch", headers=key,
                               json={"chain": "ethereum", "addresses": sorted(every)}).json()
    assert one["risk"] == "none" and one["score"] == 0 and one["categories"] == ["poisoning"]
    assert any(f"look-alike of {imitated[lookalike]}" in r for r in one["reasons"]), one["reasons"]
    scored = {f["address"] for f in batch["flagged"] if f["score"] > 0}
    assert scored and scored <= real  # nobody who received only fake tokens or poisoning is flagged
    poisoning = {f["address"] for f in batch["flagged"] if "poisoning" in f["categories"]}
    assert set(imitated) <= poisoning and not scored & set(imitated)
    assert all(f["score"] == 0 for f in batch["flagged"] if f["address"] in imitated)
