"""The labels and address commands: `labels import KIND PATH`, `labels show ADDRESS`, `address show`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hotpursuit.cli_common import (
    DbOption,
    FormatOption,
    TableOrJson,
    Tlp,
    TlpOption,
    _user_errors,
    console,
    err_console,
)
from hotpursuit.store import Store

labels_app = typer.Typer(help="Attribution labels: import lists and packs, show claims.", no_args_is_help=True)
address_app = typer.Typer(help="Everything known about one address.", no_args_is_help=True)


def _resolve(address: str, chain: str | None, store: Store) -> tuple[str, str]:
    """(chain, stored form) of an address typed by a user; InvalidAddress with the reason if bad,
    UnknownChain if --chain names a chain neither a codec nor the store knows."""
    from hotpursuit.chains.address_codec import check_chain, guess_chain, parse_address
    from hotpursuit.errors import InvalidAddress
    from hotpursuit.store.summary import known_chains

    if chain is not None:
        check_chain(chain, known_chains(store))
    chain = chain or guess_chain(address.strip())
    if chain is None:
        parse_address("ethereum" if address.lower().startswith("0x") else "bitcoin", address)  # says why
        raise InvalidAddress(f"{address!r}: not a valid Ethereum or Bitcoin address; pass --chain for others")
    return chain, parse_address(chain, address)


@labels_app.command("import")
def labels_import(
    kind: Annotated[str, typer.Argument(help="tagpack, actorpack, ofac, heist-list, scam or csv.")],
    path: Annotated[Path, typer.Argument(help="A file, or a folder of files of that kind.")],
    db: DbOption,
    asserted_by: Annotated[str, typer.Option("--as", help="Organisation asserting these claims.")] = "hotpursuit",
    tlp: TlpOption = Tlp.CLEAR,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Import label claims; re-importing a file replaces only that file's claims."""
    from hotpursuit.ingest.label_import_job import import_labels

    with _user_errors(), Store.open(db) as store:
        report = import_labels(store, kind, path, asserted_by=asserted_by, tlp=tlp.upper())
    if fmt == "json":
        console.print_json(json.dumps(asdict(report)))
        return
    for line in report.rejected:
        err_console.print(f"[bold red]rejected:[/] {line}", highlight=False)
    for line in report.skipped[:20]:
        err_console.print(f"[yellow]skipped:[/] {line}", highlight=False)
    if len(report.skipped) > 20:
        err_console.print(f"[yellow]skipped:[/] ... and {len(report.skipped) - 20} more", highlight=False)
    console.print(f"{kind}: {report.files} file(s), {report.claims:,} claims, {report.actors:,} actors stored; "
                  f"{len(report.rejected)} rejected, {len(report.skipped)} entries skipped")


@labels_app.command("show")
def labels_show(
    address: Annotated[str, typer.Argument(help="The address.")],
    db: DbOption,
    chain: Annotated[str | None, typer.Option(help="Chain (guessed from the address form if omitted).")] = None,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Every claim about an address, side by side, with source, date, confidence and who asserted it."""
    from hotpursuit.store.label_tables import claims_for

    with _user_errors(), Store.open(db, must_exist=True) as store:
        chain, normalized = _resolve(address, chain, store)
        claims = claims_for(store, chain, normalized)
    if fmt == "json":
        console.print_json(json.dumps({"chain": chain, "address": normalized,
                                       "categories": sorted({c.category for c in claims}),
                                       "claims": [asdict(c) for c in claims]}, default=str))
        return
    cats = " / ".join(sorted({c.category.upper() if c.category == "dprk" else c.category for c in claims}))
    console.print(f"[bold]{chain} {normalized}[/]: {cats or 'no labels'}", highlight=False)
    table = Table()
    for col in ("label", "category", "actor", "confidence", "source", "date", "TLP", "asserted by"):
        table.add_column(col)
    for c in claims:
        table.add_row(c.label, c.category, c.actor_label or c.actor or "", str(c.confidence), c.source,
                      str(c.source_date or ""), c.tlp, c.asserted_by)
    console.print(table)


cluster_app = typer.Typer(help="Clustering: who controls which addresses.", no_args_is_help=True)


@cluster_app.command("run")
def cluster_run(
    chain: Annotated[str, typer.Argument(help="Chain to cluster (bitcoin: multi-input; EVM: deposit addresses).")],
    db: DbOption,
    change: Annotated[bool, typer.Option(help="Bitcoin: also the one-time-change heuristic (confidence 50).")] = False,
    window: Annotated[int, typer.Option(min=1, help="EVM: blocks within which a deposit must be swept.")] = 100,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Merge the links found since the last run into the stored clusters (incremental)."""
    from hotpursuit.jobs.cluster_job import run_clustering

    with _user_errors(), Store.open(db, must_exist=True) as store:
        stats = run_clustering(store, chain, change=change, window=window)
    if fmt == "json":
        console.print_json(json.dumps(asdict(stats)))
        return
    console.print(f"{chain}: {stats.transactions:,} transactions read, {stats.coinjoins_skipped:,} CoinJoins "
                  f"skipped, {stats.links:,} new links ({stats.by_reason or 'none'}), {stats.merges:,} merges; "
                  f"{stats.addresses:,} addresses in {stats.clusters:,} clusters; "
                  f"{len(stats.deposit_addresses)} deposit addresses found", highlight=False)


@address_app.command("show")
def address_show(
    address: Annotated[str, typer.Argument(help="The address.")],
    db: DbOption,
    chain: Annotated[str | None, typer.Option(help="Chain (guessed from the address form if omitted).")] = None,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Labels, cluster and entity (with the path it was inherited by), balances, first/last seen, top
    counterparties."""
    from hotpursuit.jobs.assess_job import assess_if_changed
    from hotpursuit.store.address_page import address_page

    with _user_errors(), Store.open(db, must_exist=True) as store:
        resolved = _resolve(address, chain, store)
        assess_if_changed(store, resolved[0])  # fake assets and look-alikes known before the page is drawn
        page = address_page(store, *resolved)
    if fmt == "json":
        console.print_json(json.dumps(asdict(page), default=str))
        return
    console.print(f"[bold]{page.chain} {page.address}[/]", highlight=False)
    for warning in page.warnings:
        console.print(f"  [bold red]warning[/]: {warning}", highlight=False)
    for c in page.claims:
        console.print(f"  label: {c.label} [{c.category}] actor={c.actor_label or c.actor or '-'} "
                      f"confidence {c.confidence} source {c.source} ({c.source_date or 'undated'}) "
                      f"TLP:{c.tlp} by {c.asserted_by}", highlight=False, markup=False)
    if not page.claims:
        console.print("  labels: none of its own")
    if page.cluster_id is not None:
        console.print(f"  cluster {page.cluster_id}: {page.cluster_size} addresses (joined by: {page.cluster_reason})",
                      highlight=False)
    if page.entity is not None and page.entity_address != page.address:
        console.print(f"  entity: {page.entity.label} [{page.entity.category}], inherited from "
                      f"{page.entity_address}:", highlight=False, markup=False)
        for link in page.inherited_via:
            console.print(f"    {link.a} -> {link.b}: {link.reason} (confidence {link.confidence}, "
                          f"tx {link.tx_hash or '-'})", highlight=False)
    for asset, amount in sorted(page.balances.items()):
        console.print(f"  balance {asset}: {amount:,} base units", highlight=False)
    console.print(f"  first seen block {page.first_seen}, last seen block {page.last_seen}", highlight=False)
    for other, asset, n, amount in page.counterparties:
        console.print(f"  counterparty {other}: {n} transfers, {amount:,} {asset} base units", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the `labels`, `address` and `cluster` groups."""
    app.add_typer(labels_app, name="labels")
    app.add_typer(address_app, name="address")
    app.add_typer(cluster_app, name="cluster")
