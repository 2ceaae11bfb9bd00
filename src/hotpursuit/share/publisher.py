"""Publishing the TAXII collections: each object's new versions are added to the store's shared objects
(with their TLP and owner, so the server can filter per caller), skipped entirely while the data they are
made from is unchanged; a claim withdrawn (or an incident or link gone) is published once more, revoked,
so partners who pulled it withdraw it too. Collections: `labels` (claims as indicators), `incidents`, `traces` (every
incident's wallets) and one per incident (`incident:<id>`: the incident, its wallets, the claims about them)."""

from __future__ import annotations

import datetime as dt

import orjson

from hotpursuit.share.model import SharedWallet
from hotpursuit.share.stix_export import PRODUCER, incident_wallets, shared_set
from hotpursuit.share.stix_mapping import Marked, marked_objects, timestamp
from hotpursuit.store.database import Store
from hotpursuit.store.share_reads import own_claims, own_incidents, share_fingerprint
from hotpursuit.store.share_tables import left_out, object_body, publish


class Publisher:
    """Publishes the collections when what they are made from changed since the last time."""

    def __init__(self) -> None:
        self.fingerprint: str | None = None

    def run(self, store: Store) -> dict[str, int]:
        """Publish what changed; collection -> how many new object versions (empty if nothing changed)."""
        fingerprint = share_fingerprint(store)
        if fingerprint == self.fingerprint:
            return {}
        added = publish_all(store)
        self.fingerprint = fingerprint
        return added


def publish_all(store: Store) -> dict[str, int]:
    """Publish every collection's current objects; collection -> how many new object versions."""
    claims = list(own_claims(store))
    incidents = own_incidents(store)
    wallets: dict[str, list[SharedWallet]] = {i.id: incident_wallets(store, i) for i in incidents}
    every = [w for i in incidents for w in wallets[i.id]]
    sets = {"labels": shared_set(store, claims, [], []), "incidents": shared_set(store, [], incidents, []),
            "traces": shared_set(store, [], incidents, every)}
    for i in incidents:
        reached = {(w.chain, w.address) for w in wallets[i.id]}
        sets[f"incident:{i.id}"] = shared_set(store, [c for c in claims if (c.claim.chain, c.claim.address) in reached],
                                              [i], wallets[i.id])
    added = {}
    for name, shared in sets.items():
        rows = [_row(m) for m in marked_objects(shared, PRODUCER)]
        added[name] = publish(store, name, rows) + revoke_missing(store, name, {r[0] for r in rows})
    return added


REVOCABLE = ("indicator", "incident", "relationship")  # SDOs and SROs: STIX gives observables no `revoked`


def revoke_missing(store: Store, collection: str, current: set[str]) -> int:
    """Publish a revoked version of each object of the collection that is no longer among `current` (a
    withdrawn claim); how many. Observables and vocabulary objects (markings, identities, extension
    definitions, actors) are left as they are."""
    now = timestamp(dt.datetime.now(dt.UTC))
    return publish(store, collection, [
        (object_id, now, str(body["type"]), tlp, owner, object_body({**body, "revoked": True, "modified": now}))
        for object_id, tlp, owner, text in left_out(store, collection, current, REVOCABLE)
        for body in [orjson.loads(text)]])


def _row(m: Marked) -> tuple[str, str | None, str, str, str | None, str]:
    modified = m.object.get("modified") or m.object.get("created")
    return (str(m.object["id"]), None if modified is None else str(modified), str(m.object["type"]), m.tlp, m.owner,
            object_body(m.object))
