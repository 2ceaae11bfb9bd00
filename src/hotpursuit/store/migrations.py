"""Versioned schema migrations, applied in place and in order, each in its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import duckdb

from hotpursuit.errors import StoreError


@dataclass(frozen=True)
class Migration:
    """One numbered SQL script from `store/migrations/`."""

    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """Every migration shipped with this package, in version order."""
    folder = resources.files("hotpursuit.store") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append(Migration(version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The newest applied migration, 0 for an empty database."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration newer than the database; return the versions applied."""
    have = current_version(con)
    migrations = available_migrations()
    newest = migrations[-1].version if migrations else 0
    if have > newest:
        raise StoreError(
            f"the store is at schema version {have}, newer than this hotpursuit knows ({newest}); "
            "upgrade hotpursuit"
        )
    applied = []
    for m in migrations:
        if m.version <= have:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(m.sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, current_timestamp)", [m.version, m.name]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(m.version)
    return applied
