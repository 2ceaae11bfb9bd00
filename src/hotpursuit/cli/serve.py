"""`hotpursuit serve`: the API, optionally racing the thief live."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Annotated

import typer

from hotpursuit.cli.options import (
    DbOption,
    user_errors,
)
from hotpursuit.errors import NotFound
from hotpursuit.store import Store


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
    allow_webhook_network: Annotated[list[str] | None, typer.Option(
        help="A non-public network (CIDR) organisations' webhooks may point at (repeat); by default webhooks "
             "reach public addresses only.")] = None,
    rpc: Annotated[str | None, typer.Option(
        help="An EVM node's JSON-RPC URL to read token contracts' roles from (control proofs over tokens); "
             "default: --watch-rpc.")] = None,
    rate_per_key: Annotated[float, typer.Option(
        min=0.001, help="Requests per second each key may make on average (a key created with --rate keeps "
                        "its own); bursts of two seconds' worth.")] = 100.0,
    audit_checkpoint_seconds: Annotated[float, typer.Option(
        min=1.0, help="Seconds between signed checkpoints of the audit log (also at start and stop).")] = 60.0,
    share_pull: Annotated[list[str] | None, typer.Option(
        help="URL#COLLECTION_ID: pull this partner's TAXII 2.1 collection (API root URL, collection id) at "
             "intervals; its claims and exposure reach screening (repeat).")] = None,
    share_pull_org: Annotated[str | None, typer.Option(
        help="Our organisation that owns what --share-pull brings.")] = None,
    share_pull_key: Annotated[str | None, typer.Option(
        envvar="HOTPURSUIT_SHARE_KEY", show_default=False,
        help="The partners' key for --share-pull (Bearer, or Basic password with --share-pull-user).")] = None,
    share_pull_user: Annotated[str | None, typer.Option(help="Basic auth user for --share-pull.")] = None,
    share_pull_seconds: Annotated[float, typer.Option(
        min=1.0, help="Seconds between two pulls of each --share-pull collection.")] = 60.0,
) -> None:
    """Run the API (FastAPI on uvicorn); the process owns the store."""
    import uvicorn

    from hotpursuit.api.app import create_app
    from hotpursuit.cli.running_server import announce_server
    from hotpursuit.ingest.bitcoin_node_job import BitcoinSource, CoreRpcSource, EsploraSource, core_auth
    from hotpursuit.share.scheduled_pull import PullSpec, parse_pull_target

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
    pulls: list[PullSpec] = []
    if share_pull:
        if not share_pull_org or not share_pull_key:
            raise typer.BadParameter("give --share-pull-org and --share-pull-key (or $HOTPURSUIT_SHARE_KEY) too",
                                     param_hint="--share-pull")
        with user_errors():
            pulls = [PullSpec(*parse_pull_target(t), share_pull_org, share_pull_key, share_pull_user,
                              share_pull_seconds) for t in share_pull]
    with user_errors(), Store.open(db) as store:
        if pulls:
            from hotpursuit.store.org_tables import org_exists
            if not org_exists(store, pulls[0].org_id):
                raise NotFound(f"--share-pull-org {pulls[0].org_id}: no such organisation")
        app = create_app(store, watch_rpc=watch_rpc, watch_from=watch_from, thresholds=thresholds,
                         watch_bitcoin=bitcoin, watch_bitcoin_from=watch_bitcoin_from,
                         webhook_networks=allow_webhook_network, rpc=rpc, rate_per_second=rate_per_key,
                         audit_checkpoint_seconds=audit_checkpoint_seconds, share_pulls=pulls)
        gc.collect()
        gc.freeze()  # the screening index's millions of objects live as long as the process: never re-scan them
        with announce_server(db, host, port):  # the CLI's key and org commands find the server here
            uvicorn.run(app, host=host, port=port, log_level="warning")
