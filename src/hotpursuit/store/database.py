"""Opening the DuckDB store: one file, migrated on open, one connection per process.

The connection is private to the `store/` package (datasette's `Database` is the model): the rest of
the product calls the repository functions of `store/` (incident_tables, label_tables, ...), never SQL,
and the architecture test keeps it so. `execute` is for the store's own modules, tests and a shell.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hotpursuit.errors import StoreError
from hotpursuit.security.sealing import Sealer, new_sealing_key
from hotpursuit.store.migrations import current_version, migrate


class Store:
    """An open hotpursuit store. Use as a context manager, or call `close()`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str) -> None:
        self._con = con
        self.path = path
        self._sealer: Sealer | None = None
        self._depth = 0  # open transactions on this cursor: inner ones join the outermost
        self._doomed = False  # an inner one failed: the outermost rolls back whatever its caller did

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
        previous = os.umask(0o077)  # a new store (and its WAL) is readable by its owner only
        try:
            con = duckdb.connect(text, read_only=read_only)
        except duckdb.IOException as exc:
            hint = (" (another process holds it: while `hotpursuit serve` runs on this store, change it through"
                    " the API, or stop the server first)") if "lock" in str(exc).lower() else ""
            raise StoreError(f"cannot open store {text}{hint}: {exc}") from exc
        finally:
            os.umask(previous)
        con.execute("SET TimeZone = 'UTC'")  # current_timestamp defaults are UTC whatever the machine's zone
        if not read_only:
            migrate(con)
        return cls(con, text)

    @property
    def sealer(self) -> Sealer:
        """Seals secrets kept in this store, under `$HOTPURSUIT_SEALING_KEY`, else a key file beside the
        store (`<store>.key`, created 0600 on first use; keep it out of the store's backups)."""
        if self._sealer is None:
            self._sealer = Sealer(sealing_key(self.path))
        return self._sealer

    @contextmanager
    def transaction(self, **views: Any) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction: commit on success, roll back on any error; `views` (Arrow tables)
        are registered under their names for the duration. Opened inside another transaction of this
        cursor, it joins it: everything commits, or rolls back, with the outermost (an audited change
        and its audit entry)."""
        outermost = self._depth == 0
        if outermost:
            self._con.execute("BEGIN TRANSACTION")
            self._doomed = False
        self._depth += 1
        if views:
            self._con.complete()  # a joined transaction's last SELECT may be half read: registering needs it done
        for name, table in views.items():
            self._con.register(name, table)
        try:
            yield self._con
            if outermost and self._doomed:
                raise StoreError("a step of this transaction failed, so none of it was kept")
            if outermost:
                self._con.execute("COMMIT")
        except BaseException:
            if outermost:
                self._con.execute("ROLLBACK")
            else:
                self._doomed = True
            raise
        finally:
            self._depth -= 1
            if views:
                self._con.complete()  # a SELECT half read when the body raised: unregistering needs it done
            for name in views:
                self._con.unregister(name)

    def cursor(self) -> Store:
        """The same store on a new cursor of the connection, for another thread (the server's worker, the
        audit writer, the live watch); close it with `close`."""
        other = Store(self._con.cursor(), self.path)
        other._sealer = self._sealer
        return other

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


SEALING_KEY_ENV = "HOTPURSUIT_SEALING_KEY"
AUDIT_KEY_ENV = "HOTPURSUIT_AUDIT_KEY"


def sealing_key(store_path: str) -> bytes:
    """`$HOTPURSUIT_SEALING_KEY`, else the key file beside the store (created, 0600, if missing; a scratch
    store in memory gets a key of its own)."""
    return _key_beside(store_path, SEALING_KEY_ENV, ".key", new_sealing_key)


def audit_signing_key(store_path: str) -> Ed25519PrivateKey:
    """The server's Ed25519 key for audit checkpoints: `$HOTPURSUIT_AUDIT_KEY` (the 32-byte private key,
    hex), else the file beside the store (`<store>.audit-key`, created 0600 if missing)."""
    text = _key_beside(store_path, AUDIT_KEY_ENV, ".audit-key",
                       lambda: Ed25519PrivateKey.generate().private_bytes_raw().hex().encode())
    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(text.decode()))
    except ValueError as exc:
        raise StoreError(f"the audit signing key ({AUDIT_KEY_ENV} or {store_path}.audit-key) is not an Ed25519 "
                         "private key (32 bytes, hex)") from exc


def _key_beside(store_path: str, env: str, suffix: str, make: Callable[[], bytes]) -> bytes:
    given = os.environ.get(env)
    if given:
        return given.encode()
    if store_path == ":memory:":
        return make()
    path = Path(store_path + suffix)
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another thread of this process made it meanwhile
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as out:
            out.write(make())
    return path.read_bytes().strip()
