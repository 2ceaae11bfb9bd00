"""API keys and organisations, managed while the server runs."""

from __future__ import annotations

from pydantic import BaseModel, Field, StrictBool, StrictFloat, StrictInt

from hotpursuit.security.keys import SCOPES


class KeyIn(BaseModel):
    """A key to create: for the caller's organisation (org-admin) or any (server-admin)."""

    org: str | None = Field(default=None, max_length=100, description="default: the caller's organisation")
    scopes: list[str] = Field(min_length=1, max_length=len(SCOPES), description="among " + ", ".join(SCOPES))
    expires_days: StrictInt | None = Field(default=365, ge=1, le=3650)
    rate_per_second: StrictFloat | None = Field(default=None, gt=0, le=1e6)


class KeyOut(BaseModel):
    """A key as stored (never the key itself)."""

    id: str
    org: str
    scopes: list[str]
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    rate_per_second: float | None


class KeyCreated(KeyOut):
    """The new key, shown this once."""

    key: str


class KeysOut(BaseModel):
    """Keys the caller may manage."""

    keys: list[KeyOut]


class OrgIn(BaseModel):
    """An organisation to create."""

    id: str = Field(min_length=1, max_length=100, pattern="^[a-z0-9][a-z0-9._-]*$")
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(pattern="^(agency|exchange|issuer)$")
    country: str | None = Field(default=None, max_length=2)
    sharing_group: str | None = Field(default=None, max_length=100)
    scores_hidden: StrictBool = False


class OrgOut(BaseModel):
    """An organisation."""

    id: str
    name: str
    kind: str
    country: str | None
    sharing_group: str | None


class OrgsOut(BaseModel):
    """Every organisation."""

    orgs: list[OrgOut]
