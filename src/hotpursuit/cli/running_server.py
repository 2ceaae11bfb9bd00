"""The CLI's way to a running server: `hotpursuit serve` holds its store's lock and writes where it
listens beside it (`<store>.server`, 0600, removed when it stops). Commands that manage keys and
organisations then go through the server's API, with an API key of the caller's (`--api-key` or
`$HOTPURSUIT_API_KEY`: an org-admin for its own organisation, a server-admin for any), so the same
checks and the audit log apply as to any other client."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from hotpursuit.errors import HotpursuitError, StoreError
from hotpursuit.store import Store

API_KEY_ENV = "HOTPURSUIT_API_KEY"
ApiKeyOption = Annotated[str | None, typer.Option(
    "--api-key", envvar=API_KEY_ENV, show_default=False,
    help="An API key (org-admin or server-admin) for when a running server holds the store.")]


def server_file(db: str | Path) -> Path:
    """Where `serve` notes its address beside the store."""
    return Path(str(db) + ".server")


@contextmanager
def announce_server(db: str | Path, host: str, port: int) -> Iterator[None]:
    """While the body runs (the server), `<store>.server` says where it listens."""
    path = server_file(db)
    reach = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(f"http://{reach}:{port}\n")
    def leave(signum: int, _: object) -> None:  # uvicorn re-raises SIGTERM once it has shut down
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        path.unlink(missing_ok=True)


class ServerApi:
    """The running server's API, as one caller."""

    def __init__(self, base: str, key: str) -> None:
        self.base = base
        self.key = key

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """The answer's JSON; HotpursuitError with the server's own message if it refused."""
        try:
            reply = httpx.request(method, self.base + path, json=body, headers={"X-API-Key": self.key},
                                  timeout=30)
        except httpx.HTTPError as exc:
            raise HotpursuitError(f"the server at {self.base} does not answer ({type(exc).__name__}); is "
                                  "`hotpursuit serve` still running?") from None
        try:
            data = reply.json()
        except ValueError:
            data = None
        if reply.status_code >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            message = error.get("message") if isinstance(error, dict) else None
            raise HotpursuitError(f"the server at {self.base} refused ({reply.status_code}): "
                                  f"{message or reply.text[:200]}")
        return data


@contextmanager
def store_or_server(db: Path, api_key: str | None, *, must_exist: bool = False) -> Iterator[Store | ServerApi]:
    """The store itself, or, while a server holds it, that server's API (with `api_key`)."""
    try:
        store = Store.open(db, must_exist=must_exist)
    except StoreError:
        noted = server_file(db)
        if not noted.is_file():
            raise
        base = noted.read_text(encoding="utf-8").strip()
        if not api_key:
            raise HotpursuitError(
                f"the store {db} is held by the server running at {base}: give --api-key (or ${API_KEY_ENV}), "
                "an org-admin key for your organisation or a server-admin key, and this goes through its API"
            ) from None
        yield ServerApi(base, api_key)
        return
    with store:
        yield store
