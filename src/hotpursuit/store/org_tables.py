"""Organisations, API keys and the audit log in the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from hotpursuit.errors import Conflict, HotpursuitError, NotFound
from hotpursuit.security.audit_chain import GENESIS, AuditEntry, entry_hash
from hotpursuit.security.keys import ALL_SCOPES_ALIAS, SCOPES, expand_scopes, hash_key, key_id_of, matches, new_key
from hotpursuit.store.database import Store

ORG_KINDS = ("agency", "exchange", "issuer")


class OrgError(HotpursuitError):
    """A bad organisation or key request."""


@dataclass(frozen=True)
class Caller:
    """The organisation behind an authenticated request."""

    org_id: str
    kind: str
    sharing_group: str | None
    scopes: frozenset[str]
    key_id: str
    rate_per_second: float | None = None  # the key's own rate limit; None: the server's


def add_org(store: Store, org_id: str, name: str, kind: str, country: str | None,
            sharing_group: str | None, *, scores_hidden: bool = False) -> None:
    """Create an organisation; `scores_hidden`: its claims count in the risk scores of callers who may
    not see them (they are told how many did, never what they say)."""
    if kind not in ORG_KINDS:
        raise OrgError(f"kind {kind!r} is not one of {', '.join(ORG_KINDS)}")
    if store._con.execute("SELECT count(*) FROM orgs WHERE id = ?", [org_id]).fetchone() != (0,):
        raise Conflict(f"id: organisation {org_id!r} exists already")
    store._con.execute("INSERT INTO orgs (id, name, kind, country, sharing_group, scores_hidden) "
                      "VALUES (?, ?, ?, ?, ?, ?)", [org_id, name, kind, country, sharing_group, scores_hidden])


def create_key(store: Store, org_id: str, scopes: list[str], expires_days: int | None, *,
               rate_per_second: float | None = None) -> tuple[str, str]:
    """(key id, key): the key is returned once and only its hash is stored. `admin` stands for every
    scope; `rate_per_second`: the key's own rate limit (None: the server's)."""
    bad = [s for s in scopes if s not in SCOPES and s != ALL_SCOPES_ALIAS]
    if bad or not scopes:
        raise OrgError(f"scopes must be among {', '.join(SCOPES)} or {ALL_SCOPES_ALIAS} (all of them); "
                       f"got {', '.join(scopes) or 'none'}")
    if rate_per_second is not None and not 0 < rate_per_second <= 1e6:
        raise OrgError(f"rate: {rate_per_second} requests/s is not in (0, 1000000]")
    scopes = expand_scopes(scopes)
    if store._con.execute("SELECT count(*) FROM orgs WHERE id = ?", [org_id]).fetchone() == (0,):
        raise OrgError(f"no organisation {org_id!r}")
    key_id, key, digest = new_key()
    expires = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=expires_days) if expires_days else None
    store._con.execute("""INSERT INTO api_keys (id, org_id, key_hash, scopes, expires_at, rate_per_second)
                          VALUES (?, ?, ?, ?, ?, ?)""", [key_id, org_id, digest, scopes, expires, rate_per_second])
    return key_id, key


def revoke_key(store: Store, key_id: str) -> None:
    """Revoke a key from now on; NotFound if there is no key of that id."""
    if store._con.execute("SELECT count(*) FROM api_keys WHERE id = ?", [key_id]).fetchone() == (0,):
        raise NotFound(f"key {key_id!r}: no such key (the id is the part after 'hp_' in the key)")
    store._con.execute("UPDATE api_keys SET revoked_at = coalesce(revoked_at, current_timestamp) WHERE id = ?",
                      [key_id])


def authenticate(store: Store, key: str | None) -> Caller | None:
    """The caller for a presented key; None if missing, unknown, wrong, expired or revoked."""
    key_id = key_id_of(key or "")
    if key is None or key_id is None:
        return None
    row = store._con.execute(
        """SELECT k.key_hash, k.scopes, k.expires_at, k.revoked_at, o.id, o.kind, o.sharing_group, k.rate_per_second
           FROM api_keys k JOIN orgs o ON o.id = k.org_id WHERE k.id = ?""", [key_id]).fetchone()
    if row is None or not matches(key, row[0]) or row[3] is not None:
        return None
    if row[2] is not None and row[2] <= dt.datetime.now(dt.UTC).replace(tzinfo=None):
        return None
    return Caller(str(row[4]), str(row[5]), row[6], frozenset(row[1]), key_id, row[7])


def append_audit(store: Store, org_id: str | None, action: str, detail: str) -> AuditEntry:
    """Append one hash-chained entry."""
    with store.transaction() as con:
        last = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
        when = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
        digest = entry_hash(seq, when, org_id, action, detail, prev)
        con.execute("INSERT INTO audit_log VALUES (?, ?::TIMESTAMP, ?, ?, ?, ?, ?)",
                    [seq, when, org_id, action, detail, prev, digest])
    return AuditEntry(seq, when, org_id, action, detail, prev, digest)


def audit_entries(store: Store) -> list[AuditEntry]:
    """The whole log in order."""
    rows = store._con.execute("""SELECT seq, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%f'), org_id, action, detail,
                                       prev_hash, hash FROM audit_log ORDER BY seq""").fetchall()
    return [AuditEntry(int(r[0]), str(r[1]), r[2], str(r[3]), str(r[4] or ""), str(r[5]), str(r[6])) for r in rows]


def last_audit_link(store: Store) -> tuple[int, str]:
    """(sequence number, hash) of the log's last entry; (0, GENESIS) for an empty log."""
    last = store._con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS)


def insert_audit_entries(store: Store, entries: list[AuditEntry]) -> None:
    """Store already chained entries in one transaction (one INSERT from an Arrow table: executemany
    costs about half a millisecond per row)."""
    table = pa.table({"seq": [e.seq for e in entries], "occurred_at": [e.occurred_at for e in entries],
                      "org_id": pa.array([e.org_id for e in entries], pa.string()),
                      "action": [e.action for e in entries], "detail": [e.detail for e in entries],
                      "prev_hash": [e.prev_hash for e in entries], "hash": [e.hash for e in entries]})
    with store.transaction(audit_group=table) as con:
        con.execute("""INSERT INTO audit_log SELECT seq, occurred_at::TIMESTAMP, org_id, action, detail,
                              prev_hash, hash FROM audit_group""")


__all__ = ["Caller", "OrgError", "add_org", "append_audit", "audit_entries", "authenticate", "create_key",
           "hash_key", "insert_audit_entries", "last_audit_link", "revoke_key"]


def org_exists(store: Store, org_id: str) -> bool:
    """Whether there is an organisation of that id."""
    return store._con.execute("SELECT count(*) FROM orgs WHERE id = ?", [org_id]).fetchone() != (0,)


def scores_hidden(store: Store, org_id: str) -> bool:
    """Whether the organisation lets its claims count in the scores of callers who may not see them."""
    row = store._con.execute("SELECT coalesce(scores_hidden, false) FROM orgs WHERE id = ?", [org_id]).fetchone()
    return bool(row and row[0])


def sharing_groups(store: Store) -> dict[str, str | None]:
    """Each organisation's sharing group."""
    return {str(o): None if g is None else str(g)
            for o, g in store._con.execute("SELECT id, sharing_group FROM orgs").fetchall()}


@dataclass(frozen=True)
class KeyInfo:
    """A key as its organisation's admins see it (never the key itself)."""

    id: str
    org_id: str
    scopes: list[str]
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    rate_per_second: float | None


def list_keys(store: Store, org_id: str | None = None) -> list[KeyInfo]:
    """Keys of one organisation (or every key), oldest first."""
    return [KeyInfo(str(i), str(o), list(s), str(c), e, r, rate) for i, o, s, c, e, r, rate in store._con.execute(
        """SELECT id, org_id, scopes, created_at::VARCHAR, expires_at::VARCHAR, revoked_at::VARCHAR, rate_per_second
           FROM api_keys WHERE $o IS NULL OR org_id = $o ORDER BY created_at, id""", {"o": org_id}).fetchall()]


def key_org(store: Store, key_id: str) -> str | None:
    """The organisation a key belongs to, None if there is no such key."""
    row = store._con.execute("SELECT org_id FROM api_keys WHERE id = ?", [key_id]).fetchone()
    return None if row is None else str(row[0])


def org_kind(store: Store, org_id: str) -> str | None:
    """An organisation's kind, None if there is none of that id."""
    row = store._con.execute("SELECT kind FROM orgs WHERE id = ?", [org_id]).fetchone()
    return None if row is None else str(row[0])


@dataclass(frozen=True)
class OrgInfo:
    """An organisation as a server-admin sees it."""

    id: str
    name: str
    kind: str
    country: str | None
    sharing_group: str | None


def list_orgs(store: Store) -> list[OrgInfo]:
    """Every organisation, by id."""
    return [OrgInfo(str(i), str(n), str(k), c, g) for i, n, k, c, g in store._con.execute(
        "SELECT id, name, kind, country, sharing_group FROM orgs ORDER BY id").fetchall()]
