"""Annotations in a real store, on the real Bybit first hop and Bitcoin's genesis transaction: what a case
report of an incident reads (its own notes and those on the addresses and txs it names, each once,
withdrawn ones gone, the caller's timestamps exact), filtered by TLP as the report does; and the field
rules, which name the field they refuse."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from hotpursuit.attribution.annotations import normalize_tx_hash, split_tags
from hotpursuit.errors import InvalidInput, NotFound
from hotpursuit.security.tlp import may_see
from hotpursuit.store import Store
from hotpursuit.store.annotation_tables import (
    add_annotation,
    annotations_for_incident,
    annotations_on,
    withdraw_annotation,
)
from hotpursuit.store.incident_tables import open_incident
from tests.conftest import SHARED_DATA

HOP1 = list(csv.DictReader((SHARED_DATA / "lazarus" / "bybit_2025_hop1_outflows.csv").open(encoding="utf-8")))
GENESIS_TXID = json.loads((SHARED_DATA / "bitcoin-etl-mainnet" / "block_0" / "expected_transactions.json")
                          .read_text(encoding="utf-8").splitlines()[0])["hash"]
AT = dt.datetime(2025, 2, 21, 14, 29, 47, 123456, tzinfo=dt.UTC)


def _note(store: Store, kind: str, chain: str, subject: str, note: str, tlp: str, org: str, minutes: int) -> str:
    return add_annotation(store, subject_kind=kind, chain=chain, subject=subject, note=note, tags=["bybit"], tlp=tlp,
                          author_org=org, author=f"key-{org}", at=AT + dt.timedelta(minutes=minutes)).id


def test_a_case_report_reads_the_incident_s_notes_and_those_on_what_it_names(store: Store) -> None:
    first, second = HOP1[0], HOP1[1]
    exploiter = first["from"]
    incident, _ = open_incident(store, "Bybit 2025", "ethereum", [f"{exploiter}@{first['tx_hash']}"], owner="kr-nis")
    own = _note(store, "incident", "", incident, "TraderTraitor per FBI PSA250226", "RED", "kr-nis", 0)
    on_exploiter = _note(store, "address", "ethereum", exploiter, "the exploiter", "GREEN", "kr-nis", 1)
    on_hop = _note(store, "tx", "ethereum", first["tx_hash"], "first split", "AMBER", "ex-hanbit", 2)
    on_bitcoin = _note(store, "tx", "bitcoin", GENESIS_TXID, "a bridge payout", "CLEAR", "ex-hanbit", 3)
    _note(store, "address", "ethereum", second["to"], "not named by the report", "GREEN", "kr-nis", 4)
    _note(store, "tx", "bitcoin", first["tx_hash"][2:], "same hex on another chain", "GREEN", "kr-nis", 5)
    gone = _note(store, "address", "ethereum", exploiter, "withdrawn", "GREEN", "kr-nis", 6)
    withdraw_annotation(store, gone, "kr-nis", AT)

    read = annotations_for_incident(store, incident, addresses=[("ethereum", exploiter), ("ethereum", exploiter)],
                                    txs=[("ethereum", first["tx_hash"]), ("bitcoin", GENESIS_TXID)])
    assert [a.id for a in read] == [own, on_exploiter, on_hop, on_bitcoin]
    assert read[0].chain == "ethereum" and read[0].subject == incident and read[0].tags == ("bybit",)
    assert read[2].created_at == AT + dt.timedelta(minutes=2) and read[2].author == "key-ex-hanbit"
    assert [a.id for a in annotations_for_incident(store, incident)] == [own]

    groups = {"kr-nis": "task-force", "ex-hanbit": "task-force", "ex-outsider": None}
    seen = [a.note for a in read if may_see(a.tlp, a.author_org, groups[a.author_org], "ex-outsider", None)]
    assert seen == ["the exploiter", "a bridge payout"]
    partner = [a.note for a in read if may_see(a.tlp, a.author_org, groups[a.author_org], "ex-hanbit", "task-force")]
    assert partner == ["the exploiter", "first split", "a bridge payout"]

    assert [a.note for a in annotations_on(store, "address", "ethereum", exploiter)] == ["the exploiter"]
    with pytest.raises(NotFound, match="annotation_id"):
        withdraw_annotation(store, on_hop, "kr-nis", AT)  # ex-hanbit's note: not kr-nis's to withdraw
    with pytest.raises(NotFound, match="subject: no incident"):
        _note(store, "incident", "", "no-such-incident", "x", "GREEN", "kr-nis", 7)


def test_field_rules_name_the_field() -> None:
    bybit_tx = HOP1[0]["tx_hash"]
    assert normalize_tx_hash("ethereum", bybit_tx.upper().replace("0X", "0x")) == bybit_tx
    assert normalize_tx_hash("bitcoin", GENESIS_TXID.upper()) == GENESIS_TXID
    for chain, text in (("ethereum", bybit_tx[:-1]), ("ethereum", bybit_tx[2:]), ("bitcoin", "0x" + GENESIS_TXID),
                        ("ethereum", bybit_tx[:-1] + "g")):
        with pytest.raises(InvalidInput, match=r"^subject: "):
            normalize_tx_hash(chain, text)
    assert split_tags("Lazarus, cash-out  bybit,lazarus") == ("lazarus", "cash-out", "bybit")
    for text in ("-lead", "a" * 41, "no_underscores", " ".join(f"t{i}" for i in range(21))):
        with pytest.raises(InvalidInput, match=r"^tags: "):
            split_tags(text)
