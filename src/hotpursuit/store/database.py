"""Opening the DuckDB store: one file, migrated on open, one connection per process.

The connection is private to the `store/` package (datasette's `Database` is the model): the rest of
the product calls the repository functions of `store/` (incident_tables, label_tables, ...), never SQL,
and the architecture test keeps it so. `execute` is for the store's own modules, tests and a shell.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from hotpursuit.errors import StoreError
from hotpursuit.store.migrations import current_version, migrate


class Store:
    """An open hotpursuit store. Use as a context manager, or call `close()`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str) -> None:
        self._con = con
        self.path = path

    def execute(self, sql: str, params: object = None) -> duckdb.DuckDBPyConnection:
        """Run one SQL statement on this store's cursor (tests, a shell: the product uses repositories)."""
        return self._con.execute(sql, params)

    def schema_version(self) -> int:
        """The newest migration applied to this store."""
        return current_version(self._con)

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False, must_exist: bool = False) -> Store:
        """Open (creating if needed, unless `must_exist`) and migrate the store at `path` (':memory:' for a
        scratch one). Commands that only read use `must_exist`: a mistyped path must not answer from a new,
        empty store ("no labels" for a sanctioned address)."""
        text = str(path)
        if must_exist and text != ":memory:" and not Path(text).is_file():
            raise StoreError(f"no store at {text}: check --db (or $HOTPURSUIT_DB); an import or ingest creates "
                             "one")
        if text != ":memory:":
            Path(text).parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(text, read_only=read_only)
        except duckdb.IOException as exc:
            hint = (" (another process holds it: while `hotpursuit serve` runs on this store, change it through"
                    " the API, or stop the server first)") if "lock" in str(exc).lower() else ""
            raise StoreError(f"cannot open store {text}{hint}: {exc}") from exc
        if not read_only:
            migrate(con)
        return cls(con, text)

    @contextmanager
    def transaction(self, **views: Any) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction: commit on success, roll back on any error; `views` (Arrow tables)
        are registered under their names for the duration."""
        self._con.execute("BEGIN TRANSACTION")
        for name, table in views.items():
            self._con.register(name, table)
        try:
            yield self._con
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        finally:
            for name in views:
                self._con.unregister(name)

    def cursor(self) -> Store:
        """The same store on a new cursor of the connection, for another thread (the server's worker, the
        audit writer, the live watch); close it with `close`."""
        return Store(self._con.cursor(), self.path)

    def close(self) -> None:
        """Close the connection (a checkpoint is written by DuckDB)."""
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
