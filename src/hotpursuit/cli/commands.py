"""The `hotpursuit` app: every noun group's module registered in one place, then the commands of the
`hotpursuit.cli` entry point group (the exercise kit's `node`, `drill`, `demo`)."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import typer

from hotpursuit.cli import (
    address,
    audit,
    cluster,
    evidence,
    imports,
    incident,
    ingest,
    key,
    labels,
    org,
    report,
    scale,
    scale_cluster,
    scale_screen,
    scale_trace,
    scam_case,
    serve,
    share,
    store,
    trace,
    victim_reports,
)

app = typer.Typer(help="hotpursuit: trace, interdict, screen and share stolen crypto.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(ingest.app, name="ingest")
app.add_typer(imports.app, name="import")
app.add_typer(store.app, name="store")
app.add_typer(labels.app, name="labels")
app.add_typer(address.app, name="address")
app.add_typer(cluster.app, name="cluster")
app.add_typer(incident.app, name="incident")
app.command("trace")(trace.trace_cmd)
report.app.command("intake")(victim_reports.intake_cmd)
report.app.command("list")(victim_reports.list_cmd)
report.app.command("case")(scam_case.case_cmd)
app.add_typer(report.app, name="report")
app.command("serve")(serve.serve)
app.add_typer(org.app, name="org")
app.add_typer(key.app, name="key")
app.add_typer(audit.app, name="audit")
app.add_typer(evidence.app, name="evidence")
app.add_typer(share.app, name="share")
scale.app.command("cluster")(scale_cluster.scale_cluster_cmd)
scale.app.command("trace")(scale_trace.scale_trace_cmd)
scale.app.command("screen")(scale_screen.scale_screen_cmd)
app.add_typer(scale.app, name="scale")


def _register_plugins() -> None:
    """Add the commands of every `hotpursuit.cli` entry point (a function taking the app)."""
    for entry in entry_points(group="hotpursuit.cli"):
        entry.load()(app)


_register_plugins()


def main() -> None:  # pragma: no cover - console entry point
    """Entry point."""
    sys.exit(app())


__all__ = ["app", "main"]
