"""Migrations are versioned, applied once, and a newer store is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotpursuit.errors import StoreError
from hotpursuit.store import Store
from hotpursuit.store.migrations import available_migrations


def test_fresh_store_is_at_newest_version(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        assert store.schema_version() == available_migrations()[-1].version
        store.execute("CREATE TABLE marker (x INTEGER)")
    with Store.open(tmp_path / "s.duckdb") as store:  # reopening applies nothing and keeps everything
        assert store.schema_version() == available_migrations()[-1].version
        assert store.execute("SELECT count(*) FROM marker").fetchone() == (0,)


def test_store_from_a_newer_hotpursuit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store.open(path) as s:
        s.execute("INSERT INTO schema_migrations VALUES (999, '0999_future.sql', current_timestamp)")
    with pytest.raises(StoreError, match="newer than this hotpursuit"):
        Store.open(path)


def test_every_table_later_issues_need_exists(store: Store) -> None:
    tables = {r[0] for r in store.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"blocks", "transactions", "transfers", "utxo_outputs", "utxo_inputs", "labels", "actors",
            "clusters", "incidents", "taint", "controls", "freeze_requests", "outbox", "orgs", "api_keys",
            "audit_log", "bridge_links", "trace_jobs"} <= tables


def test_stored_times_are_utc_whatever_the_machine_s_zone(tmp_path: Path) -> None:
    """current_timestamp defaults (freeze requests, answers, jobs) are written in UTC, as pages label them,
    even when the server runs under another time zone."""
    import datetime as dt
    import os
    import time

    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Seoul"
    time.tzset()
    try:
        with Store.open(tmp_path / "tz.duckdb") as store:
            (stored,) = store.execute("SELECT current_timestamp::TIMESTAMP").fetchone() or (None,)
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert isinstance(stored, dt.datetime) and abs((stored - now).total_seconds()) < 600
