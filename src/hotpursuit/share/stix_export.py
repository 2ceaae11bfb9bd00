"""Reading the store into shared data and STIX: an incident (with its actor, the wallets its latest trace
reached and the claims about them), and the collections the TAXII server publishes (labels, incidents,
traces, one per incident). What a reader may see is decided by security.tlp.may_see, the API's rule."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from hotpursuit.errors import HotpursuitError, NotFound
from hotpursuit.jobs.trace_job import run_trace
from hotpursuit.jobs.trace_setup import owner_view
from hotpursuit.share.model import Actor, Org, SharedClaim, SharedIncident, SharedSet, SharedWallet
from hotpursuit.share.stix_mapping import Marked, StixObject, bundle, marked_objects, to_stix
from hotpursuit.share.stix_vocabulary import ACTORS, object_id
from hotpursuit.share.wallets import report_txs, wallets_of_report
from hotpursuit.store.database import Store
from hotpursuit.store.screening_rows import exposure_rows
from hotpursuit.store.share_reads import latest_freeze_status, own_claims, own_incidents, share_orgs, tx_times
from hotpursuit.store.trace_job_tables import latest_finished_trace, trace_job_result

Sees = Callable[[str, str | None], bool]
PRODUCER = Org("hotpursuit", "hotpursuit")


def audience(store: Store, org_id: str | None) -> Sees:
    """Whether organisation `org_id` may see data of a TLP owned by an organisation (None: the store's
    operator, who sees everything): the view a trace of that organisation's takes of the labels."""
    view = owner_view(store, org_id)
    return view if view is not None else _everything


def _everything(tlp: str, owner: str | None) -> bool:
    return True


def actor_names(store: Store, ids: Iterable[str | None]) -> dict[str, Actor]:
    """The actors named, with their names (known ones by their MISP galaxy name)."""
    from hotpursuit.store.share_reads import actor_labels
    labels = actor_labels(store)
    return {a: Actor(a, ACTORS[a][1] if a in ACTORS else labels.get(a, a)) for a in sorted({i for i in ids if i})}


def incident_wallets(store: Store, incident: SharedIncident) -> list[SharedWallet]:
    """The wallets the incident's latest finished trace reached (a fresh trace with the owner's view of the
    labels when no trace was requested over the API: the same store gives the same trace); none when the
    incident cannot be traced (no movement of its sources stored yet): there is nothing traced to share."""
    job = latest_finished_trace(store, incident.id)
    text = trace_job_result(store, job.id) if job else None
    if text is not None:
        report: dict[str, Any] = json.loads(text)
        created = dt.datetime.fromisoformat(str(job.finished_at)) if job and job.finished_at else incident.opened
    else:
        try:
            report = asdict(run_trace(store, incident.id, visible=owner_view(store, incident.owner_org)))
        except HotpursuitError:
            return []
        created = incident.opened
    received = {(c, a, e.asset): e.received for c, a, e in exposure_rows(store, incident.id)}
    return wallets_of_report(report, incident, received=received, tx_times=tx_times(store, incident.chain,
                             report_txs(report)), freeze=latest_freeze_status(store, incident.id), created=created)


def incident_set(store: Store, incident_id: str, sees: Sees) -> SharedSet:
    """An incident with its wallets and the claims about them, as an audience may see them; NotFound if it
    may not see the incident."""
    incident = next((i for i in own_incidents(store) if i.id == incident_id), None)
    if incident is None or not sees(incident.tlp, incident.owner_org):
        raise NotFound(f"incident {incident_id!r}: no such incident")
    wallets = incident_wallets(store, incident)
    reached = {(w.chain, w.address) for w in wallets}
    claims = [c for c in own_claims(store) if (c.claim.chain, c.claim.address) in reached
              and sees(c.claim.tlp, c.owner_org)]
    return shared_set(store, claims, [incident], wallets)


def shared_set(store: Store, claims: list[SharedClaim], incidents: list[SharedIncident],
               wallets: list[SharedWallet]) -> SharedSet:
    """The claims, incidents and wallets with the organisations and actors they name."""
    orgs = share_orgs(store)
    named = {c.owner_org for c in claims} | {i.owner_org for i in incidents} | {w.owner_org for w in wallets}
    return SharedSet({o: orgs[o] for o in named if o in orgs}, claims, incidents, wallets,
                     actor_names(store, [c.claim.actor for c in claims] + [i.actor for i in incidents]))


def incident_bundle(store: Store, incident_id: str, reader_org: str | None) -> dict[str, Any]:
    """The STIX 2.1 bundle of an incident as organisation `reader_org` may see it (None: everything)."""
    objects = to_stix(incident_set(store, incident_id, audience(store, reader_org)), PRODUCER)
    return bundle(objects, object_id("bundle", "incident", incident_id, *(o["id"] for o in objects)))


def visible_collection(store: Store, collection: str, org_id: str | None) -> list[StixObject]:
    """The objects of a collection organisation `org_id` may see (what `share push` sends a partner)."""
    sees = audience(store, org_id)
    return [m.object for m in marked_collection(store, collection) if sees(m.tlp, m.owner)]


def marked_collection(store: Store, collection: str) -> list[Marked]:
    """Every object of a published collection with its audience (the TAXII server filters per caller):
    `labels` (claims as indicators), `incidents`, `traces` (every incident's wallets), or
    `incident:<id>` (one incident with its wallets and the claims about them)."""
    everyone: Sees = audience(store, None)
    if collection == "labels":
        shared = shared_set(store, list(own_claims(store)), [], [])
    elif collection == "incidents":
        shared = shared_set(store, [], own_incidents(store), [])
    elif collection == "traces":
        incidents = own_incidents(store)
        shared = shared_set(store, [], incidents, [w for i in incidents for w in incident_wallets(store, i)])
    elif collection.startswith("incident:"):
        shared = incident_set(store, collection.removeprefix("incident:"), everyone)
    else:
        raise NotFound(f"collection {collection!r}: no such collection")
    return marked_objects(shared, PRODUCER)

