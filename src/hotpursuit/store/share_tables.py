"""Storing shared objects: the versions this instance publishes per TAXII collection, and what partners'
objects say once pulled (claims owned by the organisation that pulled them, with their own TLP and
asserting organisation; wallets as exposure for screening; where and when each came from)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.share.model import SharedWallet
from hotpursuit.store.database import Store


@dataclass(frozen=True, slots=True)
class PublishedObject:
    """One version of one object in a collection, as the TAXII server serves it."""

    seq: int
    id: str
    version: str
    date_added: dt.datetime
    type: str
    tlp: str
    owner_org: str | None
    body: str


def publish(store: Store, collection: str, objects: Sequence[tuple[str, str | None, str, str, str | None, str]]
            ) -> int:
    """Add (id, `modified` or None, type, tlp, owner org, canonical JSON) to a collection unless that content
    is there already; all added in one transaction with the same date_added; returns how many were new. A
    new content's version is its `modified`, or (none, or the same `modified` as an earlier content: a
    wallet's freeze status, an incident closed) the time it was added."""
    if not objects:
        return 0
    import pyarrow as pa
    names = ("id", "modified", "type", "tlp", "owner_org", "body")
    rows = pa.table({n: [o[i] for o in objects] for i, n in enumerate(names)},
                    schema=pa.schema([(n, pa.string()) for n in names]))
    with store.transaction(new_objects=rows) as con:
        before = con.execute("SELECT count(*) FROM shared_objects WHERE collection = ?", [collection]).fetchone()
        first = con.execute("SELECT nextval('shared_objects_seq')").fetchone()
        con.execute(
            """INSERT INTO shared_objects (collection, id, version, digest, date_added, type, tlp, owner_org, body)
               SELECT $c, n.id,
                      CASE WHEN n.modified IS NOT NULL AND NOT EXISTS (
                                SELECT 1 FROM shared_objects v WHERE v.collection = $c AND v.id = n.id
                                  AND v.version = n.modified)
                           THEN n.modified ELSE strftime(current_timestamp, '%Y-%m-%dT%H:%M:%S.%fZ') END,
                      sha256(n.body), current_timestamp, n.type, n.tlp, n.owner_org, n.body
               FROM new_objects n
               WHERE NOT EXISTS (SELECT 1 FROM shared_objects s
                                 WHERE s.collection = $c AND s.id = n.id AND s.digest = sha256(n.body))
               ORDER BY n.id""", {"c": collection})
        con.execute(  # an object with a new version: its older versions are no longer the latest
            """UPDATE shared_objects SET latest = false WHERE collection = $c AND latest AND seq < $first
                 AND id IN (SELECT id FROM shared_objects WHERE collection = $c AND seq > $first)""",
            {"c": collection, "first": int(first[0]) if first else 0})
        after = con.execute("SELECT count(*) FROM shared_objects WHERE collection = ?", [collection]).fetchone()
    return int(after[0]) - int(before[0]) if after and before else 0


def left_out(store: Store, collection: str, current: set[str], kinds: Sequence[str]
             ) -> list[tuple[str, str, str | None, str]]:
    """(id, tlp, owner org, latest body) of the objects of these types whose latest version in the collection
    is not revoked but which are no longer among `current`."""
    import pyarrow as pa
    keep = pa.table({"id": sorted(current)}, schema=pa.schema([("id", pa.string())]))
    with store.transaction(current_ids=keep) as con:
        rows = con.execute(
            """SELECT id, tlp, owner_org, body FROM shared_objects
               WHERE collection = $c AND latest AND type IN (SELECT unnest($kinds::VARCHAR[]))
                 AND NOT coalesce(json_extract(body, '$.revoked')::BOOLEAN, false)
                 AND id NOT IN (SELECT id FROM current_ids)""", {"c": collection, "kinds": list(kinds)}).fetchall()
    return [(str(i), str(t), None if o is None else str(o), str(b)) for i, t, o, b in rows]


def published(store: Store, collection: str, *, after: int = 0, added_after: dt.datetime | None = None,
              ids: Sequence[str] = (), types: Sequence[str] = (), versions: str = "last",
              limit: int = 5_000) -> list[PublishedObject]:
    """Up to `limit` of a collection's object versions in the order they were added (their sequence), after
    sequence `after` and added strictly after `added_after`, optionally only these ids or types;
    `versions`: `last` (each object's newest), `first`, `all`, or a comma-separated list of versions. The
    caller filters what its reader may see and asks again after the last sequence for more."""
    chosen = versions if versions in ("last", "first", "all") else "list"
    first = "seq IN (SELECT min(seq) FROM shared_objects WHERE collection = $c GROUP BY id)"
    where = ["collection = $c", {"last": "latest", "all": "true", "first": first,
                                 "list": "version IN (SELECT unnest($versions::VARCHAR[]))"}[chosen]]
    params: dict[str, object] = {"c": collection}
    if chosen == "list":
        params["versions"] = [v.strip() for v in versions.split(",") if v.strip()]
    if added_after is not None:
        where.append("date_added > $d")
        params["d"] = added_after
    if ids:
        where.append("id IN (SELECT unnest($ids::VARCHAR[]))")
        params["ids"] = list(ids)
    if types:
        where.append("type IN (SELECT unnest($types::VARCHAR[]))")
        params["types"] = list(types)
    condition = " AND ".join(where)
    # the page's last sequence number first (small columns), then its rows by that range: the bodies of
    # the rest of the collection are never read
    last = store._con.execute(
        f"""SELECT max(seq), count(*) FROM (SELECT seq FROM shared_objects WHERE {condition} AND seq > $after
                                           ORDER BY seq LIMIT $limit)""",
        {**params, "after": after, "limit": limit}).fetchone()
    if not last or not last[1]:
        return []
    rows = store._con.execute(
        f"""SELECT seq, id, version, date_added, type, tlp, owner_org, body FROM shared_objects
            WHERE {condition} AND seq > $after AND seq <= $last ORDER BY seq""",
        {**params, "after": after, "last": int(last[0])}).fetchall()
    return [PublishedObject(int(r[0]), str(r[1]), str(r[2]), r[3], str(r[4]), str(r[5]),
                            None if r[6] is None else str(r[6]), str(r[7])) for r in rows]


def object_body(obj: dict[str, object]) -> str:
    """An object's canonical JSON (sorted keys, no spaces): the same object, the same text."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode()


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a pulled object came from."""

    peer: str  # the partner's collection URL, or the file
    collection: str | None
    pulled_by: str | None  # the organisation that pulled it: it owns the object here


def import_key(provenance: Provenance, object_id: str) -> str:
    """The key a pulled object's rows are stored under: a newer version of it replaces them."""
    return f"share:{provenance.peer}#{provenance.collection or ''}:{object_id}"


def store_pulled_claim(store: Store, provenance: Provenance, object_id: str, version: str | None,
                       producer: str | None, claim: LabelClaim | None) -> bool:
    """Store (or, with `claim` None, remove: the object was revoked) what one pulled object claims,
    replacing what an earlier version of it said; True if anything changed."""
    key = import_key(provenance, object_id)
    with store.transaction() as con:
        old = con.execute("SELECT object_version FROM shared_provenance WHERE import_key = ?", [key]).fetchone()
        if old is not None and claim is not None and old[0] == version:
            return False
        con.execute("DELETE FROM labels WHERE import_key = ?", [key])
        con.execute("DELETE FROM shared_provenance WHERE import_key = ?", [key])
        if claim is None:
            return old is not None
        c = claim
        con.execute(
            """INSERT INTO labels (chain, address, label, category, actor, confidence, source, source_date, tlp,
                 asserted_by, owner_org, import_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [c.chain, c.address, c.label, c.category, c.actor, c.confidence, c.source, c.source_date, c.tlp,
             c.asserted_by, provenance.pulled_by, key])
        _provenance(con, key, provenance, object_id, version, producer)
    return True


def store_pulled_wallet(store: Store, provenance: Provenance, object_id: str, version: str | None,
                        producer: str | None, wallet: SharedWallet, incident_name: str | None, actor: str | None,
                        counts_when_hidden: bool) -> bool:
    """Store a pulled wallet's taint as exposure (per asset), replacing an earlier version; True if changed."""
    key = import_key(provenance, object_id)
    with store.transaction() as con:
        old = con.execute("SELECT object_version FROM shared_provenance WHERE import_key = ?", [key]).fetchone()
        if old is not None and old[0] == version:
            return False
        con.execute("DELETE FROM shared_exposure WHERE import_key = ?", [key])
        con.execute("DELETE FROM shared_provenance WHERE import_key = ?", [key])
        w = wallet
        con.executemany(
            """INSERT INTO shared_exposure (import_key, chain, address, incident, incident_name, actor, asset,
                 tainted, received, decimals, symbol, hops, model, freeze_status, tlp, owner_org, counts_when_hidden)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?::BIGNUM, ?::BIGNUM, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [[key, w.chain, w.address, w.incident, incident_name, actor, t.asset, str(t.amount),
              None if t.received is None else str(t.received), t.decimals, t.symbol, w.hops, w.model,
              w.freeze_status, w.tlp, provenance.pulled_by, counts_when_hidden] for t in w.tainted])
        _provenance(con, key, provenance, object_id, version, producer)
    return True


def _provenance(con: object, key: str, p: Provenance, object_id: str, version: str | None,
                producer: str | None) -> None:
    con.execute(  # type: ignore[attr-defined]
        """INSERT INTO shared_provenance (import_key, peer, collection, object_id, object_version, producer,
             pulled_by) VALUES (?, ?, ?, ?, ?, ?, ?)""", [key, p.peer, p.collection, object_id, version, producer,
                                                           p.pulled_by])


def pulled_claim_sources(store: Store, chain: str, address: str) -> list[dict[str, object]]:
    """Where the pulled claims about an address came from: peer, collection, object, producer, who pulled
    them and when."""
    rows = store._con.execute(
        """SELECT p.peer, p.collection, p.object_id, p.object_version, p.producer, p.pulled_by,
                  p.pulled_at::VARCHAR, l.label
           FROM labels l JOIN shared_provenance p ON p.import_key = l.import_key
           WHERE l.chain = ? AND l.address = ? ORDER BY p.pulled_at""", [chain, address]).fetchall()
    names = ("peer", "collection", "object_id", "object_version", "producer", "pulled_by", "pulled_at", "label")
    return [dict(zip(names, r, strict=True)) for r in rows]


def pull_cursor(store: Store, peer: str, collection: str, org_id: str) -> str | None:
    """Where the last pull of a partner's collection (by this organisation) stopped: its last date_added."""
    row = store._con.execute("SELECT added_after FROM share_cursors WHERE peer = ? AND collection = ? AND org_id = ?",
                             [peer, collection, org_id]).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def set_pull_cursor(store: Store, peer: str, collection: str, org_id: str, added_after: str | None) -> None:
    """Remember where a pull stopped."""
    store._con.execute(
        """INSERT OR REPLACE INTO share_cursors (peer, collection, org_id, added_after, pulled_at)
           VALUES (?, ?, ?, ?, current_timestamp)""", [peer, collection, org_id, added_after])
