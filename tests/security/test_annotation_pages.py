"""The UI's notes panel over a real server: a form without the session's CSRF token stores nothing, a
note posted with it shows in its author's panel (as htmx swaps it in, and without JavaScript) and in
nobody's whom its TLP excludes, hidden incidents answer as missing ones, and bad fields come back with
the reason and what was typed."""

from __future__ import annotations

import httpx

from hotpursuit.store.audit_tables import audit_entries
from tests.security.conftest import Server, ui_cookie

SUSPECT = "0x" + "c7" * 20
HTMX = {"HX-Request": "true"}
PANEL = {"subject_kind": "address", "chain": "ethereum", "subject": SUSPECT}


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def _panel(server: Server, session: dict[str, str], **params: str) -> httpx.Response:
    return httpx.get(f"{server.base}/ui/annotations", params=params or PANEL, headers={**session, **HTMX})


def _api_notes(server: Server, who: str) -> list[str]:
    with server.client(who) as client:
        answer = client.get("/v1/annotations", params=PANEL)
        assert answer.status_code == 200, answer.text
        return [a["note"] for a in answer.json()["annotations"]]


def test_a_note_needs_the_session_s_csrf_token_and_shows_only_to_whom_its_tlp_allows(server: Server) -> None:
    agency, outsider, partner = (ui_cookie(server, w) for w in ("agency", "outsider", "exchange"))
    empty = _panel(server, agency)
    assert empty.status_code == 200 and "No note you may see." in empty.text
    assert empty.text.startswith('<section class="annotations"') and "<html" not in empty.text  # a fragment
    assert 'hx-post="/ui/annotations"' in empty.text and 'hx-swap="outerHTML"' in empty.text
    assert "default-src 'self'" in empty.headers["content-security-policy"]
    token = _csrf(empty.text)
    note = {**PANEL, "note": "Nightjar cash-out desk <script>alert(1)</script>", "tags": "Cash-Out lazarus",
            "tlp": "AMBER"}

    for forged in ({}, {"csrf": "guessed"}, {"csrf": _csrf(_panel(server, outsider).text)}):  # none, wrong, B's
        for extra in (HTMX, {}):
            refused = httpx.post(f"{server.base}/ui/annotations", data={**note, **forged}, headers={**agency, **extra})
            assert refused.status_code == 403 and "not this session" in refused.text, refused.text
            assert "Nightjar" not in refused.text
    assert _api_notes(server, "agency") == []
    assert not [e for e in audit_entries(server.store) if e.action == "add-annotation"]

    saved = httpx.post(f"{server.base}/ui/annotations", data={**note, "csrf": token}, headers={**agency, **HTMX})
    assert saved.status_code == 200 and saved.text.startswith('<section class="annotations"'), saved.text
    assert "Nightjar cash-out desk &lt;script&gt;" in saved.text and "<script>alert" not in saved.text
    assert '<span class="tlp tlp-AMBER">TLP:AMBER</span>' in saved.text and "kr-nis" in saved.text
    assert '<code class="tag">cash-out</code>' in saved.text and " UTC</time>" in saved.text
    assert _api_notes(server, "agency") == ["Nightjar cash-out desk <script>alert(1)</script>"]  # the same store
    assert len([e for e in audit_entries(server.store) if e.action == "add-annotation"]) == 1

    assert "Nightjar" in _panel(server, agency).text
    assert "Nightjar" in _panel(server, partner).text  # AMBER: the sharing group
    hidden = _panel(server, outsider)
    assert hidden.status_code == 200 and "Nightjar" not in hidden.text and "No note you may see." in hidden.text

    red = httpx.post(f"{server.base}/ui/annotations", data={**PANEL, "note": "HUMINT-7731 says so", "tlp": "RED",
                                                           "csrf": token}, headers=agency)  # without JavaScript
    assert red.status_code == 303
    back = httpx.get(f"{server.base}{red.headers['location']}", headers=agency)
    assert back.status_code == 200 and "<html" in back.text and "HUMINT-7731" in back.text
    assert f'href="/ui/addresses/ethereum/{SUSPECT}"' in back.text
    assert "HUMINT" not in _panel(server, partner).text and "HUMINT" not in _panel(server, outsider).text


def test_bad_fields_come_back_with_the_reason_and_what_was_typed(server: Server) -> None:
    agency = ui_cookie(server, "agency")
    token = _csrf(_panel(server, agency).text)
    typed = {**PANEL, "note": "Kestrel relay wallet", "tags": "ok, Not A Tag!", "tlp": "AMBER", "csrf": token}
    swapped = httpx.post(f"{server.base}/ui/annotations", data=typed, headers={**agency, **HTMX})
    assert swapped.status_code == 200 and 'role="alert"' in swapped.text and "tags: " in swapped.text
    assert ">Kestrel relay wallet</textarea>" in swapped.text  # nothing typed is lost
    plain = httpx.post(f"{server.base}/ui/annotations", data={**typed, "tlp": "PURPLE", "tags": ""}, headers=agency)
    assert plain.status_code == 400 and "tlp: " in plain.text and "<html" in plain.text
    long = httpx.post(f"{server.base}/ui/annotations", data={**typed, "tags": "", "note": "x" * 4001}, headers=agency)
    assert long.status_code == 400 and "note: " in long.text
    bad = httpx.post(f"{server.base}/ui/annotations", data={**typed, "subject": "0x1234"}, headers=agency)
    assert bad.status_code == 400 and "subject: " in bad.text and "Traceback" not in bad.text
    assert _api_notes(server, "agency") == []


def test_hidden_incidents_answer_as_missing_and_signed_out_readers_go_to_the_login(server: Server) -> None:
    with server.client("agency") as client:
        opened = client.post("/v1/incidents", json={"name": "Operation Nightjar", "chain": "ethereum",
                                                    "sources": ["0x" + "d1" * 32], "tlp": "RED"})
        assert opened.status_code == 201
        red = opened.json()["id"]
        assert client.post("/v1/annotations", json={"subject_kind": "incident", "subject": red,
                                                    "note": "Nightjar GREEN note", "tlp": "GREEN"}).status_code == 201
    agency, outsider = ui_cookie(server, "agency"), ui_cookie(server, "outsider")
    own = _panel(server, agency, subject_kind="incident", subject=red)
    assert own.status_code == 200 and "Nightjar GREEN note" in own.text
    hidden = _panel(server, outsider, subject_kind="incident", subject=red)
    made_up = _panel(server, outsider, subject_kind="incident", subject=red[:-4] + "0000")
    assert hidden.status_code == made_up.status_code == 404 and "Nightjar" not in hidden.text
    assert hidden.text.replace(red, "X") == made_up.text.replace(red[:-4] + "0000", "X")
    token = _csrf(_panel(server, outsider).text)
    refused = httpx.post(f"{server.base}/ui/annotations", data={"subject_kind": "incident", "subject": red,
                                                               "note": "x", "csrf": token}, headers=outsider)
    assert refused.status_code == 404 and "Nightjar" not in refused.text

    signed_out = httpx.get(f"{server.base}/ui/annotations", params=PANEL, headers=HTMX)
    assert signed_out.status_code == 401 and signed_out.headers["hx-redirect"] == "/ui/login"
    plain = httpx.get(f"{server.base}/ui/annotations", params=PANEL)
    assert plain.status_code == 303 and plain.headers["location"] == "/ui/login"
