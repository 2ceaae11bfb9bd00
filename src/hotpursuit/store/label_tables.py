"""Storing label claims and actors; reading an address's claims with provenance.

A claim is never overwritten by another source's claim: conflicting claims stay side by side. Only a
re-import of the same file (same import key, same asserting organisation) replaces what that file said.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from hotpursuit.attribution.labels import Actor, LabelClaim
from hotpursuit.store.database import Store


def replace_import(store: Store, import_key: str, asserted_by: str, claims: Sequence[LabelClaim]) -> int:
    """Replace the claims of one import (file) atomically; returns how many are stored."""
    names = ("chain", "address", "label", "category", "actor", "confidence", "source", "source_date", "tlp",
             "asserted_by")
    rows = pa.table({n: [getattr(c, n) for c in claims] for n in names},
                    schema=pa.schema([(n, pa.int32() if n == "confidence" else pa.date32() if n == "source_date"
                                       else pa.string()) for n in names]))
    with store.transaction(new_claims=rows) as con:
        con.execute("DELETE FROM labels WHERE import_key = ? AND asserted_by = ?", [import_key, asserted_by])
        con.execute(
            """INSERT INTO labels (chain, address, label, category, actor, confidence, source, source_date, tlp,
                 asserted_by, owner_org, import_key)
               SELECT *, asserted_by, ? FROM new_claims""", [import_key])
    return len(claims)


def add_claim(store: Store, import_key: str, claim: LabelClaim) -> bool:
    """Add one claim unless the same organisation already asserted exactly it; True if added."""
    c = claim
    exists = store._con.execute(
        """SELECT count(*) FROM labels WHERE chain = ? AND address = ? AND label = ? AND category = ?
           AND source = ? AND asserted_by = ? AND tlp = ?""",
        [c.chain, c.address, c.label, c.category, c.source, c.asserted_by, c.tlp]).fetchone()
    if exists != (0,):
        return False
    store._con.execute(
        """INSERT INTO labels (chain, address, label, category, actor, confidence, source, source_date, tlp,
             asserted_by, owner_org, import_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [c.chain, c.address, c.label, c.category, c.actor, c.confidence, c.source, c.source_date, c.tlp,
         c.asserted_by, c.asserted_by, import_key])
    return True


def replace_actors(store: Store, actors: Sequence[Actor]) -> int:
    """Insert or replace actors by id."""
    with store.transaction() as con:
        con.execute("DELETE FROM actors WHERE id IN (SELECT unnest(?))", [[a.id for a in actors]])
        con.executemany("INSERT INTO actors VALUES (?, ?, ?, ?, ?)",
                        [[a.id, a.label, list(a.jurisdictions), list(a.uris), a.source] for a in actors])
    return len(actors)


@dataclass(frozen=True)
class StoredClaim:
    """A claim as stored, with its provenance."""

    label: str
    category: str
    actor: str | None
    actor_label: str | None
    confidence: int
    source: str
    source_date: date | None
    tlp: str
    asserted_by: str
    # a claim pulled from a partner: where from (peer, collection), the producer, who pulled it and when
    shared_from: dict[str, str | None] | None = None


def claims_for(store: Store, chain: str, address: str) -> list[StoredClaim]:
    """Every claim about one address, strongest first."""
    rows = store._con.execute(
        """SELECT l.label, l.category, l.actor, a.label, l.confidence, l.source, l.source_date, l.tlp,
                  l.asserted_by, p.peer, p.collection, p.producer, p.pulled_by, p.pulled_at::VARCHAR
           FROM labels l LEFT JOIN actors a ON a.id = l.actor
             LEFT JOIN shared_provenance p ON p.import_key = l.import_key
           WHERE l.chain = ? AND l.address = ?
           ORDER BY l.confidence DESC, l.source""", [chain, address]).fetchall()
    names = ("peer", "collection", "producer", "pulled_by", "pulled_at")
    return [StoredClaim(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
                        None if r[9] is None else dict(zip(names, r[9:], strict=True))) for r in rows]


def withdraw_claims(store: Store, org_id: str, chain: str, address: str, category: str,
                    label: str | None = None) -> int:
    """Withdraw the organisation's own claims of `category` (and `label`, if given) about an address:
    they move to `labels_withdrawn` with when and by whom; how many there were."""
    where = ("owner_org = $o AND chain = $c AND address = $a AND category = $k AND ($l IS NULL OR label = $l)")
    params = {"o": org_id, "c": chain, "a": address, "k": category, "l": label}
    with store.transaction() as con:
        row = con.execute(f"SELECT count(*) FROM labels WHERE {where}", params).fetchone()
        con.execute(f"""INSERT INTO labels_withdrawn SELECT *, current_timestamp, $o FROM labels
                        WHERE {where}""", params)
        con.execute(f"DELETE FROM labels WHERE {where}", params)
    return int(row[0]) if row else 0


def claims_labelled(store: Store, text: str) -> Iterator[tuple[str, str, StoredClaim]]:
    """(chain, address, claim) of the claims whose label or actor contains `text` (any case), strongest
    first, read in batches as the caller consumes them (it filters what its reader may see and stops when
    it has enough: a limit here, before that filter, would let hidden claims crowd out visible ones)."""
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    result = store._con.execute(
        """SELECT l.chain, l.address, l.label, l.category, l.actor, a.label, l.confidence, l.source, l.source_date,
                  l.tlp, l.asserted_by
           FROM labels l LEFT JOIN actors a ON a.id = l.actor
           WHERE lower(l.label) LIKE ? ESCAPE '\\' OR lower(coalesce(a.label, l.actor, '')) LIKE ? ESCAPE '\\'
           ORDER BY l.confidence DESC, l.chain, l.address, l.label""", [pattern, pattern])
    while rows := result.fetchmany(1000):
        yield from ((str(r[0]), str(r[1]), StoredClaim(*r[2:])) for r in rows)
