"""Storing annotations (notes and tags on incidents, addresses and transactions) and reading them back,
unfiltered: who may see which is the caller's to decide (api.visibility, or security.tlp.may_see in a
case report). Every field is checked here (attribution.annotations), so the table never holds a bad one."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from hotpursuit.attribution.annotations import (
    Annotation,
    check_incident_id,
    check_note,
    check_subject_kind,
    check_tags,
    check_tlp,
)
from hotpursuit.errors import InvalidInput, NotFound
from hotpursuit.store.database import Store

_COLUMNS = "id, subject_kind, chain, subject, note, tags, tlp, author_org, author, created_at"


def add_annotation(store: Store, *, subject_kind: str, chain: str, subject: str, note: str,
                   tags: Iterable[str], tlp: str, author_org: str, author: str, at: dt.datetime) -> Annotation:
    """Store a note written `at` (UTC; the caller's clock) by `author` (a key id) of `author_org`; the
    stored annotation, with its new random id. The subject must be in its stored form already (addresses
    normalised, tx hashes lower case: api.annotation_changes does it); an incident must exist, and gives
    the chain."""
    kind = check_subject_kind(subject_kind)
    if kind == "incident":
        subject = check_incident_id(subject)
        row = store._con.execute("SELECT chain FROM incidents WHERE id = ?", [subject]).fetchone()
        if row is None:
            raise NotFound(f"subject: no incident {subject!r}")
        chain = str(row[0])
    elif not chain:
        raise InvalidInput(f"chain: give the chain of the {kind}")
    made = Annotation(f"an-{secrets.token_hex(12)}", kind, chain, subject, check_note(note), check_tags(tags),
                      check_tlp(tlp), author_org, author, _utc(at))
    store._con.execute(f"INSERT INTO annotations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [made.id, made.subject_kind, made.chain, made.subject, made.note, list(made.tags), made.tlp,
                        made.author_org, made.author, made.created_at.replace(tzinfo=None)])
    return made


def annotations_on(store: Store, subject_kind: str, chain: str | None, subject: str) -> list[Annotation]:
    """The live (not withdrawn) notes on one subject, oldest first; an incident's chain is not needed."""
    rows = store._con.execute(
        f"""SELECT {_COLUMNS} FROM annotations
            WHERE withdrawn_at IS NULL AND subject_kind = $k AND subject = $s AND ($k = 'incident' OR chain = $c)
            ORDER BY created_at, id""", {"k": subject_kind, "c": chain, "s": subject}).fetchall()
    return [_annotation(r) for r in rows]


def annotations_for_incident(store: Store, incident_id: str, addresses: Iterable[tuple[str, str]] = (),
                             txs: Iterable[tuple[str, str]] = ()) -> list[Annotation]:
    """The live notes a case report of an incident may cite: the incident's own, and those on the
    `addresses` and `txs` it names, each a (chain, stored form) pair; oldest first, each once. Unfiltered:
    keep those the report's reader may see (security.tlp.may_see with the author organisation's group)."""
    wanted = [("address", c, a) for c, a in addresses] + [("tx", c, t) for c, t in txs]
    rows = store._con.execute(
        f"""WITH wanted AS (SELECT DISTINCT unnest($kinds) AS k, unnest($chains) AS c, unnest($subjects) AS s)
            SELECT {_COLUMNS} FROM annotations a
            WHERE a.withdrawn_at IS NULL AND (
                (a.subject_kind = 'incident' AND a.subject = $incident)
                OR EXISTS (SELECT 1 FROM wanted w WHERE w.k = a.subject_kind AND w.c = a.chain AND w.s = a.subject))
            ORDER BY a.created_at, a.id""",
        {"incident": incident_id, "kinds": [w[0] for w in wanted], "chains": [w[1] for w in wanted],
         "subjects": [w[2] for w in wanted]}).fetchall()
    return [_annotation(r) for r in rows]


def get_annotation(store: Store, annotation_id: str) -> Annotation | None:
    """The live annotation of that id, None if there is none (or it was withdrawn)."""
    row = store._con.execute(f"SELECT {_COLUMNS} FROM annotations WHERE id = ? AND withdrawn_at IS NULL",
                             [annotation_id]).fetchone()
    return None if row is None else _annotation(row)


def withdraw_annotation(store: Store, annotation_id: str, org_id: str, at: dt.datetime) -> Annotation:
    """Withdraw one of `org_id`'s own live annotations (kept, with when and by whom, and no longer read);
    the annotation withdrawn. Another organisation's, a withdrawn one and a made-up id get the same
    NotFound, so withdrawing never tells whether someone else's note exists."""
    found = get_annotation(store, annotation_id)
    if found is None or found.author_org != org_id:
        raise NotFound(f"annotation_id: {org_id} has no annotation {annotation_id!r} to withdraw")
    store._con.execute("UPDATE annotations SET withdrawn_at = ?, withdrawn_by = ? WHERE id = ?",
                       [_utc(at).replace(tzinfo=None), org_id, annotation_id])
    return found


def _utc(at: dt.datetime) -> dt.datetime:
    """An aware UTC time to microseconds (a naive one is taken as UTC), as the table keeps it."""
    return (at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC))


def _annotation(r: tuple[Any, ...]) -> Annotation:
    return Annotation(str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), tuple(str(t) for t in r[5]), str(r[6]),
                      str(r[7]), str(r[8]), r[9].replace(tzinfo=dt.UTC))


__all__ = ["Annotation", "add_annotation", "annotations_for_incident", "annotations_on", "get_annotation",
           "withdraw_annotation"]
