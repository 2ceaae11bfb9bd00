"""Server and organisation commands: `serve`, `org add`, `key create/revoke`, `audit verify`."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Annotated

import typer

from hotpursuit.cli_common import DbOption, _user_errors, console
from hotpursuit.store import Store

org_app = typer.Typer(help="Organisations (agencies, exchanges, issuers).", no_args_is_help=True)
key_app = typer.Typer(help="API keys of organisations.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@org_app.command("add")
def org_add(
    org_id: Annotated[str, typer.Argument(help="Short id, e.g. kr-nis.")],
    db: DbOption,
    name: Annotated[str, typer.Option(help="Full name.")],
    kind: Annotated[str, typer.Option(help="agency, exchange or issuer.")],
    country: Annotated[str | None, typer.Option(help="ISO country code.")] = None,
    sharing_group: Annotated[str | None, typer.Option(help="TLP:AMBER sharing group.")] = None,
    scores_hidden: Annotated[bool, typer.Option(
        help="Let this organisation's claims count in the scores of callers who may not see them.")] = False,
) -> None:
    """Create an organisation."""
    from hotpursuit.store.org_tables import add_org

    with _user_errors(), Store.open(db) as store:
        add_org(store, org_id, name, kind, country, sharing_group, scores_hidden=scores_hidden)
    console.print(f"organisation {org_id} added")


@org_app.command("webhook")
def org_webhook(
    org_id: Annotated[str, typer.Argument(help="Organisation id.")],
    db: DbOption,
    url: Annotated[str, typer.Option(help="Where its freeze requests are POSTed.")],
) -> None:
    """Set an organisation's webhook; prints the new shared secret once (HMAC-SHA256 key)."""
    from hotpursuit.store.interdiction_tables import set_webhook

    with _user_errors(), Store.open(db) as store:
        secret = set_webhook(store, org_id, url)
    console.print(f"webhook of {org_id}: {url}")
    console.print(f"shared secret (shown once): {secret}", highlight=False)


@org_app.command("control")
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

    with _user_errors(), Store.open(db) as store:
        add_control(store, org_id, chain, parse_address(chain, address), kind)
    console.print(f"{org_id} controls {chain}:{address} ({kind})")


@key_app.command("create")
def key_create(
    org_id: Annotated[str, typer.Argument(help="Organisation id.")],
    db: DbOption,
    scope: Annotated[list[str], typer.Option(help="screen, read, write or admin (repeat).")],
    expires_days: Annotated[int | None, typer.Option(min=1, help="Days until the key expires.")] = 365,
) -> None:
    """Create a key; it is printed once and only its hash is kept."""
    from hotpursuit.store.org_tables import create_key

    with _user_errors(), Store.open(db) as store:
        key_id, key = create_key(store, org_id, scope, expires_days)
    console.print(f"key {key_id} for {org_id} (shown once): {key}", highlight=False, soft_wrap=True)


@key_app.command("revoke")
def key_revoke(key_id: str, db: DbOption) -> None:
    """Revoke a key."""
    from hotpursuit.store.org_tables import revoke_key

    with _user_errors(), Store.open(db, must_exist=True) as store:
        revoke_key(store, key_id)
    console.print(f"key {key_id} revoked")


@audit_app.command("verify")
def audit_verify(db: DbOption) -> None:
    """Check the audit log's hash chain; exit 1 naming any edited or deleted entry. Entries a stopped
    or killed server left in its journal are committed first."""
    from hotpursuit.api.audit_writer import AuditWriter
    from hotpursuit.security.audit_chain import verify_chain
    from hotpursuit.store.org_tables import audit_entries

    with _user_errors(), Store.open(db, must_exist=True) as store:
        writer = AuditWriter(store)
        writer.close()
        if writer.replayed:
            console.print(f"{writer.replayed} entries committed from the server's journal")
        entries = audit_entries(store)
    problems = verify_chain(entries)
    for p in problems:
        console.print(f"[bold red]broken:[/] {p}", highlight=False)
    if problems:
        raise typer.Exit(1)
    console.print(f"audit log intact: {len(entries)} entries")


def serve(
    db: DbOption,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8080,
    watch_rpc: Annotated[str | None, typer.Option(
        help="Follow this EVM node live and send freeze requests for open incidents.")] = None,
    watch_from: Annotated[int | None, typer.Option(
        min=0, help="First block to watch (default: where the last watch stopped, else after the stored tip).")] = None,
    min_freeze: Annotated[list[str] | None, typer.Option(
        help="ASSET=UNITS: ask no freeze below this many base units of ASSET (ETH, BTC, or a token address).")] = None,
    watch_bitcoin_rpc: Annotated[str | None, typer.Option(
        help="Also follow this Bitcoin Core node (JSON-RPC), carrying taint across bridge payouts.")] = None,
    watch_esplora: Annotated[str | None, typer.Option(
        help="Or follow this Esplora API for Bitcoin.")] = None,
    watch_bitcoin_from: Annotated[int | None, typer.Option(
        min=0, help="First Bitcoin height to watch (default: where the last watch stopped, else the tip).")] = None,
    rpc_user: Annotated[str | None, typer.Option(help="Bitcoin Core RPC user.")] = None,
    rpc_password: Annotated[str | None, typer.Option(help="Bitcoin Core RPC password.")] = None,
    rpc_cookie: Annotated[Path | None, typer.Option(help="Bitcoin Core .cookie file.")] = None,
) -> None:
    """Run the API (FastAPI on uvicorn); the process owns the store."""
    import uvicorn

    from hotpursuit.api.app import create_app
    from hotpursuit.ingest.bitcoin_node_job import BitcoinSource, CoreRpcSource, EsploraSource, core_auth

    thresholds = {}
    for item in min_freeze or []:
        asset, _, units = item.partition("=")
        if not units.isdigit():
            raise typer.BadParameter(f"{item!r}: want ASSET=UNITS (base units, digits)", param_hint="--min-freeze")
        thresholds[asset.lower() if asset.startswith("0x") else asset] = int(units)
    if (watch_bitcoin_rpc or watch_esplora) and not watch_rpc:
        raise typer.BadParameter("the Bitcoin watch carries taint from an EVM incident: give --watch-rpc too",
                                 param_hint="--watch-bitcoin-rpc / --watch-esplora")
    bitcoin: BitcoinSource | None = None
    if watch_bitcoin_rpc:
        bitcoin = CoreRpcSource(watch_bitcoin_rpc, core_auth(rpc_user, rpc_password, rpc_cookie))
    elif watch_esplora:
        bitcoin = EsploraSource(watch_esplora)
    with _user_errors(), Store.open(db) as store:
        app = create_app(store, watch_rpc=watch_rpc, watch_from=watch_from, thresholds=thresholds,
                         watch_bitcoin=bitcoin, watch_bitcoin_from=watch_bitcoin_from)
        gc.collect()
        gc.freeze()  # the screening index's millions of objects live as long as the process: never re-scan them
        uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add `serve`, `org`, `key` and `audit`."""
    app.command("serve")(serve)
    app.add_typer(org_app, name="org")
    app.add_typer(key_app, name="key")
    app.add_typer(audit_app, name="audit")
