"""What every CLI module shares: the consoles, the --db and --format options, error and progress display."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hotpursuit.errors import HotpursuitError
from hotpursuit.settings import DB_ENV, default_db_path

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[Path, typer.Option("--db", envvar=DB_ENV, help="DuckDB store file.",
                                        default_factory=default_db_path, show_default="./hotpursuit.duckdb")]
class TableOrJson(StrEnum):
    """--format of commands that print data: a rich table, or JSON for scripts."""

    table = "table"
    json = "json"


class ReportFormat(StrEnum):
    """--format of a trace report."""

    json = "json"
    csv = "csv"
    html = "html"


class Tlp(StrEnum):
    """The TLP 2.0 levels as CLI choices (case-insensitive); the same as attribution.labels.TLP_LEVELS
    (a test pins it)."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"


class TaintModel(StrEnum):
    """The taint models as CLI choices; the same as trace.account_taint.MODELS (a test pins it)."""

    haircut = "haircut"
    fifo = "fifo"
    poison = "poison"

FormatOption = Annotated[TableOrJson, typer.Option("--format", help="table or json.")]
ReportFormatOption = Annotated[ReportFormat, typer.Option("--format", help="json, csv or html.")]
TlpOption = Annotated[Tlp, typer.Option("--tlp", case_sensitive=False,
                                        help="TLP 2.0 level: CLEAR, GREEN, AMBER, AMBER+STRICT or RED.")]
ModelOption = Annotated[TaintModel, typer.Option("--model", help="Taint model: haircut, fifo or poison.")]


def output_path(path: Path) -> Path:
    """An --out path whose folder exists (else a user error naming it), so a finished run is not lost."""
    folder = path.parent
    if not folder.is_dir():
        raise HotpursuitError(f"--out {path}: folder {folder} does not exist")
    if path.is_dir():
        raise HotpursuitError(f"--out {path}: is a folder; give a file name")
    return path


@contextmanager
def _user_errors() -> Iterator[None]:
    """Print a HotpursuitError as one clear line and exit 1."""
    try:
        yield
    except HotpursuitError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), console=err_console)


def stop_on_signals() -> Callable[[], bool]:
    """Install SIGINT/SIGTERM handlers; the returned function says whether one has arrived."""
    stop = {"now": False}

    def _stop(*_: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return lambda: stop["now"]


def summary_table(rows: list[Any], counts: dict[str, int]) -> Table:
    """Transfers per chain, kind and asset with exact totals, titled with the table counts."""
    table = Table(title="store: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    for col in ("chain", "kind", "asset", "transfers", "total (base units)", "blocks"):
        table.add_column(col, justify="right" if col in ("transfers", "total (base units)") else "left")
    for r in rows:
        table.add_row(r.chain, r.kind, r.asset, f"{r.transfers:,}", f"{r.amount:,}",
                      f"{r.first_block}-{r.last_block}")
    return table
