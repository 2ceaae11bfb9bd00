"""The UI's screening and freeze request pages over a real server and store: a pasted batch is screened
line by line by the API's own screening (bad lines named by number, good ones still screened, TLP
holding in what each organisation reads), and freeze requests are listed, shown and answered only as
the API's rules allow (a hidden request answers as a made-up one; answers need the session's CSRF
token and the addressed organisation)."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import httpx

from hotpursuit.interdict.freeze_messages import freeze_request_body, request_id
from hotpursuit.interdict.freeze_rules import FreezeCandidate
from hotpursuit.store.audit_tables import audit_entries
from hotpursuit.store.interdiction_tables import NewRequest, record_requests
from tests.security.conftest import Server, ui_cookie

ETH = 10**18
SANCTIONED = "0x" + "5a" * 20
HIDDEN = "0x" + "a7" * 20  # the agency's TLP:AMBER claim: its sharing group reads it, an outsider does not
THIEF, VICTIM = "0x" + "c1" * 20, "0x" + "c2" * 20
THEFT = "0x" + "d1" * 32
DEPOSIT = "0x" + "de" * 20
SATOSHI_ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def _entries(server: Server, action: str, wanted: int) -> list[str]:
    """The details of the audit log's entries of `action`, once at least `wanted` are flushed."""
    details: list[str] = []
    for _ in range(100):
        details = [e.detail for e in audit_entries(server.store) if e.action == action]
        if len(details) >= wanted:
            break
        time.sleep(0.05)
    return details


def _claims_and_a_saved_trace(server: Server) -> str:
    """A CLEAR sanctions listing, an AMBER claim and an AMBER incident whose saved trace taints THIEF."""
    server.store.execute("""INSERT INTO transfers VALUES ('ethereum', 1, ?, 0, 0, 'native', NULL, NULL, ?, ?, 'ETH',
                            '5000000000000000000'::BIGNUM, 'test')""", [THEFT, VICTIM, THIEF])
    with server.client("agency") as agency:
        for address, label, category, source, tlp in (
                (SANCTIONED, "Lazarus consolidation wallet", "sanctioned", "OFAC SDN list", "CLEAR"),
                (HIDDEN, "Nightjar cash-out desk", "thief", "NIS HUMINT-7731", "AMBER")):
            claim = agency.post("/v1/labels", json={"chain": "ethereum", "address": address, "label": label,
                                                    "category": category, "confidence": 90, "source": source,
                                                    "tlp": tlp})
            assert claim.status_code == 201, claim.text
        opened = agency.post("/v1/incidents", json={"name": "Operation Nightjar", "chain": "ethereum",
                                                    "sources": [THEFT], "tlp": "AMBER"})
        assert opened.status_code == 201, opened.text
        incident = str(opened.json()["id"])
        job = agency.post(f"/v1/incidents/{incident}/traces", json={"save": True}).json()["id"]
        for _ in range(200):
            if agency.get(f"/v1/traces/{job}").json()["status"] in ("done", "failed"):
                break
            time.sleep(0.05)
        assert agency.get(f"/v1/traces/{job}").json()["status"] == "done"
    return incident


def _row(page: str, address: str) -> str:
    """The result table's row of an address."""
    found = re.search(r"<tr class=\"risk-[a-z]+\">(?:(?!</tr>).)*" + re.escape(address) + r"(?:(?!</tr>).)*</tr>",
                      page, re.S)
    assert found is not None, f"no row for {address}"
    return found.group(0)


def test_a_pasted_batch_is_screened_line_by_line_and_tlp_holds(server: Server) -> None:
    incident = _claims_and_a_saved_trace(server)
    batch = "\n".join([SANCTIONED.upper().replace("0X", "0x"), "0x1234", "", HIDDEN, "dogecoin:DAbc",
                       f"bitcoin:{SATOSHI_ADDRESS}", THIEF])
    partner, outsider = ui_cookie(server, "exchange"), ui_cookie(server, "outsider")

    assert httpx.get(f"{server.base}/ui/screening").status_code == 303  # not signed in: to the login page
    form = httpx.get(f"{server.base}/ui/screening", headers=partner)
    assert form.status_code == 200 and 'name="batch"' in form.text and "100,000" in form.text
    forged = httpx.post(f"{server.base}/ui/screening", data={"batch": batch, "csrf": "guessed"}, headers=partner)
    assert forged.status_code == 403 and "Lazarus" not in forged.text

    seen = httpx.post(f"{server.base}/ui/screening", headers=partner,
                      data={"batch": batch, "chain": "ethereum", "csrf": _csrf(form.text)})
    assert seen.status_code == 200, seen.text
    assert "Traceback" not in seen.text
    assert re.search(r"Line 2 \(0x1234\): [^<]*0x1234", seen.text)  # named by its line, with the reason
    assert re.search(r"Line 5 \(DAbc\): [^<]*dogecoin", seen.text)  # the unknown chain, named
    assert "Line 3" not in seen.text and "4 address(es) screened, 2 line(s) not screened" in seen.text
    sanctioned = _row(seen.text, SANCTIONED)
    assert "severe" in sanctioned and ">100<" in sanctioned and "Lazarus consolidation wallet" in sanctioned
    assert f'href="/ui/addresses/ethereum/{SANCTIONED}"' in sanctioned
    assert "Nightjar cash-out desk" in _row(seen.text, HIDDEN)  # the agency's sharing group reads AMBER
    # the saved trace's exposure, in human units as the API gives it
    assert f"received 5 ETH tainted by incident {incident}" in _row(seen.text, THIEF)
    assert ">none<" in _row(seen.text, SATOSHI_ADDRESS)

    form = httpx.get(f"{server.base}/ui/screening", headers=outsider)
    hidden = httpx.post(f"{server.base}/ui/screening", headers=outsider,
                        data={"batch": batch, "chain": "ethereum", "csrf": _csrf(form.text)})
    assert hidden.status_code == 200
    assert "severe" in _row(hidden.text, SANCTIONED)  # CLEAR: everyone reads it
    assert "Nightjar" not in hidden.text and "HUMINT" not in hidden.text and incident not in hidden.text
    assert "1 claim(s) withheld from you" in _row(hidden.text, HIDDEN)
    assert "tainted" not in _row(hidden.text, THIEF)
    # audited as the API's batch is: one entry per chain and batch
    assert {"ethereum: 4 addresses", "bitcoin: 1 addresses"} <= set(_entries(server, "screen-batch", 4))


def test_the_single_address_form_and_the_screen_scope(server: Server) -> None:
    _claims_and_a_saved_trace(server)
    agency = ui_cookie(server, "agency")
    token = _csrf(httpx.get(f"{server.base}/ui/screening", headers=agency).text)
    one = httpx.post(f"{server.base}/ui/screening", headers=agency,
                     data={"chain": "ethereum", "address": HIDDEN, "csrf": token})
    assert one.status_code == 200 and "Nightjar cash-out desk" in _row(one.text, HIDDEN)
    assert f"ethereum:{HIDDEN}" in _entries(server, "screen", 1)  # revealed an AMBER claim: audited
    bad = httpx.post(f"{server.base}/ui/screening", headers=agency,
                     data={"chain": "ethereum", "address": "0xnot", "csrf": token})
    assert bad.status_code == 200 and "The single address 0xnot" in bad.text and "Traceback" not in bad.text
    too_many = httpx.post(f"{server.base}/ui/screening", headers=agency,
                          data={"batch": "\n".join([THIEF] * 100_001), "csrf": token})
    assert too_many.status_code == 400 and "100,001" in too_many.text and "<table>" not in too_many.text

    writer = ui_cookie(server, "agency-writer")  # read and write, no screen scope
    assert httpx.get(f"{server.base}/ui/screening", headers=writer).status_code == 403
    token = _csrf(httpx.get(f"{server.base}/ui/screening", headers=writer).text)
    refused = httpx.post(f"{server.base}/ui/screening", headers=writer,
                         data={"address": SANCTIONED, "chain": "ethereum", "csrf": token})
    assert refused.status_code == 403 and "Lazarus" not in refused.text and "screen scope" in refused.text


def _freeze_request(server: Server) -> tuple[str, str]:
    """The agency's TLP:RED incident and a signed freeze request of 7 ETH addressed to the exchange."""
    with server.client("agency") as agency:
        opened = agency.post("/v1/incidents", json={"name": "Operation Nightjar", "chain": "ethereum",
                                                    "sources": [THEFT], "tlp": "RED"})
        assert opened.status_code == 201, opened.text
        incident = str(opened.json()["id"])
    c = FreezeCandidate(incident, "ex-hanbit", DEPOSIT, "ETH", 7 * ETH, 9 * ETH,
                        [{"from": THIEF, "to": DEPOSIT, "asset": "ETH", "tx": "0x" + "e7" * 32,
                          "tainted": str(7 * ETH)}])
    rid = request_id(c, "0x" + "b0" * 32)
    body = freeze_request_body(rid, c, chain="ethereum", block_number=5, block_hash="0x" + "b0" * 32,
                               incident={"id": incident, "name": "Operation Nightjar", "actor": None},
                               requested_by={"org": "kr-nis"}, deadline="2026-11-25T00:00:00Z")
    assert record_requests(server.store, [NewRequest(
        rid, incident, "ex-hanbit", "ethereum", DEPOSIT, "ETH", c.amount, 5, "0x" + "b0" * 32,
        json.dumps(c.evidence), "kr-nis", dt.datetime(2026, 11, 25), body)]) == 1
    return incident, rid


def test_freeze_requests_are_seen_by_the_requester_and_the_addressed_exchange_only(server: Server) -> None:
    incident, rid = _freeze_request(server)
    agency, exchange, outsider = (ui_cookie(server, w) for w in ("agency", "exchange", "outsider"))

    own = httpx.get(f"{server.base}/ui/freeze-requests", headers=agency)
    assert own.status_code == 200 and rid in own.text and "7 ETH" in own.text and "ex-hanbit" in own.text
    assert f'href="/ui/incidents/{incident}"' in own.text and "not answered yet" in own.text
    addressed = httpx.get(f"{server.base}/ui/freeze-requests", headers=exchange)
    assert addressed.status_code == 200 and rid in addressed.text and "7 ETH" in addressed.text
    assert f'href="/ui/incidents/{incident}"' not in addressed.text  # the RED incident itself stays hidden
    other = httpx.get(f"{server.base}/ui/freeze-requests", headers=outsider)
    assert other.status_code == 200 and rid not in other.text and "No freeze request you may see" in other.text

    detail = httpx.get(f"{server.base}/ui/freeze-requests/{rid}", headers=exchange)
    assert detail.status_code == 200
    assert "7 ETH (7,000,000,000,000,000,000 base units)" in detail.text  # the signed body's amount
    assert "9 ETH (9,000,000,000,000,000,000 base units)" in detail.text  # tainted_total
    assert "0x" + "e7" * 32 in detail.text and "2026-11-25T00:00:00Z" in detail.text
    assert outbox_id_of(detail.text) and "Record the answer" in detail.text
    requester = httpx.get(f"{server.base}/ui/freeze-requests/{rid}", headers=agency)
    assert requester.status_code == 200 and "Operation Nightjar" in requester.text
    assert "Record the answer" not in requester.text  # only the addressed organisation answers

    hidden = httpx.get(f"{server.base}/ui/freeze-requests/{rid}", headers=outsider)
    made_up = "fr-" + "0" * 20
    missing = httpx.get(f"{server.base}/ui/freeze-requests/{made_up}", headers=outsider)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace(rid, "X") == missing.text.replace(made_up, "X")
    assert "Nightjar" not in hidden.text and "7 ETH" not in hidden.text


def outbox_id_of(page: str) -> str | None:
    found = re.search(r"<td>(ob-[0-9a-f]{20})</td><td>freeze_request</td>", page)
    return None if found is None else found.group(1)


def _status(server: Server, rid: str) -> tuple[str, str | None, str | None]:
    row = server.store.execute("SELECT status, amount_frozen::VARCHAR, answer_reason FROM freeze_requests "
                               "WHERE id = ?", [rid]).fetchone()
    assert row is not None
    return str(row[0]), row[1], row[2]


def test_answers_need_csrf_and_the_addressed_exchange_and_show_the_response_time(server: Server) -> None:
    _, rid = _freeze_request(server)
    agency, exchange, outsider = (ui_cookie(server, w) for w in ("agency", "exchange", "outsider"))
    url = f"{server.base}/ui/freeze-requests/{rid}/answer"
    partial = {"status": "partial", "amount": "2.5", "unit": "asset", "reason": "account held 2.5"}

    assert httpx.post(url, data=partial, headers=exchange).status_code == 403  # no token
    assert httpx.post(url, data={**partial, "csrf": "guessed"}, headers=exchange).status_code == 403
    agency_token = _csrf(httpx.get(f"{server.base}/ui/freeze-requests/{rid}", headers=agency).text)
    by_requester = httpx.post(url, data={**partial, "csrf": agency_token}, headers=agency)
    assert by_requester.status_code == 403 and "Only the organisation the request is addressed to" in by_requester.text
    outsider_token = _csrf(httpx.get(f"{server.base}/ui/freeze-requests", headers=outsider).text)
    by_outsider = httpx.post(url, data={**partial, "csrf": outsider_token}, headers=outsider)
    assert by_outsider.status_code == 404 and "Nightjar" not in by_outsider.text
    assert _status(server, rid) == ("sent", None, None)  # nothing was recorded

    token = _csrf(httpx.get(f"{server.base}/ui/freeze-requests/{rid}", headers=exchange).text)
    for wrong, why in (({"amount": "7.5"}, "less than"), ({"amount": "0.0000000000000000001"}, "decimal places"),
                       ({"amount": "2,5x"}, "not an amount"), ({"amount": "2.5", "unit": "base"}, "whole number"),
                       ({"amount": "", "status": "partial"}, "how much"), ({"status": "frozen"}, "status")):
        refused = httpx.post(url, data={**partial, **wrong, "csrf": token}, headers=exchange)
        assert refused.status_code == 400 and why in refused.text and "Traceback" not in refused.text, wrong
    assert _status(server, rid) == ("sent", None, None)

    done = httpx.post(url, data={**partial, "csrf": token}, headers=exchange)
    assert done.status_code == 303 and done.headers["location"] == f"/ui/freeze-requests/{rid}"
    assert _status(server, rid) == ("partial", str(25 * ETH // 10), "account held 2.5")  # exact base units
    assert f"{rid} partial {25 * ETH // 10}" in _entries(server, "answer-freeze-request", 1)
    # a known response time: created 2 min 5 s before the answer
    server.store.execute("UPDATE freeze_requests SET created_at = answered_at - INTERVAL 125 SECOND WHERE id = ?",
                         [rid])
    shown = httpx.get(f"{server.base}/ui/freeze-requests/{rid}", headers=exchange).text
    assert "partial by ex-hanbit at 20" in shown and "frozen 2.5 ETH" in shown and "2 min 5 s" in shown
    listed = httpx.get(f"{server.base}/ui/freeze-requests", headers=agency).text  # the requester reads the answer
    assert "frozen 2.5 ETH" in listed and "2 min 5 s" in listed and "account held 2.5" in listed

    declined = httpx.post(url, data={"status": "declined", "reason": "court order needed", "csrf": token},
                          headers=exchange)
    assert declined.status_code == 303 and _status(server, rid) == ("declined", "0", "court order needed")
    frozen_all = httpx.post(url, data={"status": "accepted", "amount": "", "csrf": token}, headers=exchange)
    assert frozen_all.status_code == 303 and _status(server, rid) == ("accepted", str(7 * ETH), None)
