"""What every CLI module shares: the consoles, the --db and --format options, error and progress display."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hotpursuit.errors import HotpursuitError
from hotpursuit.settings import DB_ENV, default_db_path

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[Path, typer.Option("--db", envvar=DB_ENV, help="DuckDB store file.",
                                        default_factory=default_db_path, show_default="./hotpursuit.duckdb")]
FormatOption = Annotated[str, typer.Option("--format", help="table or json.")]


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
