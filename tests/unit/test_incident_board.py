"""The interdiction board's "stolen" counts the loot once, and only real assets: on the real Bybit hop 1,
a theft tx named twice (as itself and as a receipt at it) counts once, and a fake token a source moved
is shown by `incident show` but never counted."""

from __future__ import annotations

import csv
from decimal import Decimal

from hotpursuit.ingest.explorer_job import import_explorer
from hotpursuit.jobs.assess_job import assess_chain
from hotpursuit.store import Store
from hotpursuit.store.incident_tables import open_incident, source_amounts
from hotpursuit.store.interdiction_tables import board

from ..conftest import SHARED_DATA

HOP1 = SHARED_DATA / "lazarus" / "bybit_2025_hop1_all.csv"
EXPLOITER = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2"
STETH = "0xae7ab96520de3a18e5e111b5eaab095312d7fe84"


def test_board_counts_a_theft_once_and_never_a_fake_token(store: Store) -> None:
    import_explorer(store, [HOP1], chain="ethereum", owner=EXPLOITER)
    trust = assess_chain(store, "ethereum")
    rows = list(csv.DictReader(HOP1.open(encoding="utf-8")))
    eth = next(r for r in rows if r["kind"] == "native" and Decimal(r["amount"]) >= 10_000)
    fake = next(r for r in rows if r["kind"] == "token" and trust.get(r["contract"])
                and trust[r["contract"]].status == "impersonating" and Decimal(r["amount"]) > 0)
    steth = next(r for r in rows if r["contract"] == STETH and Decimal(r["amount"]) > 0)
    incident, _ = open_incident(store, "board check", "ethereum", [
        eth["hash"], f"{eth['to']}@{eth['hash']}",  # the same value named twice
        f"{fake['to']}@{fake['hash']}",  # a fake token's receipt
        f"{steth['to']}@{steth['hash']}"])
    stolen = board(store, incident)["stolen"]
    assert stolen == {"ETH": str(int(Decimal(eth["amount"]) * 10**18)),
                      STETH: str(int(Decimal(steth["amount"]) * 10**18))}
    statuses = {(asset, status) for _, _, _, asset, _, status in source_amounts(store, incident)}
    assert ("ETH", "native") in statuses and (fake["contract"], "impersonating") in statuses
    assert (STETH, "canonical") in statuses
