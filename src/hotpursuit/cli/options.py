"""What every CLI module shares: the consoles, the option types (--db, --format, --tlp, --model, --network),
the user-error wrapper (one line, exit 1), progress bars and shared displays."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hotpursuit.errors import HotpursuitError
from hotpursuit.ingest.bitcoin_source import UtxoIngestStats
from hotpursuit.security.tlp import Tlp
from hotpursuit.settings import DB_ENV, default_db_path
from hotpursuit.store import Store
from hotpursuit.trace.account_taint import TaintModel

__all__ = ["TaintModel", "Tlp"]  # the CLI's choices are the product's own enums

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


FormatOption = Annotated[TableOrJson, typer.Option("--format", help="table or json.")]
RawOption = Annotated[bool, typer.Option("--raw", help="Amounts in base units (wei, satoshi) instead of human units.")]
ReportFormatOption = Annotated[ReportFormat, typer.Option("--format", help="json, csv or html.")]
TlpOption = Annotated[Tlp, typer.Option("--tlp", case_sensitive=False,
                                        help="TLP 2.0 level: CLEAR, GREEN, AMBER, AMBER+STRICT or RED.")]
ModelOption = Annotated[TaintModel, typer.Option("--model", help="Taint model: haircut, fifo or poison.")]


def show_rows(columns: list[str], rows: list[list[Any]], fmt: str = "table", title: str | None = None) -> None:
    """Rows as a table that fits the terminal, else one block per row (`column: value` lines, for an
    80-column or narrower terminal), or as a JSON list of objects; values are never cut short (long
    ids fold onto the next line)."""
    if fmt == "json":
        console.print_json(json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=str))
        return
    texts = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in texts)]) for i, c in enumerate(columns)]
    if sum(widths) + 3 * len(columns) + 1 <= console.width:
        table = Table(title=title)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in texts:
            table.add_row(*row)
        console.print(table)
        return
    if title:
        console.print(title, highlight=False)
    label = max(len(c) for c in columns)
    for n, row in enumerate(texts):
        if n:
            console.print()
        for column, value in zip(columns, row, strict=True):
            console.print(f"{column:>{label}}: {value}", highlight=False, markup=False)


def output_path(path: Path) -> Path:
    """An --out path whose folder exists (else a user error naming it), so a finished run is not lost."""
    folder = path.parent
    if not folder.is_dir():
        raise HotpursuitError(f"--out {path}: folder {folder} does not exist")
    if path.is_dir():
        raise HotpursuitError(f"--out {path}: is a folder; give a file name")
    return path


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a HotpursuitError as one clear line and exit 1."""
    try:
        yield
    except HotpursuitError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def progress() -> Progress:
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


NetworkOption = Annotated[str, typer.Option(help="main, test or regtest (address prefixes).")]


def show_utxo_stats(title: str, stats: UtxoIngestStats, seconds: float, fmt: str) -> None:
    if fmt == "json":
        console.print_json(json.dumps({**asdict(stats), "seconds": seconds}))
        return
    table = Table(title=f"{title} in {seconds:.2f} s")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in asdict(stats).items():
        if isinstance(value, dict):
            for k, v in sorted(value.items()):
                table.add_row(f"outputs: {k}", f"{v:,}")
        else:
            table.add_row(key.replace("_", " "), f"{value:,}")
    console.print(table)


def resolve_address(address: str, chain: str | None, store: Store) -> tuple[str, str]:
    """(chain, stored form) of an address typed by a user; InvalidAddress with the reason if bad,
    UnknownChain if --chain names a chain neither a codec nor the store knows."""
    from hotpursuit.chains.address_codec import check_chain, guess_chain, parse_address
    from hotpursuit.errors import InvalidAddress
    from hotpursuit.store.summary import known_chains

    if chain is not None:
        check_chain(chain, known_chains(store))
    chain = chain or guess_chain(address.strip())
    if chain is None:
        parse_address("ethereum" if address.lower().startswith("0x") else "bitcoin", address)  # says why
        raise InvalidAddress(f"{address!r}: not a valid Ethereum or Bitcoin address; pass --chain for others")
    return chain, parse_address(chain, address)


def assess_written(store: Store, chain: str) -> Any:
    """Asset trust and poisoning of the chain just written (so `address show` and screening warn)."""
    from hotpursuit.jobs.assess_job import assess_and_summarise

    with err_console.status(f"assessing assets and poisoning on {chain}"):
        return assess_and_summarise(store, chain)


def parse_dust(values: list[str]) -> tuple[int, dict[str, int]]:
    """`--dust` values: N (every asset) or ASSET=N (one asset; token contracts lowercase); HotpursuitError
    naming the bad value."""
    default, per_asset = 0, {}
    for value in values:
        asset, sep, amount = value.strip().rpartition("=")
        if not (amount.isascii() and amount.isdigit()) or (sep and not asset.strip()):
            raise HotpursuitError(f"--dust {value!r}: want N or ASSET=N, N a whole number of base units")
        if sep:
            key = asset.strip()
            per_asset[key.lower() if key.lower().startswith("0x") else key] = int(amount)
        else:
            default = int(amount)
    return default, per_asset
