"""Webhooks point at public addresses only unless the operator allows a network (an organisation could
aim the server at an internal service and read its reply); secrets are sealed at rest and the store file
is readable by its owner only."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

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


class _Receiver:
    """A real HTTP receiver on 127.0.0.1 answering every POST with `status` and `reply`."""

    def __init__(self, status: int, reply: bytes) -> None:
        import http.server
        import threading

        seen: list[tuple[str, str | None]] = []
        self.seen = seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                seen.append((self.path, self.headers.get("Host")))
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *_: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _outbox(store: Store) -> tuple[int, str | None]:
    """(attempts, last error) of the one outbox entry, read on a cursor of its own (the server's thread
    uses the store's)."""
    reader = store.cursor()
    try:
        row = reader.execute("SELECT attempts, last_error FROM outbox").fetchone()
    finally:
        reader.close()
    assert row is not None
    return int(row[0]), row[1]


def test_a_webhook_host_that_now_resolves_inside_is_refused_at_each_delivery(tmp_path: Path) -> None:
    """DNS rebinding: the host passed the check when it was set, and resolves into the server's network
    at delivery (here `localhost`, set straight in the store as if it had been public then)."""
    import time

    from tests.integration.test_outbox_delivery import _store_with_one_request

    receiver = _Receiver(200, b"ok")
    try:
        db = tmp_path / "r.duckdb"
        _store_with_one_request(db, receiver.port)
        with Store.open(db) as store:
            set_webhook(store, "ex-hanbit", f"http://localhost:{receiver.port}/hook")
            with serve_in_thread(create_app(store)):
                time.sleep(1.0)
                attempts, error = _outbox(store)
            assert receiver.seen == [] and attempts >= 1
            assert error is not None and "refused" in error and "127.0.0.1" in error
            # allowed by the operator, the same name is delivered, to the address that was checked
            with serve_in_thread(create_app(store, webhook_networks=["127.0.0.1/32"])):
                for _ in range(100):
                    if receiver.seen:
                        break
                    time.sleep(0.05)
        assert receiver.seen == [("/hook", f"localhost:{receiver.port}")]
    finally:
        receiver.close()


def test_the_receiver_s_reply_is_never_kept_nor_shown(tmp_path: Path) -> None:
    """An internal service's reply would be readable through the freeze-request list (the first 200
    characters were): only the status is kept."""
    import time

    from tests.integration.test_outbox_delivery import _store_with_one_request

    receiver = _Receiver(500, b"INTERNAL-ONLY: redis_version:7.2.4 role:master")
    try:
        db = tmp_path / "e.duckdb"
        _, exchange_key, _ = _store_with_one_request(db, receiver.port)
        with Store.open(db) as store:
            with serve_in_thread(create_app(store, webhook_networks=["127.0.0.1/32"])) as base:
                for _ in range(100):
                    if receiver.seen and _outbox(store)[0] >= 1:
                        break
                    time.sleep(0.05)
                listed = httpx.get(base + "/v1/freeze-requests", headers={"X-API-Key": exchange_key})
            assert _outbox(store)[1] == "HTTP 500"
        assert listed.status_code == 200 and listed.json()["requests"][0]["delivery"]["last_error"] == "HTTP 500"
        assert "INTERNAL" not in listed.text and "redis" not in listed.text
        assert b"redis_version" not in db.read_bytes()
    finally:
        receiver.close()


class _TlsReceiver(_Receiver):
    """The receiver over TLS, with a certificate for `name` from a throwaway CA (trustme)."""

    def __init__(self, ca: object, name: str) -> None:
        import ssl

        super().__init__(200, b"ok")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert(name).configure_cert(context)  # type: ignore[attr-defined]
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)


def test_a_pinned_https_delivery_still_checks_the_certificate_for_the_webhook_s_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The request goes to the checked address, and TLS still verifies the certificate against the URL's
    host name: a certificate for the name is accepted, one for another name is refused."""
    import time

    import trustme

    from tests.integration.test_outbox_delivery import _store_with_one_request

    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))  # the server's client trusts the throwaway CA
    for name, delivered in (("other.example", False), ("localhost", True)):
        receiver = _TlsReceiver(ca, name)
        try:
            db = tmp_path / f"{name}.duckdb"
            _store_with_one_request(db, receiver.port)
            with Store.open(db) as store:
                set_webhook(store, "ex-hanbit", f"https://localhost:{receiver.port}/hook")
                with serve_in_thread(create_app(store, webhook_networks=["127.0.0.1/32"])):
                    for _ in range(60):
                        if receiver.seen or _outbox(store)[0] >= 2:
                            break
                        time.sleep(0.05)
                    attempts, error = _outbox(store)
            if delivered:
                assert receiver.seen == [("/hook", f"localhost:{receiver.port}")], error
            else:
                assert receiver.seen == [] and attempts >= 1 and error == "ConnectError", error
        finally:
            receiver.close()
