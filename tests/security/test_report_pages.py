"""Victims' reports and scam cases in the UI over a real server: reports taken through the page's form are
the API's (checked, stored and audited alike); who the victim is, their contact and their own words show
to the organisation that took the report only, whatever its TLP, and so do a case's per-victim findings
and its likely further victims; a partner in the sharing group reads an AMBER report's facts and the
case's ring, an outsider gets the page for no case. Forms without the session's CSRF token store nothing;
a bad report comes back with the reason naming the field and what was typed; a CSV upload takes the good
rows and lists each bad one with its reason."""

from __future__ import annotations

import time
from typing import Any

import httpx

from hotpursuit.store import Store
from hotpursuit.store.audit_tables import audit_entries
from tests.security.conftest import Server, ui_cookie

ETH = 10**18


def _address(n: int) -> str:
    return "0x" + f"{n:02x}" * 20


def _tx(n: int) -> str:
    return "0x" + f"{n:02x}" * 32


VICTIMS = [_address(0x11), _address(0x12), _address(0x13)]
UNREPORTED = _address(0x14)  # paid a deposit address of the ring, never reported it
DEPOSITS = [_address(0xD1), _address(0xD2), _address(0xD3)]
COLLECTOR = _address(0xCC)
RING_MOVES = [(VICTIMS[0], DEPOSITS[0], ETH), (VICTIMS[1], DEPOSITS[1], 2 * ETH), (VICTIMS[2], DEPOSITS[1], ETH // 2),
              (UNREPORTED, DEPOSITS[2], 3 * ETH), (DEPOSITS[0], COLLECTOR, ETH),
              (DEPOSITS[1], COLLECTOR, 5 * ETH // 2), (DEPOSITS[2], COLLECTOR, 3 * ETH)]
RING_TXS = [_tx(n) for n in range(1, len(RING_MOVES) + 1)]  # victim i paid in RING_TXS[i]
MISSING_TX = _tx(0x99)  # a transaction the store does not hold


def insert_ring(store: Store) -> None:
    """A small ring on ethereum, as the chain data holds it: three reporting victims and one who did not report
    pay three deposit addresses, which all sweep to one collector."""
    for block, ((sender, receiver, amount), tx) in enumerate(zip(RING_MOVES, RING_TXS, strict=True), start=1):
        store.execute("""INSERT INTO transfers VALUES ('ethereum', ?, ?, 0, 0, 'native', NULL, NULL, ?, ?, 'ETH',
                         ?::BIGNUM, 'test')""", [block, tx, sender, receiver, str(amount)])


def report_form(**changes: str) -> dict[str, str]:
    """The report form's fields, as a browser sends them."""
    fields = {"reference": "VR-0001", "chain": "ethereum", "paid_at": "2026-03-02T14:05+09:00", "amount": "1",
              "asset": "ETH", "tx_hashes": RING_TXS[0], "from_addresses": "", "paid_to": DEPOSITS[0],
              "website": "https://hanbit-pro.exchange/login", "phone": "+82 2-555-0142", "app": "",
              "text": "상담원이 수익을 보여주며 추가 입금을 요구했습니다", "language": "", "victim_name": "김민지",
              "victim_contact": "010-2345-6789", "tlp": "RED"}
    return {**fields, **changes}


def csrf_of(page: str) -> str:
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def _get(server: Server, session: dict[str, str], path: str) -> httpx.Response:
    return httpx.get(f"{server.base}{path}", headers=session)


def _post(server: Server, session: dict[str, str], path: str, data: dict[str, Any],
          files: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.post(f"{server.base}{path}", data=data, files=files, headers=session, follow_redirects=False)


def _stored(server: Server) -> list[dict[str, Any]]:
    with server.client("agency") as agency:
        answer = agency.get("/v1/reports")
        assert answer.status_code == 200, answer.text
        return list(answer.json()["reports"])


def test_victims_show_to_their_organisation_only_and_the_case_s_victim_side_too(server: Server) -> None:
    insert_ring(server.store)
    agency, partner, outsider = (ui_cookie(server, w) for w in ("agency", "exchange", "outsider"))
    token = csrf_of(_get(server, agency, "/ui/reports").text)
    people = [("김민지", "010-2345-6789", "1", "상담원이 추가 입금을 요구했습니다"),
              ("Park Ji-hoon", "jh.park@example.kr", "2", "They promised 30% a week"),
              ("Lee Seo-yeon", "010-7777-1234", "0.5", "출금이 막혔습니다")]
    for i, (name, contact, amount, words) in enumerate(people):
        taken = _post(server, agency, "/ui/reports", {**report_form(
            reference=f"VR-000{i + 1}", tx_hashes=RING_TXS[i], paid_to=DEPOSITS[min(i, 1)], victim_name=name,
            victim_contact=contact, amount=amount, tlp="RED" if i == 0 else "AMBER", text=words), "csrf": token})
        assert taken.status_code == 303 and taken.headers["location"].startswith("/ui/reports#vr-"), taken.text
    lost = _post(server, agency, "/ui/reports", {**report_form(reference="VR-0004", tx_hashes=MISSING_TX,
                                                               paid_to="", victim_name="Choi Da-eun"), "csrf": token})
    assert lost.status_code == 303
    assert len(_stored(server)) == 4
    assert len([e for e in audit_entries(server.store) if e.action == "take-report"]) == 4

    built = _post(server, agency, "/ui/cases", {"name": "Hanbit Pro ring", "chain": "ethereum", "tlp": "AMBER",
                                                "csrf": token})
    assert built.status_code == 303 and built.headers["location"].startswith("/ui/cases/hanbit-pro-ring-"), built.text
    case_url = built.headers["location"]
    case_id = case_url.rsplit("/", 1)[1]
    for _ in range(100):  # the build runs on the worker; its entry is journaled, then written by the flusher
        built_entries = [e.detail for e in audit_entries(server.store) if e.action == "build-case"]
        if built_entries:
            break
        time.sleep(0.05)
    assert built_entries == [f"{case_id} (4 reports, TLP:AMBER)"]

    own = _get(server, agency, "/ui/reports").text
    assert "김민지" in own and "010-2345-6789" in own and "상담원이 추가 입금을 요구했습니다" in own
    assert f'href="/ui/cases/{case_id}"' in own and 'href="/ui/reports"' in own  # the case, and the nav link
    page = _get(server, agency, case_url)
    assert page.status_code == 200, page.text
    ranked = page.text.split('id="collectors"', 1)[1].split("</table>", 1)[0]
    first = ranked.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert f"/ui/addresses/ethereum/{COLLECTOR}" in first and "<td>3</td>" in first  # three victims met there
    assert "3.5 ETH" in first and 'title="3,500,000,000,000,000,000 base units"' in first  # human, from base units
    assert f'href="/ui/incidents/{case_id}"' in page.text and f'href="/ui/incidents/{case_id}/graph"' in page.text
    victims = page.text.split('id="victims"', 1)[1]
    assert "김민지" in victims and "Park Ji-hoon" in victims and VICTIMS[1] in victims
    assert "is not in the store" in victims  # VR-0004: why its payment was not found
    assert "0.5 ETH" in victims and "held by" in victims  # per victim: how much is where
    assert 'id="further"' in page.text and UNREPORTED in page.text  # the likely further victim
    link = _get(server, agency, f"/ui/cases/{case_id}/link")
    assert link.status_code == 200 and f'href="/ui/cases/{case_id}"' in link.text and "<html" not in link.text
    assert 'hx-get="/ui/cases/' in _get(server, agency, f"/ui/incidents/{case_id}").text  # the board loads it

    shared = _get(server, partner, "/ui/reports")
    assert shared.status_code == 200
    assert "VR-0002" in shared.text and "VR-0003" in shared.text and DEPOSITS[1] in shared.text  # AMBER facts
    assert "hanbit-pro.exchange" in shared.text
    assert "VR-0001" not in shared.text  # RED: the agency's only
    for secret in ("김민지", "Park Ji-hoon", "jh.park@example.kr", "Lee Seo-yeon", "010-7777-1234",
                   "They promised 30% a week", "출금이 막혔습니다", "Choi Da-eun"):
        assert secret not in shared.text, secret
    seen = _get(server, partner, case_url)
    assert seen.status_code == 200 and COLLECTOR in seen.text  # the ring, as the case's TLP allows
    assert 'id="victims"' not in seen.text and 'id="further"' not in seen.text
    for secret in ("김민지", "Park Ji-hoon", "Lee Seo-yeon", "Choi Da-eun", UNREPORTED, *VICTIMS):
        assert secret not in seen.text, secret
    assert f'href="/ui/cases/{case_id}"' in _get(server, partner, f"/ui/cases/{case_id}/link").text

    hidden = _get(server, outsider, case_url)
    assert hidden.status_code == 404 and COLLECTOR not in hidden.text
    missing = _get(server, outsider, "/ui/cases/no-such-case")
    assert missing.status_code == 404 and missing.text.replace("no-such-case", case_id) == hidden.text
    assert _get(server, outsider, f"/ui/cases/{case_id}/link").text == ""
    nothing = _get(server, outsider, "/ui/reports").text
    assert "No report you may see." in nothing and "VR-000" not in nothing


def test_forms_without_the_session_s_token_store_nothing(server: Server) -> None:
    insert_ring(server.store)
    agency, outsider = ui_cookie(server, "agency"), ui_cookie(server, "outsider")
    token = csrf_of(_get(server, agency, "/ui/reports").text)
    others = csrf_of(_get(server, outsider, "/ui/reports").text)
    for forged in ({}, {"csrf": "guessed"}, {"csrf": others}):
        refused = _post(server, agency, "/ui/reports", {**report_form(), **forged})
        assert refused.status_code == 403 and "not this session" in refused.text, refused.text
        upload = _post(server, agency, "/ui/reports/intake", forged,
                       files={"file": ("reports.csv", b"chain,paid_to\nethereum," + DEPOSITS[0].encode() + b"\n")})
        assert upload.status_code == 403 and "not this session" in upload.text
        case = _post(server, agency, "/ui/cases", {"name": "Forged", "chain": "ethereum", "tlp": "AMBER", **forged})
        assert case.status_code == 403 and "not this session" in case.text
    assert _stored(server) == []
    assert not [e for e in audit_entries(server.store) if e.action in ("take-report", "build-case")]
    assert _post(server, agency, "/ui/reports", {**report_form(), "csrf": token}).status_code == 303


def test_a_bad_report_comes_back_with_the_field_s_reason_and_nothing_is_stored(server: Server) -> None:
    insert_ring(server.store)
    agency, exchange = ui_cookie(server, "agency"), ui_cookie(server, "exchange")
    token = csrf_of(_get(server, agency, "/ui/reports").text)
    for changes, reason in [({"paid_to": "0x12"}, "paid_to: "), ({"chain": "eth"}, "chain: "),
                            ({"tx_hashes": "0xab"}, "tx_hashes[0]: "), ({"amount": "1.5e3"}, "amount: "),
                            ({"paid_at": "2026-03-02T14:05"}, "paid_at: "), ({"language": "jp"}, "language: "),
                            ({"tx_hashes": "", "paid_to": ""}, "tx_hashes, from_addresses, paid_to: "),
                            ({"text": "x" * 20_001}, "text: ")]:
        refused = _post(server, agency, "/ui/reports", {**report_form(**changes), "csrf": token})
        assert refused.status_code == 400 and 'role="alert"' in refused.text, (changes, refused.text[:300])
        assert reason in refused.text, (reason, refused.text)
        assert 'value="김민지"' in refused.text  # what was typed comes back
    assert _stored(server) == []
    # building a case: an agency's only; without reports, the reason
    partner_token = csrf_of(_get(server, exchange, "/ui/reports").text)
    assert "build-case" not in _get(server, exchange, "/ui/reports").text
    refused = _post(server, exchange, "/ui/cases", {"name": "Ring", "chain": "ethereum", "tlp": "AMBER",
                                                    "csrf": partner_token})
    assert refused.status_code == 403 and "agency" in refused.text
    empty = _post(server, agency, "/ui/cases", {"name": "Ring", "chain": "ethereum", "tlp": "AMBER", "csrf": token})
    assert empty.status_code == 400 and "no reports of kr-nis on ethereum" in empty.text
    assert 'value="Ring"' in empty.text


def test_a_csv_upload_takes_the_good_rows_and_names_each_bad_one(server: Server) -> None:
    insert_ring(server.store)
    agency = ui_cookie(server, "agency")
    token = csrf_of(_get(server, agency, "/ui/reports").text)
    form = "\n".join([
        "reference,chain,paid_at,amount,asset,tx_hashes,paid_to,website,text,victim_name,victim_contact,tlp",
        f"KNPA-1,ethereum,2026-03-02,1,ETH,{RING_TXS[0]},{DEPOSITS[0]},hanbit-pro.exchange,수익 보장,김민지,010-1,RED",
        f"KNPA-2,ethereum,02/03/2026,2,ETH,{RING_TXS[1]},{DEPOSITS[1]},hanbit-pro.exchange,,Park,,RED",
        f"KNPA-3,ethereum,2026-03-03,0.5,ETH,{RING_TXS[2]},{DEPOSITS[1]},hanbit-pr0.exchange,,Lee,,AMBER", ""])
    answer = _post(server, agency, "/ui/reports/intake", {"csrf": token},
                   files={"file": ("reports.csv", form.encode(), "text/csv")})
    assert answer.status_code == 200, answer.text
    assert "2 report(s) taken (2 new, 0 updated, 0 already held), 1 rejected." in answer.text
    rejected = answer.text.split("Rows rejected", 1)[1].split("</table>", 1)[0]
    assert "reports.csv:3" in rejected and "paid_at: &#39;02/03/2026&#39; is not a date" in rejected
    assert sorted(r["reference"] for r in _stored(server)) == ["KNPA-1", "KNPA-3"]
    assert "KNPA-1" in answer.text and "김민지" in answer.text  # listed at once

    again = _post(server, agency, "/ui/reports/intake", {"csrf": token},
                  files={"file": ("reports.csv", form.encode(), "text/csv")})
    assert "2 report(s) taken (0 new, 0 updated, 2 already held), 1 rejected." in again.text
    too_large = _post(server, agency, "/ui/reports/intake", {"csrf": token},
                      files={"file": ("big.csv", form.encode() + b"x" * (2 * 1024 * 1024), "text/csv")})
    assert too_large.status_code == 413 and "larger than 2,048 KiB" in too_large.text
    not_utf8 = _post(server, agency, "/ui/reports/intake", {"csrf": token},
                     files={"file": ("euc-kr.csv", form.encode("euc-kr"), "text/csv")})
    assert not_utf8.status_code == 400 and "euc-kr.csv is not UTF-8 text" in not_utf8.text
    not_a_form = _post(server, agency, "/ui/reports/intake", {"csrf": token},
                       files={"file": ("notes.csv", b"name,amount\nKim,1\n", "text/csv")})
    assert not_a_form.status_code == 400 and "notes.csv:1: column &#39;name&#39;" in not_a_form.text
    assert len(_stored(server)) == 2
