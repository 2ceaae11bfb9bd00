"""Keys and organisations while the server runs: an org-admin manages its own organisation's keys, a
server-admin every key and the organisations. A revoked key is refused from the next request on (its
cached authentication is dropped at once). No key is ever shown again after its creation."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from hotpursuit.api.deps import AnyKey, ServerAdmin, State, has_scope
from hotpursuit.api.models.errors import CONFLICT, ERRORS, NOT_FOUND
from hotpursuit.api.models.keys import KeyCreated, KeyIn, KeyOut, KeysOut, OrgIn, OrgOut, OrgsOut
from hotpursuit.api.state import ApiState
from hotpursuit.errors import Forbidden, NotFound
from hotpursuit.store.org_tables import (
    Caller,
    KeyInfo,
    add_org,
    create_key,
    key_org,
    list_keys,
    list_orgs,
    org_kind,
    revoke_key,
)

router = APIRouter(tags=["keys and organisations"])


def _out(k: KeyInfo) -> KeyOut:
    return KeyOut(id=k.id, org=k.org_id, scopes=k.scopes, created_at=k.created_at, expires_at=k.expires_at,
                  revoked_at=k.revoked_at, rate_per_second=k.rate_per_second)


def _managed_org(who: Caller, org: str) -> str:
    """The organisation whose keys the caller may manage: its own (org-admin), any (server-admin)."""
    if has_scope(who, "server-admin") or (has_scope(who, "org-admin") and org == who.org_id):
        return org
    raise Forbidden(f"org: managing the keys of {org} needs org-admin of {org} or server-admin")


@router.post("/v1/keys", status_code=201, response_model=KeyCreated, responses=NOT_FOUND)
async def key_create(body: KeyIn, who: AnyKey, state: State) -> KeyCreated:
    """Create a key, shown once. An org-admin creates keys of its own organisation, without server-admin
    and (unless it is an agency) without incident; a server-admin, any key."""
    org = _managed_org(who, body.org or who.org_id)
    kind = org_kind(state.store, org)
    if kind is None:
        raise NotFound(f"org: no organisation {org!r}")
    if not has_scope(who, "server-admin"):
        wanted = set(body.scopes) | ({"server-admin"} if "admin" in body.scopes else set())
        if "server-admin" in wanted:
            raise Forbidden("scopes: only a server-admin creates server-admin keys")
    if "incident" in body.scopes and kind != "agency":
        raise Forbidden(f"scopes: only an agency's keys open incidents; {org} is an organisation of kind {kind}")
    with state.audit.change(who.org_id, "create-key") as note:
        key_id, key = create_key(state.store, org, body.scopes, body.expires_days,
                                 rate_per_second=body.rate_per_second)
        note.detail = f"{key_id} for {org}: {' '.join(body.scopes)}"
    info = next(k for k in list_keys(state.store, org) if k.id == key_id)
    return KeyCreated(**_out(info).model_dump(), key=key)


@router.get("/v1/keys", response_model=KeysOut, responses=ERRORS)
async def keys(who: AnyKey, state: State) -> KeysOut:
    """The keys the caller manages: its organisation's (org-admin), every key (server-admin)."""
    if has_scope(who, "server-admin"):
        return KeysOut(keys=[_out(k) for k in list_keys(state.store)])
    _managed_org(who, who.org_id)
    return KeysOut(keys=[_out(k) for k in list_keys(state.store, who.org_id)])


@router.post("/v1/keys/{key_id}/revoke", response_model=KeyOut, responses=NOT_FOUND)
async def key_revoke(key_id: str, who: AnyKey, state: State) -> KeyOut:
    """Revoke a key; it is refused from the next request on."""
    org = key_org(state.store, key_id)
    if org is None or not (has_scope(who, "server-admin") or (has_scope(who, "org-admin") and org == who.org_id)):
        raise NotFound(f"key_id: no key {key_id!r} you manage")
    with state.audit.change(who.org_id, "revoke-key") as note:
        revoke_key(state.store, key_id)
        note.detail = key_id
    _forget(state, key_id)
    return _out(next(k for k in list_keys(state.store, org) if k.id == key_id))


def _forget(state: ApiState, key_id: str) -> None:
    """Drop the key's cached authentication, so the revocation holds from the next request."""
    for presented, (_, cached) in list(state.auth_cache.items()):
        if cached.key_id == key_id:
            del state.auth_cache[presented]


@router.get("/v1/orgs", response_model=OrgsOut, responses=ERRORS)
async def orgs(who: ServerAdmin, state: State) -> OrgsOut:
    """Every organisation."""
    return OrgsOut(orgs=[OrgOut(**asdict(o)) for o in list_orgs(state.store)])


@router.post("/v1/orgs", status_code=201, response_model=OrgOut, responses=CONFLICT)
async def org_create(body: OrgIn, who: ServerAdmin, state: State) -> OrgOut:
    """Create an organisation (then a key for it: `POST /v1/keys` with `org`)."""
    with state.audit.change(who.org_id, "create-org") as note:
        add_org(state.store, body.id, body.name, body.kind, body.country, body.sharing_group,
                scores_hidden=body.scores_hidden)
        note.detail = f"{body.id} ({body.kind})"
    return OrgOut(id=body.id, name=body.name, kind=body.kind, country=body.country, sharing_group=body.sharing_group)
