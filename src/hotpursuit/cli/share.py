"""`hotpursuit share pull|push`: a partner's TAXII 2.1 collection imported as claims and exposure with
provenance, and what a partner may see published to its collection."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hotpursuit.cli import share_misp
from hotpursuit.cli.options import (
    DbOption,
    FormatOption,
    TableOrJson,
    console,
    err_console,
    output_path,
    show_rows,
    user_errors,
)
from hotpursuit.errors import InvalidInput, NotFound
from hotpursuit.store import Store

if TYPE_CHECKING:
    from hotpursuit.share.taxii_client import Peer

SHARE_KEY_ENV = "HOTPURSUIT_SHARE_KEY"

app = typer.Typer(help="Share with partners: TAXII 2.1 pull and push, MISP feeds and events.", no_args_is_help=True)
app.command("misp-feed")(share_misp.misp_feed_cmd)
app.command("misp-import")(share_misp.misp_import_cmd)

UrlArgument = Annotated[str, typer.Argument(
    help="The partner's TAXII 2.1 API root, e.g. https://partner.example/taxii2/hotpursuit/.")]
CollectionOption = Annotated[str, typer.Option("--collection", help="The collection's id on that API root.")]
KeyOption = Annotated[str, typer.Option(
    "--key", envvar=SHARE_KEY_ENV, show_default=False,
    help=f"The key the partner gave us (or ${SHARE_KEY_ENV}): sent as Bearer token, or as Basic password "
         "with --user.")]
UserOption = Annotated[str | None, typer.Option(
    "--user", help="Basic auth user name (medallion and other servers that take only Basic).")]


def _peer(url: str, collection: str, key: str, user: str | None) -> Peer:
    from hotpursuit.share.taxii_client import Peer

    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f"URL {url!r}: want the partner's API root as http(s)://host/path/")
    if not collection or "/" in collection:
        raise InvalidInput(f"--collection {collection!r}: want the collection's id")
    return Peer(url, collection, key, user)


def _check_org(store: Store, option: str, org_id: str) -> None:
    from hotpursuit.store.org_tables import org_exists

    if not org_exists(store, org_id):
        raise NotFound(f"{option} {org_id}: no such organisation")


@app.command("pull")
def pull_cmd(
    url: UrlArgument,
    collection: CollectionOption,
    db: DbOption,
    org: Annotated[str, typer.Option("--org", help="Our organisation that pulls: it owns the imported claims "
                                                   "(their TLP and asserting organisation are kept).")],
    key: KeyOption,
    user: UserOption = None,
    chain: Annotated[str | None, typer.Option(
        help="Chain of indicators whose pattern names a wallet without one (partners' plain indicators).")] = None,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Import what a partner's collection gained since this organisation's last pull (every page): claims
    with who, when and which collection they came from, wallets' taint as exposure for screening. A second
    pull of an unchanged collection changes nothing. (While `serve` holds the store, use its --share-pull.)"""
    from hotpursuit.share.taxii_client import pull

    with user_errors():
        peer = _peer(url, collection, key, user)
        with Store.open(db) as store:
            _check_org(store, "--org", org)
            result = pull(store, peer, org, chain)
    c = result.counts
    if fmt == TableOrJson.json:
        console.print_json(json.dumps({"peer": peer.url, "collection": collection, "org": org,
                                       "received": result.received, "cursor": result.cursor, **asdict(c)}))
        return
    for line in c.skipped:
        err_console.print(f"[yellow]skipped:[/] {line}", highlight=False)
    show_rows(["received", "claims changed", "wallets changed", "withdrawn", "unchanged", "skipped", "cursor"],
              [[result.received, c.claims, c.wallets, c.withdrawn, c.unchanged, len(c.skipped), result.cursor]],
              title=f"pulled for {org}")


@app.command("push")
def push_cmd(
    url: UrlArgument,
    collection: CollectionOption,
    db: DbOption,
    org: Annotated[str, typer.Option("--org", help="Our organisation that pushes: only what it may see leaves.")],
    for_org: Annotated[str, typer.Option(
        "--for", help="The partner's organisation id in this store: what leaves is what it may see (TLP and "
                      "sharing groups; RED and AMBER+STRICT data of others never).")],
    what: Annotated[str, typer.Option(
        "--what", help="labels, incidents, traces, or incident:<id> (the incident, its wallets and claims).")],
    key: KeyOption,
    user: UserOption = None,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Publish a collection of ours to a partner's TAXII collection, as the partner may see it; prints the
    server's success and failure counts, and any object held back."""
    from hotpursuit.share.taxii_client import push

    with user_errors():
        if what not in ("labels", "incidents", "traces") and not what.startswith("incident:"):
            raise InvalidInput(f"--what {what!r}: want labels, incidents, traces or incident:<id>")
        peer = _peer(url, collection, key, user)
        with Store.open(db, must_exist=True) as store:
            _check_org(store, "--org", org)
            _check_org(store, "--for", for_org)
            result = push(store, peer, what, for_org, org)
    if fmt == TableOrJson.json:
        console.print_json(json.dumps({"peer": peer.url, "what": what, "for": for_org, **asdict(result)}))
    else:
        for line in result.skipped:
            err_console.print(f"[yellow]not sent:[/] {line}", highlight=False)
        for line in result.failures:
            err_console.print(f"[red]refused:[/] {line}", highlight=False)
        show_rows(["sent", "succeeded", "failed", "pending", "not sent"],
                  [[result.sent, result.succeeded, result.failed, result.pending, len(result.skipped)]],
                  title=f"{what} pushed as {for_org} may see it")
    if result.failed:
        raise typer.Exit(1)


@app.command("stix")
def stix_cmd(
    what: Annotated[str, typer.Argument(help="An incident id, or a collection: labels, incidents, traces.")],
    db: DbOption,
    out: Annotated[Path | None, typer.Option("--out", help="Write the bundle here (default: standard output).")]
    = None,
    reader: Annotated[str | None, typer.Option(
        "--for", help="The organisation it is for: only what its TLP and sharing group let it see (default: "
                      "everything, the operator's view).")] = None,
) -> None:
    """A STIX 2.1 bundle (strictly valid; OpenCTI reads its wallets) of an incident, with the wallets its
    latest trace reached and the claims about them, or of a whole collection, as one organisation may see it."""
    from hotpursuit.share.stix_export import incident_bundle, visible_collection
    from hotpursuit.share.stix_mapping import bundle
    from hotpursuit.share.stix_vocabulary import object_id

    with user_errors():
        target = None if out is None else output_path(out)
        with Store.open(db, must_exist=True) as store:
            if reader is not None:
                _check_org(store, "--for", reader)
            if what in ("labels", "incidents", "traces"):
                objects = visible_collection(store, what, reader)
                found = bundle(objects, object_id("bundle", what, *(o["id"] for o in objects)))
            else:
                found = incident_bundle(store, what, reader)
        text = json.dumps(found, indent=1, sort_keys=True) + "\n"
        if target is None:
            typer.echo(text, nl=False)
            return
        target.write_text(text, encoding="utf-8")
    err_console.print(f"STIX bundle of {what} ({len(found['objects'])} objects) written to {target}", highlight=False)
