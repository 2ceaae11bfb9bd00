"""Opening the DuckDB store: one file, migrated on open, one connection per process."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import duckdb

from hotpursuit.errors import StoreError
from hotpursuit.store.migrations import migrate


class Store:
    """An open hotpursuit store. Use as a context manager, or call `close()`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str) -> None:
        self.con = con
        self.path = path

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False) -> Store:
        """Open (creating if needed) and migrate the store at `path` (':memory:' for a scratch one)."""
        text = str(path)
        if text != ":memory:":
            Path(text).parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(text, read_only=read_only)
        except duckdb.IOException as exc:
            raise StoreError(f"cannot open store {text}: {exc}") from exc
        if not read_only:
            migrate(con)
        return cls(con, text)

    def close(self) -> None:
        """Close the connection (a checkpoint is written by DuckDB)."""
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
