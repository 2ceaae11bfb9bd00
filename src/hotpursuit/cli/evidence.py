"""`hotpursuit evidence export|sign|hand-over|verify`: signed evidence bundles of an incident, made from
the store and verified offline with only the bundle and the exchanged public key files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hotpursuit.cli.options import (
    DbOption,
    ModelOption,
    TableOrJson,
    TaintModel,
    console,
    err_console,
    user_errors,
)
from hotpursuit.errors import HotpursuitError

if TYPE_CHECKING:
    from hotpursuit.evidence.keys import SigningKey

app = typer.Typer(help="Signed evidence bundles: export, co-sign, hand over, verify offline.", no_args_is_help=True)

KeyOption = Annotated[Path, typer.Option(
    "--key", help="Your organisation's private key file (ORG.ed25519.key, from `hotpursuit org keys create`).")]
OrgOption = Annotated[str | None, typer.Option(
    "--org", help="Your organisation's name (default: the key file's name, kr-nis for kr-nis.ed25519.key).")]
BundleArgument = Annotated[Path, typer.Argument(help="The bundle: a folder, a .zip or a .tar file.")]


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise HotpursuitError(f"{what} {path}: cannot read it ({exc.strerror})") from None


def _signing_key(path: Path, org: str | None) -> SigningKey:
    from hotpursuit.evidence.keys import load_signing_key

    return load_signing_key(_read(path, "--key"), str(path), org)


def _now() -> str:
    from hotpursuit.evidence.layout import utc_text

    return utc_text(dt.datetime.now(dt.UTC))


@app.command("export")
def evidence_export(
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    db: DbOption,
    out: Annotated[Path, typer.Option(
        "--out", help="Where to write the bundle: a new or empty folder, or a file ending .zip or .tar.")],
    key: KeyOption,
    org: OrgOption = None,
    to: Annotated[str | None, typer.Option("--to", help="Who receives it (recorded in the custody log).")] = None,
    tsa: Annotated[str | None, typer.Option(
        "--tsa", help="URL of an RFC 3161 timestamp authority to timestamp the signed statement.")] = None,
    model: ModelOption = TaintModel.haircut,
    reader: Annotated[str | None, typer.Option(
        "--reader", help="Trace and share the incident with the labels this organisation may see (TLP); "
                         "default: the --to organisation's view when it is one of this store's (what it may "
                         "not see never leaves in its bundle), else every label, as `hotpursuit trace` does.")
    ] = None,
) -> None:
    """Write a signed evidence bundle of an incident: the trace report, the STIX bundle, the stored rows
    of every transaction and block the report cites, a SHA-256 manifest, an in-toto statement over it
    signed with your key (DSSE), an RFC 3161 timestamp with --tsa, and the custody log's first entry."""
    from hotpursuit.evidence.bundle_files import check_new_target, write_bundle
    from hotpursuit.evidence.export import export_bundle
    from hotpursuit.evidence.layout import ENVELOPE
    from hotpursuit.evidence.tsa_client import fetch_timestamp
    from hotpursuit.store import Store
    from hotpursuit.store.audit_tables import append_audit
    from hotpursuit.store.org_tables import org_exists

    with user_errors():
        check_new_target(out)  # before the trace: a finished export is not lost on a bad --out
        signing = _signing_key(key, org)
        stamp = None if tsa is None else (lambda message: fetch_timestamp(tsa, message))
        with Store.open(db, must_exist=True) as store:
            if reader is None and to is not None and org_exists(store, to):
                reader = to  # the recipient's view: a claim it may not see never leaves in its bundle
            exported = export_bundle(store, incident, signing, model=model, to=to, reader=reader, timestamper=stamp)
            write_bundle(out, exported.files)
            append_audit(store, None, "evidence.export",
                         f"incident {incident} exported by {signing.org} ({signing.public.keyid[:16]})"
                         + (f" to {to}" if to else "") + f" into {out}; statement in {ENVELOPE}")
    rows = ", ".join(f"{n} {t}" for t, n in exported.rows.items() if n)
    console.print(f"bundle written to {out}: {len(exported.files)} files ({rows}); signed by {signing.org} "
                  f"(key {signing.public.keyid[:16]})" + ("; timestamped" if tsa else "")
                  + (f"; exported to {to}" if to else "") + (f"; labels as {reader} may see them" if reader else ""),
                  highlight=False, soft_wrap=True)


@app.command("sign")
def evidence_sign(bundle: BundleArgument, key: KeyOption, org: OrgOption = None) -> None:
    """Co-sign a bundle with your organisation's key (after checking its files still match its manifest
    and statement); the custody log records it."""
    from hotpursuit.evidence.bundle_files import read_bundle, update_bundle
    from hotpursuit.evidence.seal import cosign

    with user_errors():
        signing = _signing_key(key, org)
        files = read_bundle(bundle)
        update_bundle(bundle, files, cosign(files, signing, _now()))
    console.print(f"{bundle}: co-signed by {signing.org} (key {signing.public.keyid[:16]})", highlight=False)


@app.command("hand-over")
def evidence_hand_over(
    bundle: BundleArgument, key: KeyOption,
    to: Annotated[str, typer.Option("--to", help="Who receives the bundle.")],
    org: OrgOption = None,
) -> None:
    """Record in the custody log that your organisation handed the bundle over to someone."""
    from hotpursuit.evidence.bundle_files import read_bundle, update_bundle
    from hotpursuit.evidence.seal import hand_over

    with user_errors():
        signing = _signing_key(key, org)
        files = read_bundle(bundle)
        update_bundle(bundle, files, hand_over(files, signing, _now(), to))
    console.print(f"{bundle}: handed over by {signing.org} to {to}", highlight=False)


@app.command("verify")
def evidence_verify(
    bundle: BundleArgument,
    trust: Annotated[list[Path], typer.Option(
        "--trust", help="A public key file you trust (ORG.ed25519.pub, exchanged with its organisation); repeat.")],
    threshold: Annotated[int, typer.Option(
        min=1, help="How many of the trusted keys must have signed.")] = 1,
    tsa_root: Annotated[list[Path] | None, typer.Option(
        "--tsa-root", help="Root certificate (PEM) of a timestamp authority you trust; then a timestamp is "
                           "required and checked. Repeatable.")] = None,
    fmt: Annotated[TableOrJson, typer.Option("--format", help="table (lines) or json.")] = TableOrJson.table,
) -> None:
    """Verify a bundle offline (no store): its files against the manifest, the statement against the
    manifest, the signatures against the trusted keys and the threshold, the timestamp, the custody log.
    Exit 0 with a summary, or 1 naming every failure on its own line."""
    from hotpursuit.evidence.bundle_files import read_bundle
    from hotpursuit.evidence.keys import load_org_key
    from hotpursuit.evidence.timestamp import load_roots
    from hotpursuit.evidence.verify import verify_bundle

    with user_errors():
        trusted = [load_org_key(_read(p, "--trust"), str(p)) for p in trust]
        roots = [c for p in tsa_root or [] for c in load_roots(_read(p, "--tsa-root"), str(p))]
        verdict = verify_bundle(read_bundle(bundle), trusted, threshold, roots)
    if fmt == "json":
        print(json.dumps(verdict.to_json(), indent=1, sort_keys=True))
    else:
        for problem in verdict.problems:
            console.print(problem, highlight=False, markup=False, soft_wrap=True)
        for note in verdict.notes:
            err_console.print(f"note: {note}", highlight=False, markup=False, soft_wrap=True)
        console.print(verdict.summary(), highlight=False, markup=False, soft_wrap=True)
    if not verdict.ok:
        raise typer.Exit(1)
