"""Keys and organisations while the server runs (the store is the server's: the CLI cannot reach it):
an org-admin manages its own keys and no one else's, a server-admin the organisations, and a revoked
key is refused from the very next request."""

from __future__ import annotations

import httpx

from tests.security.conftest import Server


def test_an_org_admin_manages_its_own_keys_and_a_revocation_holds_at_once(server: Server) -> None:
    with server.client("exchange") as admin:
        made = admin.post("/v1/keys", json={"scopes": ["screen"], "expires_days": 30})
        assert made.status_code == 201, made.text
        key, key_id = made.json()["key"], made.json()["id"]
        assert made.json()["org"] == "ex-hanbit" and made.json()["scopes"] == ["screen"]
        fresh = httpx.Client(base_url=server.base, headers={"X-API-Key": key})
        assert fresh.get("/v1/ping").json() == {"org": "ex-hanbit"}
        for body in ({"org": "ex-outsider", "scopes": ["screen"]}, {"scopes": ["server-admin"]},
                     {"scopes": ["admin"]}, {"scopes": ["incident"]}):
            assert admin.post("/v1/keys", json=body).status_code == 403, body
        listed = admin.get("/v1/keys").json()["keys"]
        assert {k["org"] for k in listed} == {"ex-hanbit"} and key_id in {k["id"] for k in listed}
        assert all("key" not in k for k in listed)  # never shown again
        with server.client("outsider") as outsider:
            assert outsider.post(f"/v1/keys/{key_id}/revoke").status_code == 404
        assert fresh.get("/v1/ping").status_code == 200
        revoked = admin.post(f"/v1/keys/{key_id}/revoke")
        assert revoked.status_code == 200 and revoked.json()["revoked_at"]
        assert fresh.get("/v1/ping").status_code == 401  # the very next request
        fresh.close()


def test_a_server_admin_creates_organisations_and_their_keys(server: Server) -> None:
    with server.client("operator") as operator:
        made = operator.post("/v1/orgs", json={"id": "ex-new", "name": "New Exchange", "kind": "exchange",
                                               "country": "JP"})
        assert made.status_code == 201, made.text
        assert operator.post("/v1/orgs", json={"id": "ex-new", "name": "Again", "kind": "exchange"}).status_code == 409
        key = operator.post("/v1/keys", json={"org": "ex-new", "scopes": ["screen", "org-admin"]})
        assert key.status_code == 201 and key.json()["org"] == "ex-new"
        assert "ex-new" in [o["id"] for o in operator.get("/v1/orgs").json()["orgs"]]
    with server.client("exchange") as exchange:
        assert exchange.get("/v1/orgs").status_code == 403
        assert exchange.post("/v1/orgs", json={"id": "x", "name": "x", "kind": "agency"}).status_code == 403
