"""The labels and address commands: `labels import KIND PATH`, `labels show ADDRESS`, `address show`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hotpursuit.cli_common import DbOption, FormatOption, _user_errors, console, err_console
from hotpursuit.store import Store

labels_app = typer.Typer(help="Attribution labels: import lists and packs, show claims.", no_args_is_help=True)
address_app = typer.Typer(help="Everything known about one address.", no_args_is_help=True)


@labels_app.command("import")
def labels_import(
    kind: Annotated[str, typer.Argument(help="tagpack, actorpack, ofac, heist-list, scam or csv.")],
    path: Annotated[Path, typer.Argument(help="A file, or a folder of files of that kind.")],
    db: DbOption,
    asserted_by: Annotated[str, typer.Option("--as", help="Organisation asserting these claims.")] = "hotpursuit",
    tlp: Annotated[str, typer.Option(help="TLP of the claims (TagPacks: CLEAR by default).")] = "CLEAR",
    incident: Annotated[str | None, typer.Option(help="heist-list: the incident to attach addresses to.")] = None,
    fmt: FormatOption = "table",
) -> None:
    """Import label claims; re-importing a file replaces only that file's claims."""
    from hotpursuit.ingest.label_import_job import import_labels

    with _user_errors(), Store.open(db) as store:
        report = import_labels(store, kind, path, asserted_by=asserted_by, tlp=tlp.upper(), incident=incident)
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
    fmt: FormatOption = "table",
) -> None:
    """Every claim about an address, side by side, with source, date, confidence and who asserted it."""
    from hotpursuit.chains.address_codec import guess_chain, parse_address
    from hotpursuit.errors import InvalidAddress
    from hotpursuit.store.label_tables import claims_for

    with _user_errors(), Store.open(db) as store:
        chain = chain or guess_chain(address)
        if chain is None:
            raise InvalidAddress(f"{address!r}: not an Ethereum or Bitcoin address; pass --chain")
        normalized = parse_address(chain, address)
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


def register(app: typer.Typer) -> None:
    """Add the `labels` and `address` groups."""
    app.add_typer(labels_app, name="labels")
    app.add_typer(address_app, name="address")
