"""`hotpursuit scale screen`: re-screen millions of addresses on Spark, as one organisation may see them."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from hotpursuit.cli.options import DbOption, FormatOption, TableOrJson, console, err_console, user_errors
from hotpursuit.cli.scale import ConfOption, MasterOption, ParquetOption, export_folder
from hotpursuit.errors import HotpursuitError
from hotpursuit.store import Store

AddressesOption = Annotated[Path, typer.Option(
    "--addresses", help="One address a line (with --chain), or a CSV file whose first line is chain,address. "
                        "Bad lines are reported by line number and skipped.")]
ForOption = Annotated[str, typer.Option(
    "--for", help="The organisation (of --db) the answers are for: only what it may see is written (TLP), "
                  "as the API answers its key.")]
OutOption = Annotated[Path, typer.Option(
    "--out", help="The answers: a .parquet or .jsonl file (replaced whole, never left half written).")]
ChainOption = Annotated[str | None, typer.Option("--chain", help="The chain of a file of one address a line.")]
SHOWN_BAD_LINES = 20


def scale_screen_cmd(parquet: ParquetOption, addresses: AddressesOption, for_org: ForOption, out: OutOption,
                     db: DbOption, master: MasterOption = "local[2]", chain: ChainOption = None,
                     conf: ConfOption = None, fmt: FormatOption = TableOrJson.table) -> None:
    """Screen every address of a file (an exchange's whole deposit history, after a new incident) against the
    labels, clusters and saved taint of a Parquet export, on Spark: risk, score, categories, claims and
    exposure per incident (exact base units) for each distinct address, as the organisation --for may see
    them; claims it may not see are counted (withheld), never written."""
    from hotpursuit.scale.screen_job import check_request, run_scale_screen
    from hotpursuit.scale.session import parse_settings, spark_session

    with user_errors():
        folder = export_folder(parquet, ())
        if "://" not in str(addresses) and not addresses.is_file():
            raise HotpursuitError(f"--addresses {addresses}: no such file")
        settings = parse_settings(conf or [])
        with Store.open(db, read_only=True, must_exist=True) as store:
            check_request(store, for_org, out)
            spark = spark_session(master, settings, app="hotpursuit-scale-screen")
            stats = run_scale_screen(spark, store, folder, addresses, chain=chain, for_org=for_org, out=out,
                                     bad_sample=SHOWN_BAD_LINES)
    if fmt == "json":
        console.print_json(json.dumps({**asdict(stats), "bad_lines": [
            {"line": line, "text": text, "reason": reason} for line, text, reason in stats.bad_lines]}))
        return
    levels = ", ".join(f"{n:,} {level}" for level, n in stats.by_level.items())
    console.print(f"screened {stats.distinct:,} distinct addresses for {stats.org} ({stats.lines:,} lines, "
                  f"{stats.bad:,} bad, {stats.blank:,} blank) in {stats.seconds:.1f} s: {stats.matched:,} known, "
                  f"{stats.flagged:,} flagged; {levels}; written to {stats.out}", highlight=False, soft_wrap=True)
    for line, _text, reason in stats.bad_lines:
        err_console.print(f"{addresses}:{line}: {reason}", highlight=False, soft_wrap=True)
    if stats.bad > len(stats.bad_lines):
        err_console.print(f"... and {stats.bad - len(stats.bad_lines):,} more bad lines", highlight=False)
    for note in stats.notes:
        err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
