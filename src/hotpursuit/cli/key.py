"""`hotpursuit key create|revoke`: API keys."""

from __future__ import annotations

from typing import Annotated

import typer

from hotpursuit.cli.options import (
    DbOption,
    console,
    user_errors,
)
from hotpursuit.store import Store

app = typer.Typer(help="API keys of organisations.", no_args_is_help=True)


@app.command("create")
def key_create(
    org_id: Annotated[str, typer.Argument(help="Organisation id.")],
    db: DbOption,
    scope: Annotated[list[str], typer.Option(help=(
        "screen, read, write, incident (agencies: open and close incidents), org-admin (the organisation's "
        "webhook, controls, keys), server-admin (clustering, reloads, organisations, control reviews); "
        "repeat; admin stands for all of them."))],
    expires_days: Annotated[int | None, typer.Option(min=1, help="Days until the key expires.")] = 365,
    rate: Annotated[float | None, typer.Option(min=0.001, help="The key's own rate limit, requests/s "
                                                               "(default: the server's).")] = None,
) -> None:
    """Create a key; it is printed once and only its hash is kept."""
    from hotpursuit.store.org_tables import create_key

    with user_errors(), Store.open(db) as store:
        key_id, key = create_key(store, org_id, scope, expires_days, rate_per_second=rate)
    console.print(f"key {key_id} for {org_id} (shown once): {key}", highlight=False, soft_wrap=True)


@app.command("revoke")
def key_revoke(key_id: str, db: DbOption) -> None:
    """Revoke a key."""
    from hotpursuit.store.org_tables import revoke_key

    with user_errors(), Store.open(db, must_exist=True) as store:
        revoke_key(store, key_id)
    console.print(f"key {key_id} revoked")
