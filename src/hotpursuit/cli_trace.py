"""Incident and trace commands: `incident open/list/show/close`, `trace INCIDENT`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hotpursuit.cli_common import (
    DbOption,
    ModelOption,
    ReportFormat,
    ReportFormatOption,
    TaintModel,
    Tlp,
    TlpOption,
    _user_errors,
    console,
    output_path,
)
from hotpursuit.store import Store

incident_app = typer.Typer(help="Incidents: what was stolen, from whom, by whom.", no_args_is_help=True)


@incident_app.command("open")
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

    with _user_errors(), Store.open(db) as store:
        check_chain(chain, known_chains(store))
        incident_id, count = open_incident(store, name, chain, source or [], victim=victim, actor=actor, since=since,
                                           tlp=tlp)
    console.print(f"incident {incident_id} opened with {count} source(s)")


@incident_app.command("list")
def incident_list(db: DbOption) -> None:
    """Every incident with its status and sources."""
    from hotpursuit.store.incident_tables import list_incidents

    with _user_errors(), Store.open(db, must_exist=True) as store:
        rows = list_incidents(store)
    table = Table()
    for col in ("id", "name", "chain", "status", "actor", "sources"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.id, r.name, r.chain, r.status, r.actor or "", str(r.sources))
    console.print(table)


@incident_app.command("show")
def incident_show(incident: str, db: DbOption) -> None:
    """An incident and its sources, with stolen amounts."""
    from hotpursuit.errors import NotFound
    from hotpursuit.jobs.assess_job import assess_if_changed
    from hotpursuit.store.incident_tables import get_incident, source_amounts

    with _user_errors(), Store.open(db, must_exist=True) as store:
        row = get_incident(store, incident)
        if row is None:
            raise NotFound(f"incident {incident!r}: no such incident (hotpursuit incident list)")
        assess_if_changed(store, row.chain)  # a fake token the theft tx moved is no loot
        sources = source_amounts(store, incident)
    console.print(f"{row.id}: {row.name} on {row.chain}, status {row.status}, actor {row.actor or '-'}, "
                  f"TLP {row.tlp}", highlight=False)
    for kind, ref, at_tx, asset, amount, status in sources:
        where = f"{kind} {ref}" + (f" at tx {at_tx}" if at_tx else "")
        if not amount:
            console.print(f"  {where}", highlight=False)
        elif status in ("native", "canonical"):
            console.print(f"  {where} stole {amount:,} {asset} (base units)", highlight=False)
        else:
            console.print(f"  {where} moved {amount:,} {asset} (base units; {status}: not counted as stolen, see "
                          "`trace --assets`)", highlight=False)


@incident_app.command("close")
def incident_close(incident: str, db: DbOption) -> None:
    """Mark an incident closed."""
    from hotpursuit.store.incident_tables import close_incident

    with _user_errors(), Store.open(db, must_exist=True) as store:
        close_incident(store, incident)
    console.print(f"incident {incident} closed")


def trace_cmd(
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    db: DbOption,
    model: ModelOption = TaintModel.haircut,
    hops: Annotated[int | None, typer.Option(min=0, help="Stop after this many hops.")] = None,
    dust: Annotated[int, typer.Option(min=0, help="Tainted amounts below this (base units) are dropped.")] = 0,
    until: Annotated[int | None, typer.Option(min=0, help="Time limit: ignore blocks after this one.")] = None,
    fmt: ReportFormatOption = ReportFormat.json,
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
    assets: Annotated[list[str] | None, typer.Option(
        "--assets", help="Also count this asset (token contract) as stolen, though it is not canonical (repeat; "
                         "the report warns).")] = None,
    save: Annotated[bool, typer.Option(
        "--save/--no-save", help="Keep this trace's taint for screening (replacing the incident's saved one, "
                                 "after the trace has finished). Without it the run changes nothing stored.")] = False,
) -> None:
    """Trace an incident: endpoints (who can freeze what), holders, swaps, the flow graph, and the assets
    ignored with their reason (impersonating, spam, or unknown); json, csv or html."""
    from hotpursuit.jobs.trace_job import run_trace
    from hotpursuit.store.taint_tables import save_trace
    from hotpursuit.trace.report_render import render_csv, render_html, render_json

    with _user_errors():
        target = None if out is None else output_path(out)
        with Store.open(db, must_exist=True) as store:
            report = run_trace(store, incident, model=model, max_hops=hops, dust=dust, until_block=until,
                               include_assets=assets)
            if save:  # computed completely first: a failed or exploratory run leaves the saved taint as it was
                save_trace(store, report)
    text = {"json": render_json, "csv": render_csv, "html": render_html}[fmt](report)
    if target is None:
        print(text, end="")
    else:
        target.write_text(text, encoding="utf-8")
        console.print(f"{fmt} report written to {target} ({len(report.endpoints)} endpoints, {len(report.held)} "
                      f"holders; input hash {report.input_hash[:16]})" + ("; taint saved" if save else ""))


def register(app: typer.Typer) -> None:
    """Add the `incident` group and the `trace` command."""
    app.add_typer(incident_app, name="incident")
    app.command("trace")(trace_cmd)



