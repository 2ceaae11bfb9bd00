"""`hotpursuit audit verify`: the hash-chained audit log."""

from __future__ import annotations

import typer

from hotpursuit.cli.options import (
    DbOption,
    console,
    user_errors,
)
from hotpursuit.store import Store

app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@app.command("verify")
def audit_verify(db: DbOption) -> None:
    """Check the audit log's hash chain; exit 1 naming any edited or deleted entry. Entries a stopped
    or killed server left in its journal are committed first."""
    from hotpursuit.api.audit_writer import AuditWriter
    from hotpursuit.security.audit_chain import verify_chain
    from hotpursuit.store.org_tables import audit_entries

    with user_errors(), Store.open(db, must_exist=True) as store:
        writer = AuditWriter(store)
        writer.close()
        if writer.replayed:
            console.print(f"{writer.replayed} entries committed from the server's journal")
        entries = audit_entries(store)
    problems = verify_chain(entries)
    for p in problems:
        console.print(f"[bold red]broken:[/] {p}", highlight=False)
    if problems:
        raise typer.Exit(1)
    console.print(f"audit log intact: {len(entries)} entries")
