"""`hotpursuit org add|webhook|control|keys`: organisations, where their freeze requests go, what they can freeze,
and their signing keys for evidence bundles."""

from __future__ import annotations

import os
from pathlib import Path
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
keys_app = typer.Typer(help="An organisation's Ed25519 signing keys (evidence bundles).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


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


@keys_app.command("create")
def org_keys_create(
    org_name: Annotated[str, typer.Argument(help="The organisation's name, e.g. kr-nis (it names the files).")],
    out: Annotated[Path, typer.Option("--out", help="Existing folder to write the two key files into.")],
) -> None:
    """Create an Ed25519 key pair: ORG.ed25519.key (private, PKCS#8 PEM, readable by you only: keep it) and
    ORG.ed25519.pub (public, SPKI PEM: give it to partners, who pass it to `evidence verify --trust`).
    Prints the key id (SHA-256 of the raw public key). Never overwrites."""
    from hotpursuit.errors import HotpursuitError
    from hotpursuit.evidence.keys import new_key_pair
    from hotpursuit.evidence.layout import PRIVATE_KEY_SUFFIX, PUBLIC_KEY_SUFFIX

    with user_errors():
        if not out.is_dir():
            raise HotpursuitError(f"--out {out}: no such folder")
        private_pem, public_pem, keyid = new_key_pair(org_name)
        private_path, public_path = out / f"{org_name}{PRIVATE_KEY_SUFFIX}", out / f"{org_name}{PUBLIC_KEY_SUFFIX}"
        for path in (private_path, public_path):
            if path.exists():
                raise HotpursuitError(f"{path}: exists already; not overwritten")
        for path, data, mode in ((private_path, private_pem, 0o600), (public_path, public_pem, 0o644)):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            except FileExistsError:
                raise HotpursuitError(f"{path}: exists already; not overwritten") from None
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
    console.print(f"private key: {private_path} (keep it; mode 600)", highlight=False)
    console.print(f"public key:  {public_path} (give it to partners)", highlight=False)
    console.print(f"key id: {keyid}", highlight=False)
