"""`hotpursuit audit`: verify the hash-chained audit log (and the server's signed checkpoints of it),
sign a checkpoint now, export the checkpoints for partners to keep."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from hotpursuit.cli.options import (
    DbOption,
    console,
    output_path,
    user_errors,
)
from hotpursuit.errors import HotpursuitError
from hotpursuit.store import Store

app = typer.Typer(help="The hash-chained audit log and its signed checkpoints.", no_args_is_help=True)

CheckpointFiles = Annotated[list[Path] | None, typer.Option(
    "--checkpoint", help="A file of checkpoints a partner kept (the API's answer, JSON or JSON lines); repeatable.")]
ServerKey = Annotated[str | None, typer.Option(
    "--server-key", help="The server's audit public key (hex) to require of every checkpoint.")]


@app.command("verify")
def audit_verify(db: DbOption, checkpoint: CheckpointFiles = None, server_key: ServerKey = None) -> None:
    """Check the audit log's hash chain and that it still holds every signed checkpoint (those kept in
    the store and those given with --checkpoint); exit 1 naming any edited, deleted, truncated or
    rewritten entry. Entries a stopped or killed server left in its journal are committed first."""
    from hotpursuit.api.audit_writer import AuditWriter
    from hotpursuit.security.audit_chain import verify_chain
    from hotpursuit.security.audit_checkpoint import checkpoint_problems, checkpoints_from_text
    from hotpursuit.store.audit_tables import audit_entries, checkpoints

    with user_errors():
        given = []
        for path in checkpoint or []:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise HotpursuitError(f"--checkpoint {path}: cannot read it ({exc})") from None
            given += checkpoints_from_text(text, str(path))
        with Store.open(db, must_exist=True) as store:
            writer = AuditWriter(store)
            writer.close()
            if writer.replayed:
                console.print(f"{writer.replayed} entries committed from the server's journal")
            entries = audit_entries(store)
            kept = checkpoints(store)
    problems = verify_chain(entries)
    for c in [*kept, *given]:
        problems += checkpoint_problems(entries, c, server_key)
    for p in problems:
        console.print(f"[bold red]broken:[/] {p}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    console.print(f"audit log intact: {len(entries)} entries, {len(kept)} checkpoints kept in the store"
                  + (f", {len(given)} given" if given else ""))


@app.command("checkpoint")
def audit_checkpoint(db: DbOption) -> None:
    """Sign a checkpoint of the log's head now, with the server's key (a stopped server's store)."""
    from hotpursuit.api.audit_writer import AuditWriter

    with user_errors(), Store.open(db, must_exist=True) as store:
        writer = AuditWriter(store)
        made = writer.checkpoint()
        writer.close()
    if made is None:
        console.print("the log's head has a checkpoint already (or the log is empty)")
    else:
        console.print(f"signed entry {made.seq} ({made.hash[:16]}…) with key {made.server_key}", highlight=False)


@app.command("export-checkpoints")
def audit_export(db: DbOption, out: Annotated[Path, typer.Option("--out", help="JSON lines file to write.")]) -> None:
    """Write every checkpoint kept in the store as JSON lines, for partners to keep."""
    from hotpursuit.store.audit_tables import checkpoints

    with user_errors():
        target = output_path(out)
        with Store.open(db, must_exist=True) as store:
            kept = checkpoints(store)
        target.write_text("".join(json.dumps(c.to_json()) + "\n" for c in kept), encoding="utf-8")
    console.print(f"{len(kept)} checkpoints written to {out}")
