"""`hotpursuit share misp-feed|misp-import`: a static MISP feed folder as one organisation may see it, and
MISP event files imported as claims (and wallets' taint) owned by an organisation."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated

import typer

from hotpursuit.cli.options import DbOption, FormatOption, TableOrJson, console, err_console, show_rows, user_errors
from hotpursuit.errors import HotpursuitError, NotFound
from hotpursuit.store import Store

EVENT_FILE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json$")


def misp_feed_cmd(
    db: DbOption,
    out: Annotated[Path, typer.Option("--out", help="Feed folder to write (created if missing; its parent must "
                                                    "exist): manifest.json, <uuid>.json per event, hashes.csv.")],
    org: Annotated[str | None, typer.Option(
        "--org", help="Write what this organisation may see (TLP and sharing group, as the API). Without it, "
                      "everything: for the operator only, never to be served to others.")] = None,
) -> None:
    """Write a MISP feed folder (one event per incident, coin-address objects for the wallets its loot
    reached, the claims about them) that a web server can serve to MISP instances as a feed."""
    from hotpursuit.share.misp_feed import feed_of_sets
    from hotpursuit.share.stix_export import audience, incident_set
    from hotpursuit.store.org_tables import org_exists
    from hotpursuit.store.share_reads import own_incidents

    with user_errors():
        if not out.parent.is_dir():
            raise HotpursuitError(f"--out {out}: folder {out.parent} does not exist")
        if out.exists() and not out.is_dir():
            raise HotpursuitError(f"--out {out}: is a file; give a folder")
        with Store.open(db, must_exist=True) as store:
            if org is not None and not org_exists(store, org):
                raise NotFound(f"--org {org}: no such organisation")
            sees = audience(store, org)
            feed = feed_of_sets(incident_set(store, i.id, sees) for i in own_incidents(store)
                                if sees(i.tlp, i.owner_org))
        out.mkdir(exist_ok=True)
        files = {f"{uuid}.json": feed.event_json(uuid) for uuid in feed.events}
        files |= {"manifest.json": feed.manifest_json(), "hashes.csv": feed.hashes_csv()}
        for name, body in files.items():  # written whole then renamed: a server never serves half a file
            partial = out / f".{name}.partial"
            partial.write_bytes(body)
            os.replace(partial, out / name)
        stale = [p for p in out.iterdir() if EVENT_FILE.match(p.name) and p.name not in files]
        for path in stale:  # an event this audience no longer sees must not stay servable
            path.unlink()
    console.print(f"MISP feed in {out}: {len(feed.events)} events, {len(feed.hashes)} attribute hashes"
                  + (f", {len(stale)} stale event files removed" if stale else "")
                  + (f" (as {org} may see it)" if org else " (everything: the operator's view)"), highlight=False)


def misp_import_cmd(
    files: Annotated[list[Path], typer.Argument(help="MISP event JSON files (an event, a list, a feed's "
                                                     "<uuid>.json, or a REST answer).")],
    db: DbOption,
    org: Annotated[str, typer.Option("--org", help="The organisation that imports them: it owns the claims "
                                                   "(their TLP and asserting organisation are kept).")],
    fmt: FormatOption = TableOrJson.table,
) -> None:
    """Import MISP events: hotpursuit's own claims and wallets read back exactly, other addresses (btc, xmr,
    coin-address) as claims asserted by the event's creator; re-importing a newer event replaces what its
    earlier version said."""
    from hotpursuit.share.misp_import import MispFormatError, read_misp
    from hotpursuit.store.org_tables import org_exists
    from hotpursuit.store.share_tables import Provenance, store_pulled_claim, store_pulled_wallet

    rows: list[list[object]] = []
    skipped: list[str] = []
    with user_errors():
        read = []
        for path in files:
            try:
                document = json.loads(path.read_bytes())
            except OSError as exc:
                raise HotpursuitError(f"{path}: cannot read: {exc.strerror}") from None
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise MispFormatError(f"{path}: not JSON: {exc}") from None
            read.append((path, read_misp(document, str(path))))  # every file checked before anything is stored
        with Store.open(db) as store:
            if not org_exists(store, org):
                raise NotFound(f"--org {org}: no such organisation")
            for path, events in read:
                for event in events:
                    provenance = Provenance(str(path.resolve()), event.uuid, org)
                    claims = sum(store_pulled_claim(store, provenance, c.object_id, c.version, event.producer, c.claim)
                                 for c in event.claims)
                    wallets = sum(store_pulled_wallet(store, provenance, w.object_id, w.version, event.producer,
                                                      w.wallet, event.info, event.actor, False) for w in event.wallets)
                    skipped += event.skipped
                    rows.append([str(path), event.uuid, event.info, event.producer, event.tlp, len(event.claims),
                                 claims, len(event.wallets), wallets])
    columns = ["file", "event", "info", "creator", "tlp", "claims", "claims changed", "wallets", "wallets changed"]
    if fmt == TableOrJson.json:
        console.print_json(json.dumps({"events": [dict(zip(columns, r, strict=True)) for r in rows],
                                       "skipped": skipped}))
        return
    for line in skipped:
        err_console.print(f"[yellow]skipped:[/] {line}", highlight=False)
    show_rows(columns, rows, title=f"MISP events imported for {org}")
