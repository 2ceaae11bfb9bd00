"""Roles: only an agency, with the `incident` scope, opens incidents (an exchange named an innocent holder
the thief and the issuer blacklisted it within seconds); server administration is not an organisation's
own settings."""

from __future__ import annotations

from tests.security.conftest import Server

INCIDENT = {"name": "Bybit 2025-02-21", "chain": "ethereum", "sources": ["0x" + "11" * 32]}


def test_only_an_agency_with_the_incident_scope_opens_an_incident(server: Server) -> None:
    with server.client("exchange") as exchange:
        refused = exchange.post("/v1/incidents", json=INCIDENT)  # has the scope, but is an exchange
        assert refused.status_code == 403 and "only an agency" in refused.json()["error"]["message"]
    with server.client("agency-writer") as writer:
        refused = writer.post("/v1/incidents", json=INCIDENT)  # an agency, without the scope
        assert refused.status_code == 403 and "'incident' scope" in refused.json()["error"]["message"]
    with server.client("agency") as agency:
        opened = agency.post("/v1/incidents", json=INCIDENT)
        assert opened.status_code == 201, opened.text
    rows = server.store.execute("SELECT owner_org FROM incidents").fetchall()
    assert rows == [("kr-nis",)]


def test_org_admin_and_server_admin_are_separate(server: Server) -> None:
    with server.client("exchange") as exchange:  # org-admin
        assert exchange.post("/v1/admin/reload").status_code == 403
        assert exchange.post("/v1/admin/cluster/ethereum").status_code == 403
        webhook = exchange.put("/v1/orgs/me/webhook", json={"url": "https://8.8.8.8/freeze"})
        assert webhook.status_code == 200
    with server.client("operator") as operator:  # server-admin
        assert operator.post("/v1/admin/reload").status_code == 200
        assert operator.put("/v1/orgs/me/webhook", json={"url": "https://8.8.4.4/x"}).status_code == 403
