"""`hotpursuit report INCIDENT` (short for `report document INCIDENT`): the case report for a prosecutor or
a partner agency, as HTML or PDF, in Korean or English; and the `report` group that also takes victims'
reports (`report intake`, `report list`: cli/victim_reports.py)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from hotpursuit.cli.options import DbOption, ModelOption, TaintModel, console, output_path, parse_dust, user_errors
from hotpursuit.store import Store


class ReportGroup(TyperGroup):
    """`report` with a default: a first argument that names no subcommand is an incident, for `document`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's vendored click Context
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["document", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=ReportGroup, no_args_is_help=True, help=(
    "Case reports (`report INCIDENT`) and victims' reports (`report intake FILE`, `report list`)."))


class CaseFormat(StrEnum):
    """--format of a case report."""

    html = "html"
    pdf = "pdf"


class Language(StrEnum):
    """--lang of a case report (hotpursuit.i18n.catalogues.LANGUAGES)."""

    en = "en"
    ko = "ko"


@app.command("document")
def report_cmd(
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    db: DbOption,
    fmt: Annotated[CaseFormat, typer.Option("--format", help="html or pdf (A4).")] = CaseFormat.html,
    lang: Annotated[Language, typer.Option("--lang", help="Language of the report: ko or en.")] = Language.en,
    out: Annotated[Path | None, typer.Option(
        help="Write here (a PDF needs a file unless standard output is redirected).")] = None,
    reader: Annotated[str | None, typer.Option(
        "--reader", help="Organisation the report is for: only the labels and annotations its TLP lets it see "
                         "are used (default: the incident's owner).")] = None,
    model: ModelOption = TaintModel.haircut,
    hops: Annotated[int | None, typer.Option(min=0, help="Stop after this many hops.")] = None,
    dust: Annotated[list[str] | None, typer.Option(
        help="Tainted amounts below this many base units are dropped: N for every asset, or ASSET=N (repeat).")] = None,
    until: Annotated[int | None, typer.Option(min=0, help="Time limit: ignore blocks after this one.")] = None,
    assets: Annotated[list[str] | None, typer.Option(
        "--assets", help="Also count this asset (token contract) as stolen (repeat).")] = None,
) -> None:
    """A case report to hand to a prosecutor or a partner agency: cover (incident, actor, TLP, dates, model),
    summary per asset, who can freeze what, the flow graph, the endpoints with their evidence chains, the
    annotations the reader may see, and an appendix with every figure's source rows and the input hash.
    Traces the incident afresh (nothing stored changes); the same store and options give the same bytes."""
    import sys

    from hotpursuit.casereport.inputs import TraceParameters
    from hotpursuit.casereport.make import case_report
    from hotpursuit.errors import InvalidInput

    with user_errors():
        target = None if out is None else output_path(out)
        if target is None and fmt == CaseFormat.pdf and sys.stdout.isatty():
            raise InvalidInput("--format pdf: give --out FILE (or redirect standard output): a PDF is not text")
        default_dust, per_asset = parse_dust(dust or [])
        parameters = TraceParameters(model.value, hops, default_dust, tuple(sorted(per_asset.items())), until,
                                     tuple(assets or ()))
        with Store.open(db, must_exist=True) as store:
            data, document = case_report(store, incident, fmt.value, lang.value, parameters, reader=reader)
    if target is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target.write_bytes(data)
    console.print(f"{fmt.value} case report ({lang.value}) written to {target}: TLP:{document.marking}, "
                  f"{len(document.endpoints)} endpoints, {len(document.annotations)} annotations; input hash "
                  f"{document.input_hash[:16]}", highlight=False)
