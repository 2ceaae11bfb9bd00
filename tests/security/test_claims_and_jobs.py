"""Claims carry trust, and one organisation cannot fill the server or overwrite another's work: a
sanctions claim by an exchange at confidence 0 made an address severe 100 for everyone; anyone who could
see an incident could overwrite its owner's saved trace; the trace queue was unbounded; incident ids were
guessable from names and a clash confirmed that another organisation's incident existed."""

from __future__ import annotations

from tests.security.conftest import Server

ADDRESS = "0x" + "5a" * 20
CLAIM = {"chain": "ethereum", "address": ADDRESS, "label": "listed?", "category": "sanctioned",
         "confidence": 50, "source": "a rumour", "tlp": "CLEAR"}


def test_only_authorities_assert_sanctions_and_no_claim_of_confidence_zero(server: Server) -> None:
    with server.client("exchange") as exchange, server.client("agency") as agency:
        refused = exchange.post("/v1/labels", json=CLAIM)
        assert refused.status_code == 403 and "authorities" in refused.json()["error"]["message"]
        zero = agency.post("/v1/labels", json={**CLAIM, "confidence": 0})
        assert zero.status_code == 422 and zero.json()["error"]["field"] == "confidence"
        assert exchange.get(f"/v1/screen/ethereum/{ADDRESS}").json()["risk"] == "none"
        scam = exchange.post("/v1/labels", json={**CLAIM, "category": "thief", "confidence": 100})
        assert scam.status_code == 201
        score = exchange.get(f"/v1/screen/ethereum/{ADDRESS}").json()["score"]
        assert score == 95  # an exchange's claim counts with its weight and confidence (thief: 95 at 100%)
        listed = agency.post("/v1/labels", json={**CLAIM, "confidence": 10})
        assert listed.status_code == 201
        assert exchange.get(f"/v1/screen/ethereum/{ADDRESS}").json()["score"] == 100  # an agency's listing


def test_a_partner_cannot_save_over_the_owner_s_trace_nor_flood_the_queue(server: Server) -> None:
    with server.client("agency") as agency, server.client("exchange") as partner:
        opened = agency.post("/v1/incidents", json={"name": "case", "chain": "ethereum",
                                                    "sources": ["0x" + "11" * 32], "tlp": "GREEN"})
        incident = opened.json()["id"]
        refused = partner.post(f"/v1/incidents/{incident}/traces", json={"save": True})
        assert refused.status_code == 403 and "only the incident's owner" in refused.json()["error"]["message"]
        for i in range(8):  # eight of the partner's traces waiting in the worker's queue
            server.store.execute("""INSERT INTO trace_jobs (id, incident_id, model, requested_by, status)
                                    VALUES (?, ?, 'haircut', 'ex-hanbit', 'queued')""", [f"tr-waiting-{i}", incident])
        flooded = partner.post(f"/v1/incidents/{incident}/traces", json={})
        assert flooded.status_code == 429 and flooded.json()["error"]["code"] == "rate_limited"
        assert agency.post(f"/v1/incidents/{incident}/traces", json={}).status_code == 202  # others go on


def test_incident_ids_are_not_guessable_and_clashes_confirm_nothing(server: Server) -> None:
    with server.client("agency") as agency, server.client("exchange") as other:
        body = {"name": "Bybit 2025-02-21", "chain": "ethereum", "sources": ["0x" + "11" * 32], "tlp": "RED"}
        first = agency.post("/v1/incidents", json=body).json()["id"]
        assert first.startswith("bybit-2025-02-21-") and len(first) > len("bybit-2025-02-21-") + 8
        assert agency.post("/v1/incidents", json=body).status_code == 409  # the owner's own clash
        assert other.get(f"/v1/incidents/{first}/board").status_code == 404
        assert other.get("/v1/incidents/bybit-2025-02-21/board").status_code == 404


def test_a_sanctions_claim_by_no_authority_never_scores_100() -> None:
    """An exchange's own list imported as `sanctioned` (its org owns the claims): weighed by confidence and
    capped below 100; the operator's official lists and agencies score 100 at any confidence."""
    from hotpursuit.screening.index import IndexedClaim, claim_points

    def claim(confidence: int, authority: bool) -> IndexedClaim:
        return IndexedClaim("x", "sanctioned", None, confidence, "list", "CLEAR", "ex-hanbit", None,
                            authority=authority)

    assert [claim_points(claim(c, False)) for c in (0, 50, 100)] == [0, 50, 99]
    assert [claim_points(claim(c, True)) for c in (0, 50, 100)] == [100, 100, 100]


def test_a_claim_reaches_its_cluster_at_once_and_its_owner_withdraws_it(server: Server) -> None:
    """API-posted claims were inherited by their cluster only after a reload, and could not be withdrawn."""
    member = "0x" + "5b" * 20
    for address in (ADDRESS, member):
        server.store.execute("INSERT INTO clusters VALUES ('ethereum', ?, 7, 'deposit address sweep', 90)", [address])
    thief = {**CLAIM, "category": "thief", "confidence": 100, "label": "Lazarus layering wallet"}
    with server.client("agency") as agency, server.client("exchange") as exchange:
        assert agency.post("/v1/labels", json=thief).status_code == 201
        inherited = exchange.get(f"/v1/screen/ethereum/{member}").json()
        assert inherited["score"] == 95 and inherited["direct"][0]["via"] == ADDRESS
        assert exchange.post("/v1/labels/withdraw", json={"chain": "ethereum", "address": ADDRESS,
                                                          "category": "thief"}).status_code == 404  # not its own
        done = agency.post("/v1/labels/withdraw", json={"chain": "ethereum", "address": ADDRESS, "category": "thief"})
        assert done.status_code == 200 and done.json()["withdrawn"] == 1
        for address in (ADDRESS, member):
            assert exchange.get(f"/v1/screen/ethereum/{address}").json()["risk"] == "none", address
        assert agency.get(f"/v1/labels/ethereum/{ADDRESS}").json()["claims"] == []
    kept = server.store.execute("SELECT label, withdrawn_by FROM labels_withdrawn").fetchall()
    assert kept == [("Lazarus layering wallet", "kr-nis")]
