"""Organisations and API keys in the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hotpursuit.errors import Conflict, HotpursuitError, NotFound
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


__all__ = ["Caller", "OrgError", "add_org", "authenticate", "create_key",
           "hash_key", "revoke_key"]


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
