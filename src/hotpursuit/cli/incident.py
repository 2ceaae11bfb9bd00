"""`hotpursuit incident open|list|show|close`."""

from __future__ import annotations

from typing import Annotated

import typer

from hotpursuit.cli.options import (
    DbOption,
    FormatOption,
    RawOption,
    TableOrJson,
    Tlp,
    TlpOption,
    console,
    show_rows,
    user_errors,
)
from hotpursuit.store import Store

app = typer.Typer(help="Incidents: what was stolen, from whom, by whom.", no_args_is_help=True)


@app.command("open")
def incident_open(
    name: Annotated[str, typer.Argument(help="A short name, e.g. 'Bybit 2025-02-21'.")],
    db: DbOption,
    chain: Annotated[str, typer.Option(help="Chain of the theft.")] = "ethereum",
    source: Annotated[list[str] | None, typer.Option(help=(
        "Where the loot enters (repeat): a theft tx hash; ADDRESS@TXHASH (what that tx brought to the address: "
        "a thief's address with the tx at which it received the loot); or a bare address (every outflow of it is "
        "loot: the victim's wallet)."))] = None,
    since: Annotated[int | None, typer.Option(min=0, help="First block to trace from.")] = None,
    victim: Annotated[str | None, typer.Option(help="The victim's address.")] = None,
    actor: Annotated[str | None, typer.Option(help="Attribution, e.g. lazarusgroup.")] = None,
    tlp: TlpOption = Tlp.AMBER,
) -> None:
    """Record an incident with its sources; stolen amounts per asset are read from the theft txs. The loot
    counts once: several sources never count the same value twice."""
    from hotpursuit.chains.address_codec import check_chain
    from hotpursuit.store.incident_tables import open_incident
    from hotpursuit.store.summary import known_chains

    with user_errors(), Store.open(db) as store:
        check_chain(chain, known_chains(store))
        incident_id, count = open_incident(store, name, chain, source or [], victim=victim, actor=actor, since=since,
                                           tlp=tlp)
    console.print(f"incident {incident_id} opened with {count} source(s)")


@app.command("list")
def incident_list(db: DbOption, fmt: FormatOption = TableOrJson.table) -> None:
    """Every incident with its status and sources, by id."""
    from hotpursuit.store.incident_tables import list_incidents

    with user_errors(), Store.open(db, must_exist=True) as store:
        rows = sorted(list_incidents(store), key=lambda r: r.id)
    show_rows(["id", "name", "chain", "status", "actor", "tlp", "sources"],
              [[r.id, r.name, r.chain, r.status, r.actor, r.tlp, r.sources] for r in rows], fmt)


@app.command("show")
def incident_show(incident: str, db: DbOption, raw: RawOption = False,
                  fmt: FormatOption = TableOrJson.table) -> None:
    """An incident and its sources, with stolen amounts in the asset's units (`--raw`: base units;
    `--format json`: base units as decimal strings with decimals and symbol)."""
    import json

    from hotpursuit.chains.readable import amount_fields, human, units_of
    from hotpursuit.errors import NotFound
    from hotpursuit.jobs.assess_job import assess_if_changed
    from hotpursuit.store.asset_units import token_units
    from hotpursuit.store.incident_tables import get_incident, source_amounts

    with user_errors(), Store.open(db, must_exist=True) as store:
        row = get_incident(store, incident)
        if row is None:
            raise NotFound(f"incident {incident!r}: no such incident (hotpursuit incident list)")
        assess_if_changed(store, row.chain)  # a fake token the theft tx moved is no loot
        sources = source_amounts(store, incident)
        tokens = token_units(store, row.chain)
    if fmt == TableOrJson.json:
        console.print_json(json.dumps({
            "id": row.id, "name": row.name, "chain": row.chain, "status": row.status, "actor": row.actor,
            "tlp": row.tlp, "sources": [
                {"kind": kind, "ref": ref, "at_tx": at_tx, "asset": asset, "counted_as_stolen": status in (
                    "native", "canonical"), "asset_status": status,
                 **(amount_fields(amount, units_of(row.chain, asset or "", tokens)) if amount else {"amount": None})}
                for kind, ref, at_tx, asset, amount, status in sources]}))
        return
    console.print(f"{row.id}: {row.name} on {row.chain}, status {row.status}, actor {row.actor or '-'}, "
                  f"TLP {row.tlp}", highlight=False)
    for kind, ref, at_tx, asset, amount, status in sources:
        where = f"{kind} {ref}" + (f" at tx {at_tx}" if at_tx else "")
        units = units_of(row.chain, asset or "", tokens)
        shown = f"{amount:,} {asset} (base units)" if raw or not amount else human(amount, units, asset or "")
        if not amount:
            console.print(f"  {where}", highlight=False, soft_wrap=True)
        elif status in ("native", "canonical"):
            console.print(f"  {where} stole {shown}", highlight=False, soft_wrap=True)
        else:
            console.print(f"  {where} moved {shown} ({status}: not counted as stolen, see `trace --assets`)",
                          highlight=False, soft_wrap=True)


@app.command("close")
def incident_close(incident: str, db: DbOption) -> None:
    """Mark an incident closed."""
    from hotpursuit.store.incident_tables import close_incident

    with user_errors(), Store.open(db, must_exist=True) as store:
        close_incident(store, incident)
    console.print(f"incident {incident} closed")
