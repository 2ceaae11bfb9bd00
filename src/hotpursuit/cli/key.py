"""`hotpursuit key create|list|revoke`: API keys, on the store, or through the running server's API
while it holds the store (`--api-key`)."""

from __future__ import annotations

from typing import Annotated

import typer

from hotpursuit.cli.options import (
    DbOption,
    FormatOption,
    TableOrJson,
    console,
    show_rows,
    user_errors,
)
from hotpursuit.cli.running_server import ApiKeyOption, ServerApi, store_or_server

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
    api_key: ApiKeyOption = None,
) -> None:
    """Create a key; it is printed once and only its hash is kept."""
    from hotpursuit.store.org_tables import create_key

    with user_errors(), store_or_server(db, api_key) as target:
        if isinstance(target, ServerApi):
            made = target.call("POST", "/v1/keys", {"org": org_id, "scopes": scope, "expires_days": expires_days,
                                                    "rate_per_second": rate})
            key_id, key = str(made["id"]), str(made["key"])
        else:
            key_id, key = create_key(target, org_id, scope, expires_days, rate_per_second=rate)
    console.print(f"key {key_id} for {org_id} (shown once): {key}", highlight=False, soft_wrap=True)


@app.command("list")
def key_list(db: DbOption, org: Annotated[str | None, typer.Option(help="Only this organisation's.")] = None,
             api_key: ApiKeyOption = None, fmt: FormatOption = TableOrJson.table) -> None:
    """The keys (never the keys themselves): id, organisation, scopes, created, expires, revoked."""
    from hotpursuit.store.org_tables import list_keys

    with user_errors(), store_or_server(db, api_key, must_exist=True) as target:
        if isinstance(target, ServerApi):
            rows = [(k["id"], k["org"], k["scopes"], k["created_at"], k["expires_at"], k["revoked_at"])
                    for k in target.call("GET", "/v1/keys")["keys"] if org in (None, k["org"])]
        else:
            rows = [(k.id, k.org_id, k.scopes, k.created_at, k.expires_at, k.revoked_at)
                    for k in list_keys(target, org)]
    show_rows(["id", "org", "scopes", "created", "expires", "revoked"],
              [[key_id, org_id, " ".join(scopes) if fmt == "table" else scopes, created, expires, revoked]
               for key_id, org_id, scopes, created, expires, revoked in rows], fmt, title=f"{len(rows)} keys")


@app.command("revoke")
def key_revoke(key_id: str, db: DbOption, api_key: ApiKeyOption = None) -> None:
    """Revoke a key (through the running server, it is refused from the next request)."""
    from hotpursuit.store.org_tables import revoke_key

    with user_errors(), store_or_server(db, api_key, must_exist=True) as target:
        if isinstance(target, ServerApi):
            target.call("POST", f"/v1/keys/{key_id}/revoke")
        else:
            revoke_key(target, key_id)
    console.print(f"key {key_id} revoked")
