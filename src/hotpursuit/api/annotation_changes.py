"""Annotating, for the API and the web UI alike: the subject taken to its stored form (an address
normalised for a known chain, a tx hash checked and lower-cased, an incident only if the caller may see
it), and each note written or withdrawn as an audited change, with the caller's key as its author."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from hotpursuit.api.inputs import address_of, known_chain
from hotpursuit.api.state import ApiState
from hotpursuit.api.visibility import visible_incident
from hotpursuit.attribution.annotations import (
    Annotation,
    check_incident_id,
    check_lengths,
    check_subject_kind,
    normalize_tx_hash,
)
from hotpursuit.errors import InvalidInput, NotFound
from hotpursuit.store.annotation_tables import add_annotation, withdraw_annotation
from hotpursuit.store.org_tables import Caller

Subject = tuple[str, str, str]  # (kind, chain, subject in its stored form)


def subject_of(state: ApiState, who: Caller, kind: str, chain: str | None, subject: str) -> Subject:
    """What a note is about, in the form it is stored under; InvalidInput, UnknownChain or InvalidAddress
    naming the field, NotFound for an incident the caller may not see (as for no incident)."""
    kind = check_subject_kind(kind)
    check_lengths(chain, subject)
    if kind == "incident":
        ident = check_incident_id(subject)
        try:
            incident = visible_incident(state, ident, who)
        except NotFound:
            raise NotFound(f"subject: no incident {ident!r} visible to {who.org_id}") from None
        if chain and chain != incident.chain:
            raise InvalidInput(f"chain: incident {ident!r} is on {incident.chain}, not {chain[:40]!r}")
        return kind, incident.chain, ident
    if not chain:
        raise InvalidInput(f"chain: give the chain of the {kind}")
    if kind == "address":
        return kind, known_chain(state, chain), address_of(state, chain, subject, field="subject")
    return kind, known_chain(state, chain), normalize_tx_hash(chain, subject)


def annotate(state: ApiState, who: Caller, kind: str, chain: str | None, subject: str, note: str,
             tags: Iterable[str], tlp: str) -> Annotation:
    """Write a note as the caller's organisation (its key as the author), audited with the change."""
    kind, chain, subject = subject_of(state, who, kind, chain, subject)
    with state.audit.change(who.org_id, "add-annotation") as entry:
        made = add_annotation(state.store, subject_kind=kind, chain=chain, subject=subject, note=note, tags=tags,
                              tlp=tlp, author_org=who.org_id, author=who.key_id, at=dt.datetime.now(dt.UTC))
        entry.detail = f"{made.id} on {kind} {chain}:{subject} {made.tlp}"
    return made


def withdraw(state: ApiState, who: Caller, annotation_id: str) -> Annotation:
    """Withdraw one of the caller's organisation's notes, audited; NotFound for any other (another
    organisation's, withdrawn, or none) alike."""
    with state.audit.change(who.org_id, "withdraw-annotation") as entry:
        gone = withdraw_annotation(state.store, annotation_id, who.org_id, dt.datetime.now(dt.UTC))
        entry.detail = f"{gone.id} on {gone.subject_kind} {gone.chain}:{gone.subject}"
    return gone
