"""`hotpursuit scale trace INCIDENT --parquet DIR`: the embedded trace's report, with the chain data read
by Spark from a Parquet export (the incident, labels and asset assessment from the store)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from hotpursuit.cli.options import (
    DbOption,
    ModelOption,
    ReportFormat,
    ReportFormatOption,
    TaintModel,
    err_console,
    output_path,
    parse_dust,
    user_errors,
)
from hotpursuit.cli.scale import ConfOption, MasterOption, ParquetOption, export_folder
from hotpursuit.cli.trace import (
    AssetsOption,
    DustOption,
    HopsOption,
    OutOption,
    SaveOption,
    UntilOption,
    write_report,
)
from hotpursuit.errors import HotpursuitError
from hotpursuit.store import Store


def scale_trace_cmd(
    incident: Annotated[str, typer.Argument(help="Incident id (in the store given with --db).")],
    parquet: ParquetOption,
    db: DbOption,
    master: MasterOption = "local[2]",
    conf: ConfOption = None,
    model: ModelOption = TaintModel.haircut,
    hops: HopsOption = None,
    dust: DustOption = None,
    until: UntilOption = None,
    fmt: ReportFormatOption = ReportFormat.json,
    out: OutOption = None,
    assets: AssetsOption = None,
    save: SaveOption = False,
    spark_only: Annotated[bool, typer.Option(
        "--spark-only", help="Poison model only: compute the exposure at endpoints wholly in Spark (nothing replayed "
                             "here); JSON; no --hops or --dust.")] = False,
) -> None:
    """Trace an incident on Spark: the same report as `hotpursuit trace`, from the chain data of a Parquet
    export (Spark extracts the part of the graph the loot can reach; the exact engine replays it here)."""
    from hotpursuit.scale.session import parse_settings, spark_session
    from hotpursuit.scale.trace_job import run_scale_trace
    from hotpursuit.store.taint_tables import save_trace

    with user_errors():
        target = None if out is None else output_path(out)
        folder = export_folder(parquet, ("transfers",))
        default_dust, per_asset = parse_dust(dust or [])
        settings = parse_settings(conf or [])
        if spark_only:
            _spark_only(incident, str(folder), db, master, settings, model, hops, dust, until, fmt, target, assets,
                        save)
            return
        with Store.open(db, must_exist=True) as store:
            spark = spark_session(master, settings)
            try:
                report, stats = run_scale_trace(spark, str(folder), store, incident, model=model, max_hops=hops,
                                                dust=default_dust, dust_by_asset=per_asset, until_block=until,
                                                include_assets=assets)
            finally:
                spark.stop()
            if save:
                save_trace(store, report)
    err_console.print(f"spark ({master}): {stats.hops} frontier hops, {stats.seconds:.1f} s", highlight=False)
    write_report(report, fmt, target, "; taint saved" if save else "")


def _spark_only(incident: str, folder: str, db: Path, master: str, settings: dict[str, str], model: str,
                hops: int | None, dust: list[str] | None, until: int | None, fmt: str, target: Path | None,
                assets: list[str] | None, save: bool) -> None:
    """`--spark-only`: the poison model's exposure, computed in Spark, as JSON."""
    from hotpursuit.scale.poison_job import run_scale_poison
    from hotpursuit.scale.session import spark_session

    if model != "poison" or hops is not None or dust or save or fmt != "json":
        raise HotpursuitError("--spark-only: the poison model only (--model poison), as JSON, without --hops, "
                              "--dust or --save")
    with Store.open(db, must_exist=True) as store:
        spark = spark_session(master, settings)
        try:
            answer = run_scale_poison(spark, folder, store, incident, until_block=until, include_assets=assets)
        finally:
            spark.stop()
    text = json.dumps(answer, indent=2) + "\n"
    if target is None:
        print(text, end="")
    else:
        target.write_text(text, encoding="utf-8")
        err_console.print(f"poison exposure written to {target} ({len(answer['endpoints'])} endpoints)")
