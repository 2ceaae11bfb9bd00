"""Keys and organisations while the server runs (the store is the server's: the CLI cannot reach it):
an org-admin manages its own keys and no one else's, a server-admin the organisations, and a revoked
key is refused from the very next request."""

from __future__ import annotations

from pathlib import Path

import httpx
from typer.testing import CliRunner

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


def test_the_cli_manages_keys_and_orgs_through_the_server_that_holds_the_store(tmp_path: Path) -> None:
    """A running server holds the store's lock: `key` and `org` go through its API with the caller's key,
    under the same checks (and audit) as any client."""
    from hotpursuit.api.background import free_port
    from hotpursuit.cli import app
    from hotpursuit.store import Store
    from hotpursuit.store.org_tables import add_org, create_key
    from tests.integration.serve_process import start_serve

    db = tmp_path / "held.duckdb"
    with Store.open(db) as store:
        add_org(store, "server-op", "Operator", "agency", "KR", None)
        add_org(store, "ex-a", "Exchange A", "exchange", "KR", None)
        operator = create_key(store, "server-op", ["server-admin"], 1)[1]
        ex_admin = create_key(store, "ex-a", ["org-admin"], 1)[1]
    port = free_port()
    server = start_serve(db, port, operator)
    cli = CliRunner()
    try:
        held = cli.invoke(app, ["key", "create", "ex-a", "--scope", "screen", "--db", str(db)])
        assert held.exit_code == 1 and f"held by the server running at http://127.0.0.1:{port}" in held.output
        assert "--api-key" in held.output and "Traceback" not in held.output

        made = cli.invoke(app, ["key", "create", "ex-a", "--scope", "screen", "--db", str(db)],
                          env={"HOTPURSUIT_API_KEY": ex_admin})
        assert made.exit_code == 0, made.output
        new_key = made.output.split(": ")[-1].strip()
        key_id = made.output.split()[1]
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/v1/ping", headers={"X-API-Key": new_key}).status_code == 200

        listed = cli.invoke(app, ["key", "list", "--db", str(db), "--api-key", ex_admin])
        assert listed.exit_code == 0 and key_id in listed.output
        foreign = cli.invoke(app, ["key", "create", "server-op", "--scope", "read", "--db", str(db),
                                   "--api-key", ex_admin])
        assert foreign.exit_code == 1 and "refused (403)" in foreign.output
        no_org = cli.invoke(app, ["org", "add", "ex-b", "--name", "B", "--kind", "exchange", "--db", str(db),
                                  "--api-key", ex_admin])
        assert no_org.exit_code == 1 and "refused (403)" in no_org.output

        revoked = cli.invoke(app, ["key", "revoke", key_id, "--db", str(db), "--api-key", ex_admin])
        assert revoked.exit_code == 0, revoked.output
        assert httpx.get(f"{base}/v1/ping", headers={"X-API-Key": new_key}).status_code == 401
        added = cli.invoke(app, ["org", "add", "ex-b", "--name", "Exchange B", "--kind", "exchange",
                                 "--db", str(db), "--api-key", operator])
        assert added.exit_code == 0, added.output
        orgs = cli.invoke(app, ["org", "list", "--db", str(db), "--api-key", operator])
        assert orgs.exit_code == 0 and "Exchange B" in orgs.output
    finally:
        server.terminate()
        server.wait()
    assert not Path(str(db) + ".server").exists()  # the server's note goes with it
    verified = cli.invoke(app, ["audit", "verify", "--db", str(db)])
    assert verified.exit_code == 0, verified.output
    with Store.open(db) as store:
        actions = [str(r[0]) for r in store.execute("SELECT action FROM audit_log ORDER BY seq").fetchall()]
    assert actions == ["create-key", "revoke-key", "create-org"]
    local = cli.invoke(app, ["org", "list", "--db", str(db)])  # stopped: the store itself again
    assert local.exit_code == 0 and "Exchange B" in local.output
