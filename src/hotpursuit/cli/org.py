"""`hotpursuit org add|webhook|control`: organisations, where their freeze requests go, what they can freeze."""

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
from hotpursuit.store import Store

app = typer.Typer(help="Organisations (agencies, exchanges, issuers).", no_args_is_help=True)


@app.command("add")
def org_add(
    org_id: Annotated[str, typer.Argument(help="Short id, e.g. kr-nis.")],
    db: DbOption,
    name: Annotated[str, typer.Option(help="Full name.")],
    kind: Annotated[str, typer.Option(help="agency, exchange or issuer.")],
    country: Annotated[str | None, typer.Option(help="ISO country code.")] = None,
    sharing_group: Annotated[str | None, typer.Option(help="TLP:AMBER sharing group.")] = None,
    scores_hidden: Annotated[bool, typer.Option(
        help="Let this organisation's claims count in the scores of callers who may not see them.")] = False,
    api_key: ApiKeyOption = None,
) -> None:
    """Create an organisation (through the running server's API while it holds the store: a server-admin
    key)."""
    from hotpursuit.store.org_tables import add_org

    with user_errors(), store_or_server(db, api_key) as target:
        if isinstance(target, ServerApi):
            target.call("POST", "/v1/orgs", {"id": org_id, "name": name, "kind": kind, "country": country,
                                             "sharing_group": sharing_group, "scores_hidden": scores_hidden})
        else:
            add_org(target, org_id, name, kind, country, sharing_group, scores_hidden=scores_hidden)
    console.print(f"organisation {org_id} added")


@app.command("list")
def org_list(db: DbOption, api_key: ApiKeyOption = None, fmt: FormatOption = TableOrJson.table) -> None:
    """Every organisation: id, name, kind, country, sharing group."""
    from hotpursuit.store.org_tables import list_orgs

    with user_errors(), store_or_server(db, api_key, must_exist=True) as target:
        if isinstance(target, ServerApi):
            rows = [(o["id"], o["name"], o["kind"], o["country"], o["sharing_group"])
                    for o in target.call("GET", "/v1/orgs")["orgs"]]
        else:
            rows = [(o.id, o.name, o.kind, o.country, o.sharing_group) for o in list_orgs(target)]
    show_rows(["id", "name", "kind", "country", "sharing_group"], [list(r) for r in rows], fmt,
              title=f"{len(rows)} organisations")


@app.command("webhook")
def org_webhook(
    org_id: Annotated[str, typer.Argument(help="Organisation id.")],
    db: DbOption,
    url: Annotated[str, typer.Option(help="Where its freeze requests are POSTed.")],
) -> None:
    """Set an organisation's webhook; prints the new shared secret once (HMAC-SHA256 key)."""
    from hotpursuit.store.interdiction_tables import set_webhook

    with user_errors(), Store.open(db) as store:
        secret = set_webhook(store, org_id, url)
    console.print(f"webhook of {org_id}: {url}")
    console.print(f"shared secret (shown once): {secret}", highlight=False)


@app.command("control")
def org_control(
    org_id: Annotated[str, typer.Argument(help="Organisation id.")],
    db: DbOption,
    chain: Annotated[str, typer.Option(help="Chain of the address.")],
    address: Annotated[str, typer.Option(help="The address or token contract.")],
    kind: Annotated[str, typer.Option(help="hot_wallet, deposit_address, token or bridge.")],
) -> None:
    """Declare an address an organisation operates, or a token it issues."""
    from hotpursuit.chains.address_codec import parse_address
    from hotpursuit.store.interdiction_tables import add_control

    with user_errors(), Store.open(db) as store:
        add_control(store, org_id, chain, parse_address(chain, address), kind)
    console.print(f"{org_id} controls {chain}:{address} ({kind})")
