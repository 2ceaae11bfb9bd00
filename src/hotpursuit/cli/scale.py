"""`hotpursuit scale cluster|trace|screen`: the same jobs on Apache Spark over a Parquet export
(`store export-parquet`), for chains too large for one machine. Each command lives in its own module
(`scale_cluster`, `scale_trace`, `scale_screen`), added to this group in `commands`; the options they
share are here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hotpursuit.errors import HotpursuitError

app = typer.Typer(help="Scale-out on Apache Spark over a Parquet export (same results as the embedded jobs).",
                  no_args_is_help=True)

ParquetOption = Annotated[Path, typer.Option("--parquet", help="Folder written by `store export-parquet` (a local "
                                                               "path, or one every Spark node can read).")]
MasterOption = Annotated[str, typer.Option("--master", envvar="HOTPURSUIT_SPARK_MASTER",
                                           help="local[N] or a cluster URL (spark://host:7077).")]
ConfOption = Annotated[list[str] | None, typer.Option(
    "--conf", help="Spark setting key=value, repeatable (spark.executor.memory=8g, spark.driver.memory=16g).")]


def export_folder(parquet: Path, needs: tuple[str, ...]) -> Path:
    """The export folder, checked to hold the tables a job needs (named when one is missing)."""
    if "://" in str(parquet):
        return parquet  # an object-store path: Spark checks it
    if not parquet.is_dir():
        raise HotpursuitError(f"--parquet {parquet}: no such folder (write one with `hotpursuit store export-parquet`)")
    missing = [t for t in needs if not (parquet / t).is_dir()]
    if missing:
        raise HotpursuitError(f"--parquet {parquet}: no {', '.join(missing)} table in this export "
                              "(re-export with `hotpursuit store export-parquet`)")
    return parquet
