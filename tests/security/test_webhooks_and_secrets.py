"""Webhooks point at public addresses only unless the operator allows a network (an organisation could
aim the server at an internal service and read its reply); secrets are sealed at rest and the store file
is readable by its owner only."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx

from hotpursuit.api.app import create_app
from hotpursuit.api.background import serve_in_thread
from hotpursuit.store import Store
from hotpursuit.store.interdiction_tables import due_deliveries, set_webhook, utc_now
from hotpursuit.store.org_tables import add_org, create_key
from tests.security.conftest import Server


def test_a_webhook_into_the_server_s_network_is_refused(server: Server) -> None:
    with server.client("exchange") as exchange:
        for url in ("http://127.0.0.1:6379/", "http://localhost:8080/x", "http://10.1.2.3/x",
                    "http://169.254.169.254/latest/meta-data/", "http://[::1]:80/", "http://0.0.0.0/"):
            answer = exchange.put("/v1/orgs/me/webhook", json={"url": url})
            assert answer.status_code == 400, (url, answer.text)
            assert answer.json()["error"]["field"] == "url" and "not a public address" in answer.text, url
        for url in ("ftp://example.org/x", "http://user:pw@8.8.8.8/x", "http://[zz/"):
            assert exchange.put("/v1/orgs/me/webhook", json={"url": url}).status_code == 400, url
        public = exchange.put("/v1/orgs/me/webhook", json={"url": "https://8.8.8.8/hotpursuit"})
        assert public.status_code == 200


def test_the_operator_may_allow_a_network(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        add_org(store, "ex-a", "Exchange A", "exchange", "KR", None)
        key = create_key(store, "ex-a", ["org-admin"], 1)[1]
        with serve_in_thread(create_app(store, webhook_networks=["127.0.0.1/32"])) as base:
            ok = httpx.put(base + "/v1/orgs/me/webhook", json={"url": "http://127.0.0.1:9/x"},
                           headers={"X-API-Key": key})
            assert ok.status_code == 200, ok.text
            other = httpx.put(base + "/v1/orgs/me/webhook", json={"url": "http://10.0.0.1/x"},
                              headers={"X-API-Key": key})
            assert other.status_code == 400


def test_webhook_secrets_are_sealed_at_rest_and_the_store_is_private(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with Store.open(db) as store:
        add_org(store, "ex-a", "Exchange A", "exchange", "KR", None)
        secret = set_webhook(store, "ex-a", "https://8.8.8.8/x")
        stored = store.execute("SELECT webhook_secret FROM orgs WHERE id = 'ex-a'").fetchone()
        assert stored is not None and secret not in stored[0] and stored[0].startswith("sealed:")
        store.execute("""INSERT INTO outbox (id, org_id, kind, request_id, body, status)
                         VALUES ('ob-1', 'ex-a', 'freeze_request', 'fr-1', '{}', 'pending')""")
        assert [d.secret for d in due_deliveries(store, utc_now())] == [secret]  # opened for delivery
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    key_file = Path(str(db) + ".key")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert secret.encode() not in db.read_bytes()
