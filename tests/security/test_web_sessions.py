"""The web UI's sign-in: the key stays on the server (the browser holds an HttpOnly, Secure,
SameSite=Strict session cookie), forms carry the session's CSRF token, a revoked key ends its sessions
at once, and pages show what the API's visibility function lets the caller see."""

from __future__ import annotations

import httpx
import pytest

from tests.security.conftest import Server, ui_sign_in


def _sign_in(server: Server, who: str) -> tuple[httpx.Response, dict[str, str]]:
    return ui_sign_in(server.base, server.keys[who])


def _incident(server: Server, name: str, tlp: str) -> str:
    with server.client("agency") as agency:
        opened = agency.post("/v1/incidents", json={"name": name, "chain": "ethereum",
                                                    "sources": ["0x" + "d1" * 32], "tlp": tlp})
        assert opened.status_code == 201, opened.text
        return str(opened.json()["id"])


def test_signing_in_keeps_the_key_on_the_server_and_pages_follow_tlp(server: Server) -> None:
    red = _incident(server, "Operation Nightjar", "RED")
    amber = _incident(server, "Shared case", "AMBER")
    assert httpx.get(f"{server.base}/ui/incidents").status_code == 303  # not signed in: to the login page

    wrong, cookie = ui_sign_in(server.base, "hp_not_a_key")
    assert wrong.status_code == 401 and "not valid" in wrong.text and not cookie
    form = httpx.get(f"{server.base}/ui/login")  # another site's form: the key, but not this browser's token
    forged = httpx.post(f"{server.base}/ui/login", data={"key": server.keys["agency"], "login_token": "guessed"},
                        headers={"Cookie": form.headers["set-cookie"].split(";", 1)[0]})
    assert forged.status_code == 403 and "hp_session" not in forged.headers.get("set-cookie", "")
    no_cookie = httpx.post(f"{server.base}/ui/login", data={"key": server.keys["agency"], "login_token": "x" * 32})
    assert no_cookie.status_code == 403

    answer, agency = _sign_in(server, "agency")
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/incidents"
    flags = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("hp_session=")).lower()
    assert all(f in flags for f in ("httponly", "secure", "samesite=strict", "path=/ui"))
    assert server.keys["agency"] not in str(answer.headers)  # the key never reaches the browser
    own = httpx.get(f"{server.base}/ui/incidents", headers=agency)
    assert own.status_code == 200 and red in own.text and "Operation Nightjar" in own.text and amber in own.text
    assert "default-src 'self'" in own.headers["content-security-policy"]

    _, partner = _sign_in(server, "exchange")  # same sharing group: AMBER yes, RED no
    seen = httpx.get(f"{server.base}/ui/incidents", headers=partner).text
    assert amber in seen and red not in seen and "Nightjar" not in seen
    _, outsider = _sign_in(server, "outsider")
    seen = httpx.get(f"{server.base}/ui/incidents", headers=outsider).text
    assert amber not in seen and red not in seen and "No incident you may see" in seen


def test_forms_need_the_session_s_csrf_token_and_a_revoked_key_ends_the_session(server: Server) -> None:
    _, agency = _sign_in(server, "agency")
    forged = httpx.post(f"{server.base}/ui/logout", data={"csrf": "guessed"}, headers=agency)
    assert forged.status_code == 403
    assert httpx.get(f"{server.base}/ui/incidents", headers=agency).status_code == 200  # still signed in
    page = httpx.get(f"{server.base}/ui/incidents", headers=agency).text
    token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    out = httpx.post(f"{server.base}/ui/logout", data={"csrf": token}, headers=agency)
    assert out.status_code == 303 and out.headers["location"] == "/ui/login"
    assert httpx.get(f"{server.base}/ui/incidents", headers=agency).status_code == 303  # the session is gone

    _, exchange = _sign_in(server, "exchange")
    assert httpx.get(f"{server.base}/ui/incidents", headers=exchange).status_code == 200
    with server.client("exchange") as admin:
        key_id = next(k["id"] for k in admin.get("/v1/keys").json()["keys"]
                      if set(k["scopes"]) == {"screen", "read", "write", "incident", "org-admin"})
        assert admin.post(f"/v1/keys/{key_id}/revoke").status_code == 200
    assert httpx.get(f"{server.base}/ui/incidents", headers=exchange).status_code == 303  # revoked: signed out


def test_address_pages_and_search_show_only_what_tlp_allows(server: Server) -> None:
    suspect = "0x" + "c7" * 20
    with server.client("agency") as agency:
        assert agency.post("/v1/labels", json={
            "chain": "ethereum", "address": suspect, "label": "Nightjar cash-out desk", "category": "thief",
            "confidence": 90, "source": "NIS HUMINT-7731", "tlp": "RED"}).status_code == 201
    red = _incident(server, "Operation Nightjar", "RED")
    _, agency_session = _sign_in(server, "agency")
    _, outsider_session = _sign_in(server, "outsider")

    own = httpx.get(f"{server.base}/ui/addresses/ethereum/{suspect}", headers=agency_session)
    assert own.status_code == 200 and "Nightjar cash-out desk" in own.text and "TLP:RED" in own.text
    other = httpx.get(f"{server.base}/ui/addresses/ethereum/{suspect.upper().replace('0X', '0x')}",
                      headers=outsider_session)
    assert other.status_code == 200 and "Nightjar" not in other.text and "HUMINT" not in other.text
    assert "1 claim(s) withheld from you" in other.text
    bad = httpx.get(f"{server.base}/ui/addresses/ethereum/0x1234", headers=outsider_session)
    assert bad.status_code == 400 and "0x1234" in bad.text and "Traceback" not in bad.text

    found = httpx.get(f"{server.base}/ui/search", params={"q": red}, headers=agency_session)
    assert found.status_code == 303 and found.headers["location"] == f"/ui/incidents/{red}"
    hidden = httpx.get(f"{server.base}/ui/search", params={"q": red}, headers=outsider_session)
    made_up = httpx.get(f"{server.base}/ui/search", params={"q": red[:-4] + "0000"}, headers=outsider_session)
    assert hidden.status_code == made_up.status_code == 404  # a hidden incident is one that does not exist
    assert hidden.text.replace(red, "X") == made_up.text.replace(red[:-4] + "0000", "X")
    assert httpx.get(f"{server.base}/ui/incidents/{red}", headers=outsider_session).status_code == 404
    to_address = httpx.get(f"{server.base}/ui/search", params={"q": suspect}, headers=outsider_session)
    assert to_address.status_code == 303 and to_address.headers["location"] == f"/ui/addresses/ethereum/{suspect}"


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def test_incidents_are_opened_and_closed_from_the_ui_with_the_api_s_rules(server: Server) -> None:
    _, agency = _sign_in(server, "agency")
    listing = httpx.get(f"{server.base}/ui/incidents", headers=agency).text
    assert "Open an incident" in listing
    form = {"name": "Seoul phishing wave", "chain": "ethereum", "sources": "0x" + "a7" * 32 + "\n\n0x" + "a8" * 20,
            "tlp": "AMBER", "actor": "lazarusgroup"}
    assert httpx.post(f"{server.base}/ui/incidents", data={**form, "csrf": "guessed"},
                      headers=agency).status_code == 403
    opened = httpx.post(f"{server.base}/ui/incidents", data={**form, "csrf": _csrf(listing)}, headers=agency)
    assert opened.status_code == 303, opened.text
    incident = opened.headers["location"].rsplit("/", 1)[1]
    with server.client("agency") as api:
        listed = {i["id"]: i for i in api.get("/v1/incidents").json()["incidents"]}
    assert listed[incident]["name"] == "Seoul phishing wave" and listed[incident]["status"] == "open"
    assert listed[incident]["actor"] == "lazarusgroup"

    for bad, field in (({**form, "sources": "0xnot-a-hash"}, "source"), ({**form, "tlp": "PURPLE"}, "tlp"),
                       ({**form, "chain": "dogecoin"}, "chain")):
        refused = httpx.post(f"{server.base}/ui/incidents", data={**bad, "csrf": _csrf(listing)}, headers=agency)
        assert refused.status_code == 400 and field in refused.text.lower(), refused.text
    _, exchange = _sign_in(server, "exchange")  # an exchange's key has the scope, but only agencies open
    page = httpx.get(f"{server.base}/ui/incidents", headers=exchange).text
    assert "Open an incident" not in page
    refused = httpx.post(f"{server.base}/ui/incidents", data={**form, "csrf": _csrf(page)}, headers=exchange)
    assert refused.status_code == 403 and "only an agency" in refused.text

    board = httpx.get(f"{server.base}/ui/incidents/{incident}", headers=exchange).text  # a partner sees AMBER
    assert "Close the incident" not in board
    refused = httpx.post(f"{server.base}/ui/incidents/{incident}/close", data={"csrf": _csrf(board)},
                         headers=exchange)
    assert refused.status_code == 403 and "owned by kr-nis" in refused.text
    _, outsider = _sign_in(server, "outsider")
    page = httpx.get(f"{server.base}/ui/incidents", headers=outsider).text
    hidden = httpx.post(f"{server.base}/ui/incidents/{incident}/close", data={"csrf": _csrf(page)}, headers=outsider)
    missing = httpx.post(f"{server.base}/ui/incidents/nope-0000/close", data={"csrf": _csrf(page)}, headers=outsider)
    assert hidden.status_code == missing.status_code == 404  # the same page but for the address asked for
    assert hidden.text.replace(incident, "nope-0000") == missing.text

    board = httpx.get(f"{server.base}/ui/incidents/{incident}", headers=agency).text
    closed = httpx.post(f"{server.base}/ui/incidents/{incident}/close", data={"csrf": _csrf(board)}, headers=agency)
    assert closed.status_code == 303
    with server.client("agency") as api:
        assert {i["id"]: i for i in api.get("/v1/incidents").json()["incidents"]}[incident]["status"] == "closed"
    assert "Close the incident" not in httpx.get(f"{server.base}/ui/incidents/{incident}", headers=agency).text


def test_ui_form_bodies_are_capped_like_the_api_s(server: Server) -> None:
    huge = httpx.post(f"{server.base}/ui/login", content=b"key=" + b"x" * (9 * 1024 * 1024),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert huge.status_code == 413 and "body" in huge.json()["error"]["message"]


def test_an_open_board_does_not_spend_its_key_s_rate(server: Server) -> None:
    """The event stream checks its key every 250 ms without charging it: a key allowed 2 requests a second
    keeps its API while its board stays open, and the stream ends cleanly, never with a traceback."""
    import time

    from hotpursuit.store.org_tables import create_key

    slow = create_key(server.store, "kr-nis", ["read"], 1, rate_per_second=2)[1]
    incident = _incident(server, "Rate case", "AMBER")
    _, cookie = ui_sign_in(server.base, slow)
    time.sleep(1.5)  # the sign-in's token is back
    reading = httpx.Client(timeout=httpx.Timeout(10, read=1.0))
    with reading.stream("GET", f"{server.base}/ui/incidents/{incident}/events", headers=cookie) as events:
        assert events.status_code == 200
        chunks = events.iter_raw()
        assert b"the board follows" in next(chunks)
        time.sleep(3.0)  # the stream stays open: a dozen checks of its key, none charged
        for _ in range(2):  # the key's two requests a second are still its own
            assert httpx.get(f"{server.base}/v1/incidents", headers={"X-API-Key": slow}).status_code == 200
        with pytest.raises(httpx.ReadTimeout):  # and the stream is still open, waiting for the board to change
            next(chunks)
    reading.close()


def test_non_ascii_form_tokens_are_refused_not_crashed(server: Server) -> None:
    _, agency = _sign_in(server, "agency")
    forged = httpx.post(f"{server.base}/ui/logout", data={"csrf": "é" * 8}, headers=agency)
    assert forged.status_code == 403
    form = httpx.get(f"{server.base}/ui/login")
    login = httpx.post(f"{server.base}/ui/login", data={"key": server.keys["agency"], "login_token": "토큰"},
                       headers={"Cookie": form.headers["set-cookie"].split(";", 1)[0]})
    assert login.status_code == 403


def test_a_large_batch_does_not_stop_the_server_answering_others(server: Server) -> None:
    """100,000 Bitcoin addresses take seconds to parse (Bech32 checksums): the parse runs off the event
    loop, so a request made meanwhile is answered before the batch is."""
    import threading
    import time

    finished: list[str] = []
    batch = {"chain": "bitcoin", "addresses": ["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"] * 100_000}

    def screen() -> None:
        with server.client("agency") as agency:
            agency.timeout = httpx.Timeout(120)
            assert agency.post("/v1/screen/batch", json=batch).status_code == 200
        finished.append("batch")

    worker = threading.Thread(target=screen)
    worker.start()
    time.sleep(2.0)  # the batch is in: uploaded, and being parsed
    with server.client("exchange") as other:
        assert other.get("/v1/ping").status_code == 200
    finished.append("ping")
    worker.join()
    assert finished == ["ping", "batch"]
