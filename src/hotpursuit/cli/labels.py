"""`hotpursuit labels import|show|site`: attribution claims, and scam sites from public lists."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from hotpursuit.cli.options import (
    DbOption,
    FormatOption,
    TableOrJson,
    Tlp,
    TlpOption,
    console,
    err_console,
    resolve_address,
    show_rows,
    user_errors,
)
from hotpursuit.store import Store

app = typer.Typer(help="Attribution labels: import lists and packs, show claims.", no_args_is_help=True)


@app.command("import")
def labels_import(
    kind: Annotated[str, typer.Argument(
        help="tagpack, actorpack, ofac, heist-list, scam or csv; scam-site lists: scamsniffer (the folder with "
             "combined.json and address.json), cryptoscamdb (urls.yaml), eth-phishing-detect (the npm package's "
             "folder or its config.json) or mew-darklist (MyEtherWallet's darklist.json).")],
    path: Annotated[Path, typer.Argument(help="A file, or a folder of files of that kind.")],
    db: DbOption,
    asserted_by: Annotated[str, typer.Option("--as", help="Organisation asserting these claims.")] = "hotpursuit",
    tlp: TlpOption = Tlp.CLEAR,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Import label claims; re-importing a file replaces only that file's claims. A scam-site list also
    stores the sites it lists (with the addresses they handed out) and its licence: a list that may not be
    passed on (CryptoScamDB states no licence) is used here and never published to partners."""
    from hotpursuit.ingest.label_import_job import import_labels

    with user_errors(), Store.open(db) as store:
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
    if report.source is not None:
        shared = "may be passed on" if report.redistributable else "used here only, never published to partners"
        console.print(f"{report.source} ({report.version}; licence {report.licence}: {shared}): "
                      f"{report.entities:,} sites, {report.entity_addresses:,} site addresses, {report.claims:,} "
                      f"address claims stored; {len(report.skipped)} entries skipped", highlight=False)
        return
    console.print(f"{kind}: {report.files} file(s), {report.claims:,} claims, {report.actors:,} actors stored; "
                  f"{len(report.rejected)} rejected, {len(report.skipped)} entries skipped")


@app.command("show")
def labels_show(
    address: Annotated[str, typer.Argument(help="The address.")],
    db: DbOption,
    chain: Annotated[str | None, typer.Option(help="Chain (guessed from the address form if omitted).")] = None,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Every claim about an address, side by side, with source, date, confidence and who asserted it."""
    from hotpursuit.store.label_tables import claims_for

    with user_errors(), Store.open(db, must_exist=True) as store:
        chain, normalized = resolve_address(address, chain, store)
        claims = claims_for(store, chain, normalized)
    if fmt == "json":
        console.print_json(json.dumps({"chain": chain, "address": normalized,
                                       "categories": sorted({c.category for c in claims}),
                                       "claims": [asdict(c) for c in claims]}, default=str))
        return
    cats = " / ".join(sorted({c.category.upper() if c.category == "dprk" else c.category for c in claims}))
    console.print(f"[bold]{chain} {normalized}[/]: {cats or 'no labels'}", highlight=False)
    show_rows(["label", "category", "actor", "confidence", "source", "date", "TLP", "asserted by"],
              [[c.label, c.category, c.actor_label or c.actor or "", c.confidence, c.source, c.source_date or "",
                c.tlp, c.asserted_by] for c in claims])


@app.command("site")
def labels_site(
    website: Annotated[str, typer.Argument(help="A reported website: https://www.example.xyz/login, example.xyz, "
                                                 "punycode or Unicode.")],
    db: DbOption,
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Whether a website is a listed scam site: the host itself, a domain above it, a listed page, or a
    look-alike (Unicode homoglyphs, or a few edits from a site phishers imitate); with each list's licence."""
    from hotpursuit.store.scam_entity_tables import match_site

    with user_errors(), Store.open(db, must_exist=True) as store:
        matches = match_site(store, website)
    if fmt == "json":
        console.print_json(json.dumps({"website": website, "matches": [asdict(m) for m in matches]}))
        return
    if not matches:
        console.print(f"{website}: not on any list here", highlight=False)
        return
    show_rows(["domain", "kind", "how", "source", "licence", "why"],
              [[m.domain, m.kind.replace("_", " "), m.how, m.source, m.licence, m.reason] for m in matches])
