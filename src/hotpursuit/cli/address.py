"""`hotpursuit address show`: everything known about one address."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from hotpursuit.cli.options import (
    DbOption,
    FormatOption,
    RawOption,
    TableOrJson,
    console,
    resolve_address,
    user_errors,
)
from hotpursuit.store import Store

app = typer.Typer(help="Everything known about one address.", no_args_is_help=True)


@app.command("show")
def address_show(
    address: Annotated[str, typer.Argument(help="The address.")],
    db: DbOption,
    chain: Annotated[str | None, typer.Option(help="Chain (guessed from the address form if omitted).")] = None,
    fmt: FormatOption = TableOrJson.table,
    raw: RawOption = False,
) -> None:
    """Labels, cluster and entity (with the path it was inherited by), balances, first/last seen, top
    counterparties; amounts in the asset's units (`--raw`: base units; JSON: base units as decimal
    strings with decimals and symbol)."""
    from hotpursuit.chains.readable import amount_fields, at_block, explorer_url, human, units_of
    from hotpursuit.jobs.assess_job import assess_if_changed
    from hotpursuit.store.address_page import address_page
    from hotpursuit.store.asset_units import token_units

    with user_errors(), Store.open(db, must_exist=True) as store:
        resolved = resolve_address(address, chain, store)
        assess_if_changed(store, resolved[0])  # fake assets and look-alikes known before the page is drawn
        page = address_page(store, *resolved)
        tokens = token_units(store, page.chain)

    def shown(amount: int, asset: str) -> str:
        return f"{amount:,} {asset} base units" if raw else human(amount, units_of(page.chain, asset, tokens), asset)

    if fmt == "json":
        data = asdict(page)
        data["balances"] = {asset: amount_fields(amount, units_of(page.chain, asset, tokens))
                            for asset, amount in sorted(page.balances.items())}
        data["explorer"] = explorer_url(page.chain, "address", page.address)
        data["counterparties"] = [{"address": other, "asset": asset, "transfers": n,
                                   **amount_fields(amount, units_of(page.chain, asset, tokens))}
                                  for other, asset, n, amount in page.counterparties]
        console.print_json(json.dumps(data, default=str))
        return
    console.print(f"[bold]{page.chain} {page.address}[/]", highlight=False)
    on_explorer = explorer_url(page.chain, "address", page.address)
    if on_explorer:
        console.print(f"  explorer: {on_explorer}", highlight=False, soft_wrap=True)
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
        console.print(f"  balance {asset}: {shown(amount, asset)}", highlight=False, soft_wrap=True)
    if page.first_seen is not None:
        console.print(f"  first seen {at_block(page.first_seen, page.first_seen_at)}, last seen "
                      f"{at_block(page.last_seen, page.last_seen_at)}", highlight=False)
    for other, asset, n, amount in page.counterparties:
        console.print(f"  counterparty {other}: {n} transfers, {shown(amount, asset)}", highlight=False,
                      soft_wrap=True)
