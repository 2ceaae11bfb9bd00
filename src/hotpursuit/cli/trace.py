"""`hotpursuit trace INCIDENT`: the trace report, and the saved taint with --save."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotpursuit.cli.options import (
    DbOption,
    ModelOption,
    ReportFormat,
    ReportFormatOption,
    TaintModel,
    console,
    output_path,
    parse_dust,
    user_errors,
)
from hotpursuit.store import Store
from hotpursuit.trace.report import TraceReport

HopsOption = Annotated[int | None, typer.Option(min=0, help="Stop after this many hops.")]
DustOption = Annotated[list[str] | None, typer.Option(
    help="Tainted amounts below this many base units are dropped: N for every asset, or ASSET=N for one "
         "(ETH, BTC or a token contract; repeat). A wei and a USDT base unit are not worth the same.")]
UntilOption = Annotated[int | None, typer.Option(min=0, help="Time limit: ignore blocks after this one.")]
OutOption = Annotated[Path | None, typer.Option(help="Write here instead of standard output.")]
AssetsOption = Annotated[list[str] | None, typer.Option(
    "--assets", help="Also count this asset (token contract) as stolen, though it is not canonical (repeat; "
                     "the report warns).")]
SaveOption = Annotated[bool, typer.Option(
    "--save/--no-save", help="Keep this trace's taint for screening (replacing the incident's saved one, "
                             "after the trace has finished). Without it the run changes nothing stored.")]


def trace_cmd(
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    db: DbOption,
    model: ModelOption = TaintModel.haircut,
    hops: HopsOption = None,
    dust: DustOption = None,
    until: UntilOption = None,
    fmt: ReportFormatOption = ReportFormat.json,
    out: OutOption = None,
    assets: AssetsOption = None,
    save: SaveOption = False,
) -> None:
    """Trace an incident: endpoints (who can freeze what), holders, swaps, the flow graph, and the assets
    ignored with their reason (impersonating, spam, or unknown); json, csv or html."""
    from hotpursuit.jobs.trace_job import run_trace
    from hotpursuit.store.taint_tables import save_trace

    with user_errors():
        target = None if out is None else output_path(out)
        with Store.open(db, must_exist=True) as store:
            default_dust, per_asset = parse_dust(dust or [])
            report = run_trace(store, incident, model=model, max_hops=hops, dust=default_dust,
                               dust_by_asset=per_asset, until_block=until,
                               include_assets=assets)
            if save:  # computed completely first: a failed or exploratory run leaves the saved taint as it was
                save_trace(store, report)
    write_report(report, fmt, target, "; taint saved" if save else "")


def write_report(report: TraceReport, fmt: str, target: Path | None, note: str = "") -> None:
    """The report in `fmt` to standard output, or to `target` with a one-line summary."""
    from hotpursuit.trace.report_render import render_csv, render_html, render_json

    text = {"json": render_json, "csv": render_csv, "html": render_html}[fmt](report)
    if target is None:
        print(text, end="")
    else:
        target.write_text(text, encoding="utf-8")
        console.print(f"{fmt} report written to {target} ({len(report.endpoints)} endpoints, {len(report.held)} "
                      f"holders; input hash {report.input_hash[:16]}){note}")
