"""Victims' reports from intake files: JSON and the CSV form give the same report; every bad entry is
named with its place and reason while the others are taken; amounts stay exact decimals; a report of
any valid shape survives the store unchanged (hypothesis)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotpursuit.errors import InvalidInput
from hotpursuit.store import Store
from hotpursuit.store.victim_report_tables import load_reports, save_reports
from hotpursuit.victim_reports.intake_forms import CSV_COLUMNS, read_intake
from hotpursuit.victim_reports.model import check_report, claimed_base_units

SENDER = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
REPORT = {"reference": "VR-0001", "chain": "ethereum", "paid_at": "2026-03-02T23:30:00+09:00", "amount": "12,500.25",
          "asset": "USDT", "tx_hashes": ["0x" + "AB" * 32], "from_addresses": [SENDER], "paid_to": "0x" + "5a" * 20,
          "website": "hanbit-pro.exchange", "phone": "+82 2-555-0142", "app": "Hanbit Pro",
          "text": "수익이 났다며 출금 수수료를 요구했습니다", "victim": {"name": "김민지", "contact": "010-2345-6789"}}


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_json_and_the_csv_form_give_the_same_report() -> None:
    from_json = read_intake(json.dumps([REPORT]), "reports.json")
    row = {k: v for k, v in REPORT.items() if k != "victim" and not isinstance(v, list)}
    row.update(tx_hashes=REPORT["tx_hashes"][0], from_addresses=SENDER, victim_name="김민지",
               victim_contact="010-2345-6789")
    from_csv = read_intake(_csv([row]), "reports.csv")
    assert from_json.rejected == from_csv.rejected == []
    (_, a), (_, b) = from_json.accepted[0], from_csv.accepted[0]
    assert a == b
    assert a.amount == "12500.25" and a.tlp == "RED" and a.language == "ko"
    assert a.paid_on == dt.date(2026, 3, 2) and a.paid_at == dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)
    assert a.tx_hashes == ("0x" + "ab" * 32,) and a.from_addresses == (SENDER.lower(),)
    assert claimed_base_units(a.amount or "", 6) == 12_500_250_000
    assert claimed_base_units("0.1234567", 6) == 123_456  # nobody pays below the asset's last digit


def test_each_bad_entry_is_named_and_the_others_are_taken() -> None:
    rows = [dict.fromkeys(CSV_COLUMNS, "") for _ in range(4)]
    rows[0].update(chain="ethereum", paid_to="0x" + "5a" * 20, amount="2", asset="ETH")
    rows[1].update(chain="ethereum", paid_to="0x" + "5a" * 20, amount="2.0.1", asset="ETH")
    rows[2].update(chain="ethereum", from_addresses=SENDER[:-1] + "f")  # a checksum typo
    rows[3].update(chain="bitcoin", tx_hashes="0x" + "ab" * 32)  # an Ethereum hash on Bitcoin
    intake = read_intake(_csv(rows), "form.csv")
    assert [p for p, _ in intake.accepted] == ["form.csv:2"]
    reasons = dict(intake.rejected)
    assert set(reasons) == {"form.csv:3", "form.csv:4", "form.csv:5"}
    assert reasons["form.csv:3"].startswith("amount:")
    assert reasons["form.csv:4"].startswith("from_addresses[0]:") and "checksum" in reasons["form.csv:4"]
    assert reasons["form.csv:5"].startswith("tx_hashes[0]:")


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"), ("{", "not valid JSON"), ("name,city\nx,y\n", "column 'name'"),
    ("[" * 100_000 + "]" * 100_000, "not a file of reports"), ("[" + "7" * 5_000 + "]", "not a file of reports"),
    ("[1]", None), ('{"chain": "ethereum", "paid_to": "0x' + "5a" * 20 + '", "amount": 1.5, "asset": "ETH"}', None)])
def test_malformed_files_say_what_and_where(text: str, message: str | None) -> None:
    if message is not None:
        with pytest.raises(InvalidInput, match=message):
            read_intake(text, "in.txt")
        return
    intake = read_intake(text, "in.json")
    assert not intake.accepted and len(intake.rejected) == 1  # a float amount is refused: money is never a float


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reference=st.one_of(st.none(), st.text(min_size=1, max_size=20).filter(str.strip)),
       amount=st.one_of(st.none(), st.decimals(min_value="0.000001", max_value="1e12", places=6).map(str)),
       day=st.dates(min_value=dt.date(2009, 1, 3), max_value=dt.date(2100, 1, 1)),
       text=st.text(max_size=200), tlp=st.sampled_from(["CLEAR", "GREEN", "AMBER", "amber+strict", "red"]),
       name=st.one_of(st.none(), st.text(min_size=1, max_size=40).filter(str.strip)))
def test_a_report_survives_the_store_unchanged(tmp_path: Path, reference: str | None, amount: str | None,
                                               day: dt.date, text: str, tlp: str, name: str | None) -> None:
    raw = {"reference": reference, "chain": "ethereum", "paid_at": day.isoformat(), "amount": amount,
           "asset": "ETH" if amount else None, "paid_to": "0x" + "5a" * 20, "text": text, "tlp": tlp,
           "victim": {"name": name, "contact": None}}
    try:
        report = check_report(raw)
    except InvalidInput as e:  # only control characters in the text or name may be refused
        assert str(e).startswith(("text:", "victim.name:", "reference:")), e
        return
    with Store.open(tmp_path / f"r{abs(hash((reference, amount, day, text, tlp, name)))}.duckdb") as store:
        saved = save_reports(store, "kr-police", [report, report], at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
        assert [s for _, s in saved] == ["new", "unchanged"]
        (back,) = load_reports(store, org="kr-police")
    assert back.report == report and back.id == saved[0][0]
