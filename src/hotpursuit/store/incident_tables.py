"""Opening incidents: the theft's sources, with the stolen amounts read from the theft transactions.

A source is one of:
  * a theft transaction hash: everything it moved is loot;
  * `ADDRESS@TXHASH`: what that transaction brought to ADDRESS is loot (a thief's address, given with the
    transaction at which it received the loot: its later outflows are traced, never counted again);
  * a bare address: every outflow of it from the incident's first block is loot (a victim's wallet, or an
    incident opened before the theft happened, as the live watch does). Never give a thief's address bare.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from hotpursuit.chains.address_codec import parse_address
from hotpursuit.errors import Conflict, IngestError, InvalidInput, NotFound
from hotpursuit.store.database import Store

TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")


def incident_id_for(name: str) -> str:
    """The id of an incident named `name` (lowercase words joined by dashes)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def open_incident(store: Store, name: str, chain: str, sources: list[str], *, victim: str | None = None,
                  actor: str | None = None, since: int | None = None, tlp: str = "AMBER",
                  replace: bool = False, owner: str | None = None, unguessable: bool = False,
                  ident: str | None = None) -> tuple[str, int]:
    """Record an incident and its sources (thief addresses or theft tx hashes); (id, number of sources).

    An existing incident of the same id is an error, unless `replace` (the demo re-runs). `unguessable`
    (the API): the id ends in a random part, so it cannot be guessed from the name and a clash never
    tells that another organisation's incident exists; the owner's own incident of that name is the
    conflict then."""
    if not sources:
        raise IngestError("give at least one --source (thief address or theft tx hash)")
    refs = list(dict.fromkeys(parse_source(chain, s) for s in sources))  # a source named twice counts once
    incident_id = ident or incident_id_for(name)
    if not incident_id:
        raise IngestError(f"name: {name!r} has no letter or digit to make the incident's id from")
    if unguessable:
        incident_id = f"{incident_id[:60]}-{secrets.token_hex(6)}"
    wanted = pa.table({"pos": pa.array(range(len(refs)), pa.int64()),
                       "kind": pa.array([k for k, _, _ in refs], pa.string()),
                       "ref": pa.array([r for _, r, _ in refs], pa.string()),
                       "at_tx": pa.array([t for _, _, t in refs], pa.string())})
    with store.transaction(new_incident_sources=wanted) as con:
        if unguessable and con.execute("SELECT count(*) FROM incidents WHERE owner_org IS NOT DISTINCT FROM ? "
                                       "AND name = ?", [owner, name]).fetchone() != (0,):
            raise Conflict(f"name: you have an incident named {name!r} already")
        if replace:
            held = con.execute("SELECT owner_org FROM incidents WHERE id = ?", [incident_id]).fetchone()
            if held is not None and held[0] != owner:
                raise Conflict(f"name: incident {incident_id!r} is another organisation's; it is not replaced")
            con.execute("DELETE FROM incident_sources WHERE incident_id = ?", [incident_id])
            con.execute("DELETE FROM incidents WHERE id = ?", [incident_id])
        elif con.execute("SELECT count(*) FROM incidents WHERE id = ?", [incident_id]).fetchone() != (0,):
            raise Conflict(f"name: incident {incident_id!r} exists already")
        con.execute("INSERT INTO incidents (id, name, chain, victim, actor, since_block, tlp, owner_org) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [incident_id, name, chain, parse_address(chain, victim) if victim else None, actor, since,
                     tlp.upper(), owner])
        # every source's amounts per asset in one pass: what a theft tx moved, what a tx brought to an address
        con.execute(
            """INSERT INTO incident_sources (incident_id, chain, kind, ref, asset, amount, at_tx)
               SELECT $id, $chain, w.kind, w.ref, s.asset, s.amount, w.at_tx FROM new_incident_sources w
               LEFT JOIN (SELECT w2.pos, t.asset, sum(t.amount) AS amount FROM new_incident_sources w2
                          JOIN transfers t ON t.chain = $chain
                           AND t.tx_hash = CASE w2.kind WHEN 'tx' THEN w2.ref ELSE w2.at_tx END
                           AND (w2.kind = 'tx' OR t.to_address = w2.ref)
                          WHERE w2.kind IN ('tx', 'received') GROUP BY w2.pos, t.asset) s ON s.pos = w.pos
               ORDER BY w.pos, s.asset""", {"id": incident_id, "chain": chain})
    return incident_id, len(refs)


def parse_source(chain: str, text: str) -> tuple[str, str, str | None]:
    """(kind, ref, at_tx) of one `--source`: `tx` (a theft tx hash), `received` (ADDRESS@TXHASH) or
    `address` (a bare address)."""
    text = text.strip()
    if TX_HASH.match(text):
        return "tx", text.lower(), None
    if "@" in text:
        address, _, tx = text.partition("@")
        if not TX_HASH.match(tx.strip()):
            raise IngestError(f"source {text!r}: after '@' give the 0x-prefixed 32-byte hash of the transaction "
                              f"at which {address.strip() or 'the address'} received the loot")
        return "received", parse_address(chain, address.strip()), tx.strip().lower()
    try:
        return "address", parse_address(chain, text), None
    except InvalidInput as exc:
        raise type(exc)(f"source {text!r}: neither a theft tx hash (0x and 64 hex digits) nor an address: "
                        f"{exc}") from exc


@dataclass(frozen=True)
class IncidentSources:
    """Where an incident's loot enters a trace."""

    theft_txs: frozenset[str]
    addresses: frozenset[str]  # bare: every outflow is loot
    receipts: frozenset[tuple[str, str]]  # (address, tx): what tx brought to address is loot


def load_sources(store: Store, incident_id: str) -> IncidentSources:
    """The incident's sources (empty sets for an incident without any)."""
    rows = store._con.execute("SELECT DISTINCT kind, ref, at_tx FROM incident_sources WHERE incident_id = ?",
                             [incident_id]).fetchall()
    return IncidentSources(frozenset(str(r) for k, r, _ in rows if k == "tx"),
                           frozenset(str(r) for k, r, _ in rows if k == "address"),
                           frozenset((str(r), str(t)) for k, r, t in rows if k == "received"))


def source_amounts(store: Store, incident: str) -> list[tuple[str, str, str | None, str | None, int | None, str]]:
    """(kind, ref, at_tx, asset, amount, trust status) of each source's movements: `native` for the chain's
    asset, else the token's status in the last assessment (`unassessed` before any)."""
    return [(str(k), str(r), None if t is None else str(t), None if a is None else str(a),
             None if x is None else int(x), str(st))
            for k, r, t, a, x, st in store._con.execute(
                """SELECT s.kind, s.ref, s.at_tx, s.asset, s.amount::VARCHAR,
                          CASE WHEN s.asset = 'ETH' THEN 'native' ELSE coalesce(a.status, 'unassessed') END
                   FROM incident_sources s LEFT JOIN asset_trust a ON a.chain = s.chain AND a.asset = s.asset
                   WHERE s.incident_id = ? ORDER BY s.kind, s.ref, s.asset""", [incident]).fetchall()]


def close_incident(store: Store, incident: str) -> None:
    """Close an incident (status and when); NotFound if there is none of that id. CLI and API alike."""
    row = store._con.execute("SELECT status FROM incidents WHERE id = ?", [incident]).fetchone()
    if row is None:
        raise NotFound(f"incident {incident!r}: no such incident (hotpursuit incident list)")
    store._con.execute("UPDATE incidents SET status = 'closed', closed_at = coalesce(closed_at, current_timestamp) "
                      "WHERE id = ?", [incident])


@dataclass(frozen=True)
class IncidentRow:
    """One incident as routes and commands show it."""

    id: str
    name: str
    chain: str
    status: str
    actor: str | None
    tlp: str
    owner_org: str | None
    victim: str | None = None
    since_block: int | None = None
    sources: int = 0


def get_incident(store: Store, incident: str) -> IncidentRow | None:
    """The incident of that id, None if there is none."""
    row = store._con.execute(
        """SELECT i.id, i.name, i.chain, i.status, i.actor, i.tlp, i.owner_org, i.victim, i.since_block,
                  (SELECT count(*) FROM incident_sources s WHERE s.incident_id = i.id)
           FROM incidents i WHERE i.id = ?""", [incident]).fetchone()
    return None if row is None else _incident(row)


def list_incidents(store: Store) -> list[IncidentRow]:
    """Every incident, by id, with its number of sources."""
    return [_incident(r) for r in store._con.execute(
        """SELECT i.id, i.name, i.chain, i.status, i.actor, i.tlp, i.owner_org, i.victim, i.since_block,
                  (SELECT count(*) FROM incident_sources s WHERE s.incident_id = i.id)
           FROM incidents i ORDER BY i.id""").fetchall()]


def _incident(r: tuple[Any, ...]) -> IncidentRow:
    return IncidentRow(str(r[0]), str(r[1]), str(r[2]), str(r[3]), None if r[4] is None else str(r[4]), str(r[5]),
                       None if r[6] is None else str(r[6]), None if r[7] is None else str(r[7]),
                       None if r[8] is None else int(r[8]), int(r[9]))


def open_incidents_of(store: Store, chain: str) -> list[tuple[str, str, str | None, int, str | None, str | None,
                                                             str | None]]:
    """(id, name, actor, first block, owner org, owner's name, owner's country) of the open incidents of
    `chain`, by id (what the live watch follows)."""
    return [(str(i), str(n), None if a is None else str(a), int(s), None if o is None else str(o),
             None if on is None else str(on), None if c is None else str(c))
            for i, n, a, s, o, on, c in store._con.execute(
                """SELECT i.id, i.name, i.actor, coalesce(i.since_block, 0), i.owner_org, o.name, o.country
                   FROM incidents i LEFT JOIN orgs o ON o.id = i.owner_org
                   WHERE i.chain = ? AND i.status = 'open' ORDER BY i.id""", [chain]).fetchall()]
