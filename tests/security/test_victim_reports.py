"""Victims' reports through the real API: taken with scope `write`, checked field by field (a bad one is a
400 or 422 naming the field, nothing stored), filed twice is one report; read back by whom their TLP allows,
and who the victim is and their own words never leave the organisation that took them, whatever the TLP."""

from __future__ import annotations

from typing import Any

from tests.security.conftest import Server

SENDER = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
PAID_TO = "0x" + "5a" * 20
VICTIM = {"name": "김민지", "contact": "010-2345-6789, 서울 마포구"}


def _report(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"reference": "VR-0007", "chain": "ethereum", "paid_at": "2026-03-02T14:05:00+09:00",
                            "amount": "3,000", "asset": "USDT", "from_addresses": [SENDER], "paid_to": PAID_TO,
                            "website": "https://hanbit-pro.exchange/login", "phone": "+82 2-555-0142",
                            "text": "상담원이 수익을 보여주며 추가 입금을 요구했습니다", "victim": VICTIM}
    return {**body, **changes}


def test_the_owner_reads_all_and_partners_only_what_the_tlp_allows_without_the_victim(server: Server) -> None:
    with server.client("agency") as agency, server.client("exchange") as partner, \
            server.client("outsider") as outsider:
        red = agency.post("/v1/reports", json=_report())
        amber = agency.post("/v1/reports", json=_report(reference="VR-0008", tlp="amber"))
        assert red.status_code == amber.status_code == 201, (red.text, amber.text)
        assert red.json()["status"] == "new"
        again = agency.post("/v1/reports", json=_report())
        assert again.json() == {"id": red.json()["id"], "status": "unchanged"}
        corrected = agency.post("/v1/reports", json=_report(amount="3100"))
        assert corrected.json() == {"id": red.json()["id"], "status": "updated"}

        own = agency.get(f"/v1/reports/{red.json()['id']}").json()
        assert own["victim"] == VICTIM and own["text"].startswith("상담원이")
        assert own["amount"] == "3100" and own["paid_on"] == "2026-03-02"
        assert own["paid_at"] == "2026-03-02T05:05:00+00:00"
        assert own["from_addresses"] == [SENDER.lower()] and own["tlp"] == "RED"
        assert agency.get("/v1/reports").json()["total"] == 2

        # a partner in the task force's sharing group: the AMBER report's facts, never the victim or their words
        assert partner.get(f"/v1/reports/{red.json()['id']}").status_code == 404
        shared = partner.get("/v1/reports").json()
        assert [r["reference"] for r in shared["reports"]] == ["VR-0008"]
        assert shared["reports"][0]["victim"] is None and shared["reports"][0]["text"] is None
        assert shared["reports"][0]["paid_to"] == PAID_TO and shared["reports"][0]["website"]
        assert "김민지" not in partner.get(f"/v1/reports/{amber.json()['id']}").text
        # outside the group: nothing, answered as none
        assert outsider.get("/v1/reports").json() == {"total": 0, "next": None, "reports": []}
        assert outsider.get(f"/v1/reports/{amber.json()['id']}").status_code == 404


def test_bad_reports_are_refused_naming_the_field_and_nothing_is_stored(server: Server) -> None:
    with server.client("agency") as agency:
        for changes, field in [({"chain": "eth"}, "chain"), ({"paid_to": "0x12"}, "paid_to"),
                               ({"tx_hashes": ["0xab"]}, "tx_hashes[0]"), ({"amount": "1.5e3"}, "amount"),
                               ({"paid_at": "02/03/2026"}, "paid_at"), ({"paid_at": "2026-03-02T14:05"}, "paid_at"),
                               ({"from_addresses": [], "paid_to": None}, "tx_hashes, from_addresses, paid_to"),
                               ({"language": "jp"}, "language"), ({"tlp": "purple"}, "tlp")]:
            answer = agency.post("/v1/reports", json=_report(**changes))
            assert answer.status_code in (400, 422), (changes, answer.text)
            assert field in answer.text, (field, answer.text)
        assert agency.get("/v1/reports").json()["total"] == 0


def test_taking_a_report_needs_the_write_scope(server: Server) -> None:
    with server.client("slow") as screen_only:
        assert screen_only.post("/v1/reports", json=_report()).status_code == 403
