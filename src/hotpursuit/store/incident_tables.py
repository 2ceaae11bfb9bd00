"""Opening incidents: the theft's sources, with the stolen amounts read from the theft transactions."""

from __future__ import annotations

import re

from hotpursuit.chains.address_codec import parse_address
from hotpursuit.errors import IngestError
from hotpursuit.store.database import Store

TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")


def incident_id_for(name: str) -> str:
    """The id of an incident named `name` (lowercase words joined by dashes)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def open_incident(store: Store, name: str, chain: str, sources: list[str], *, victim: str | None = None,
                  actor: str | None = None, since: int | None = None, tlp: str = "AMBER",
                  replace: bool = False, owner: str | None = None) -> tuple[str, int]:
    """Record an incident and its sources (thief addresses or theft tx hashes); (id, number of sources).

    An existing incident of the same id is an error, unless `replace` (the demo re-runs)."""
    if not sources:
        raise IngestError("give at least one --source (thief address or theft tx hash)")
    refs = [("tx", s.lower()) if TX_HASH.match(s) else ("address", parse_address(chain, s)) for s in sources]
    incident_id = incident_id_for(name)
    if not incident_id:
        raise IngestError(f"name: {name!r} has no letter or digit to make the incident's id from")
    with store.transaction() as con:
        if replace:
            con.execute("DELETE FROM incident_sources WHERE incident_id = ?", [incident_id])
            con.execute("DELETE FROM incidents WHERE id = ?", [incident_id])
        elif con.execute("SELECT count(*) FROM incidents WHERE id = ?", [incident_id]).fetchone() != (0,):
            raise IngestError(f"incident {incident_id!r} exists already")
        con.execute("INSERT INTO incidents (id, name, chain, victim, actor, since_block, tlp, owner_org) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [incident_id, name, chain, parse_address(chain, victim) if victim else None, actor, since,
                     tlp.upper(), owner])
        for kind, ref in refs:
            amounts = con.execute("""SELECT asset, sum(amount) FROM transfers WHERE chain = ? AND tx_hash = ?
                                     GROUP BY asset""", [chain, ref]).fetchall() if kind == "tx" else []
            for asset, amount in amounts or [(None, None)]:
                con.execute("INSERT INTO incident_sources VALUES (?, ?, ?, ?, ?, ?)",
                            [incident_id, chain, kind, ref, asset, amount])
    return incident_id, len(refs)
