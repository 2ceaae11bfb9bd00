"""Storing victims' reports and reading them back, unfiltered: who may see which is the caller's to decide
(api.visibility). Every field was checked by victim_reports.model before it gets here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from hotpursuit.store.database import Store
from hotpursuit.victim_reports.model import VictimReport, report_id

_TYPES = {"paid_on": pa.date32(), "paid_at": pa.timestamp("us"), "tx_hashes": pa.list_(pa.string()),
          "from_addresses": pa.list_(pa.string()), "received_at": pa.timestamp("us"), "updated_at": pa.timestamp("us")}
_COLUMNS = ("id, org, tlp, reference, chain, paid_on, paid_at, amount, asset, tx_hashes, from_addresses, paid_to, "
            "website, phone, app, text, language, victim_name, victim_contact, content_hash, received_at, updated_at")


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A report as stored: its id, the organisation that took it, when, and the report itself."""

    id: str
    org: str
    received_at: dt.datetime
    updated_at: dt.datetime
    report: VictimReport


def save_reports(store: Store, org: str, reports: Iterable[VictimReport], *, at: dt.datetime) -> list[tuple[str, str]]:
    """Store `reports` taken by `org` (in one transaction); per report its id and `new`, `updated` (a report
    of that reference filed again with other facts) or `unchanged` (the same complaint filed twice)."""
    now = at.astimezone(dt.UTC).replace(tzinfo=None)
    given = [(report_id(org, r), r.content_hash(), r) for r in reports]
    out: list[tuple[str, str]] = []
    with store.transaction() as con:
        held = {str(i): (str(h), first) for i, h, first in con.execute(
            "SELECT id, content_hash, received_at FROM victim_reports WHERE list_contains(?, id)",
            [sorted({rid for rid, _, _ in given})]).fetchall()}
        rows: dict[str, list[Any]] = {}
        for rid, digest, r in given:
            before = held.get(rid)
            if before is not None and before[0] == digest:
                out.append((rid, "unchanged"))
                continue
            out.append((rid, "new" if before is None else "updated"))
            held[rid] = (digest, before[1] if before is not None else now)
            rows[rid] = [rid, org, r.tlp, r.reference, r.chain, r.paid_on,
                         r.paid_at.replace(tzinfo=None) if r.paid_at else None, r.amount, r.asset, list(r.tx_hashes),
                         list(r.from_addresses), r.paid_to, r.website, r.phone, r.app, r.text, r.language,
                         r.victim_name, r.victim_contact, digest, held[rid][1], now]
        if rows:
            con.execute("DELETE FROM victim_reports WHERE list_contains(?, id)", [sorted(rows)])
            columns = list(zip(*rows.values(), strict=True))
            table = pa.table({name: pa.array(values, _TYPES.get(name, pa.string()))
                              for name, values in zip(_COLUMNS.split(", "), columns, strict=True)})
            with store.transaction(new_victim_reports=table) as joined:  # joins this transaction
                joined.execute(f"INSERT INTO victim_reports ({_COLUMNS}) SELECT {_COLUMNS} FROM new_victim_reports")
    return out


def load_reports(store: Store, *, org: str | None = None, ids: Iterable[str] | None = None,
                 chain: str | None = None) -> list[StoredReport]:
    """Reports (of `org`, with these `ids`, on `chain`: each filter when given), by received time then id."""
    wanted = None if ids is None else sorted(set(ids))
    rows = store._con.execute(
        f"""SELECT {_COLUMNS} FROM victim_reports
            WHERE ($org IS NULL OR org = $org) AND ($chain IS NULL OR chain = $chain)
              AND ($ids IS NULL OR list_contains($ids, id))
            ORDER BY received_at, id""", {"org": org, "chain": chain, "ids": wanted}).fetchall()
    return [_stored(r) for r in rows]


def _stored(r: tuple[Any, ...]) -> StoredReport:
    paid_at = r[6].replace(tzinfo=dt.UTC) if r[6] is not None else None
    report = VictimReport(r[3], r[4], r[5], paid_at, r[7], r[8], tuple(r[9]), tuple(r[10]), r[11], r[12], r[13],
                          r[14], r[15], r[16], r[17], r[18], r[2])
    return StoredReport(r[0], r[1], r[20].replace(tzinfo=dt.UTC), r[21].replace(tzinfo=dt.UTC), report)
