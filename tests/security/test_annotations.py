"""Annotations through the real API: notes on an address, a tx and incidents are read only by whom their
TLP (and the incident's) allows, a hidden note or incident is answered as a made-up one, only the
author's organisation withdraws a note, bad fields are refused naming the field, and every change is in
the audit log."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hotpursuit.security.audit_chain import verify_chain
from hotpursuit.security.keys import key_id_of
from hotpursuit.store.audit_tables import audit_entries
from hotpursuit.store.org_tables import add_org, create_key
from tests.security.conftest import Server

RONIN = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"  # the Ronin bridge exploiter, EIP-55 as the OFAC list has it
TX = "0x" + "Ab" * 32


def _incident(server: Server, name: str, tlp: str) -> str:
    with server.client("agency") as agency:
        opened = agency.post("/v1/incidents", json={"name": name, "chain": "ethereum",
                                                    "sources": ["0x" + "d1" * 32], "tlp": tlp})
        assert opened.status_code == 201, opened.text
        return str(opened.json()["id"])


def _note(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    answer = client.post("/v1/annotations", json=fields)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _notes(client: httpx.Client, kind: str, subject: str, chain: str | None = "ethereum") -> list[str]:
    params = {"subject_kind": kind, "subject": subject, **({"chain": chain} if chain else {})}
    answer = client.get("/v1/annotations", params=params)
    assert answer.status_code == 200, answer.text
    return [a["note"] for a in answer.json()["annotations"]]


@pytest.fixture
def europol(server: Server) -> Server:
    """An agency in another sharing group than the task force's (org B)."""
    add_org(server.store, "eu-europol", "Europol EC3", "agency", "NL", "eu-desk")
    server.keys["europol"] = create_key(server.store, "eu-europol", ["read", "write"], 1)[1]
    server.keys["agency-reader"] = create_key(server.store, "kr-nis", ["read"], 1)[1]
    return server


def test_notes_are_read_only_by_whom_their_tlp_and_incident_allow(europol: Server) -> None:
    server = europol
    shared = _incident(server, "Operation Nightjar", "GREEN")
    amber = _incident(server, "Operation Kestrel", "AMBER")
    with server.client("agency") as agency:
        ids = {}
        for tlp in ("GREEN", "AMBER", "RED"):
            ids[("address", tlp)] = _note(agency, subject_kind="address", chain="ethereum", subject=RONIN,
                                          note=f"{tlp} note on the exploiter", tags=["lazarus", "ronin"], tlp=tlp)
            ids[("incident", tlp)] = _note(agency, subject_kind="incident", subject=shared,
                                           note=f"{tlp} note on Nightjar", tlp=tlp)
        kestrel = _note(agency, subject_kind="incident", subject=amber, note="GREEN note on Kestrel", tlp="green")
        on_tx = _note(agency, subject_kind="tx", chain="ethereum", subject=TX, note="theft tx", tlp="CLEAR")

        stored = ids[("address", "RED")]
        assert stored["subject"] == RONIN.lower() and stored["author_org"] == "kr-nis"
        assert stored["author"] == key_id_of(server.keys["agency"])  # the key that wrote it, never the key itself
        assert stored["tags"] == ["lazarus", "ronin"] and stored["created_at"].endswith("Z")
        assert kestrel["tlp"] == "GREEN" and on_tx["subject"] == TX.lower()

        assert _notes(agency, "address", RONIN) == [f"{t} note on the exploiter" for t in ("GREEN", "AMBER", "RED")]
        assert _notes(agency, "incident", shared, chain=None) == [f"{t} note on Nightjar" for t in
                                                                   ("GREEN", "AMBER", "RED")]
        assert _notes(agency, "tx", TX.lower()) == ["theft tx"]

    with server.client("exchange") as partner:  # the task force's sharing group: AMBER yes, RED no
        assert _notes(partner, "address", RONIN.lower()) == ["GREEN note on the exploiter",
                                                             "AMBER note on the exploiter"]
        assert _notes(partner, "incident", shared) == ["GREEN note on Nightjar", "AMBER note on Nightjar"]
        assert _notes(partner, "incident", amber) == ["GREEN note on Kestrel"]

    with server.client("europol") as other:  # another sharing group: GREEN only, and no hidden incident's notes
        assert _notes(other, "address", RONIN) == ["GREEN note on the exploiter"]
        assert _notes(other, "incident", shared) == ["GREEN note on Nightjar"]
        listing = other.get("/v1/annotations", params={"subject_kind": "address", "chain": "ethereum",
                                                       "subject": RONIN}).text
        assert "AMBER" not in listing and "RED" not in listing and ids[("address", "RED")]["id"] not in listing
        hidden = other.get("/v1/annotations", params={"subject_kind": "incident", "subject": amber})
        made_up = other.get("/v1/annotations", params={"subject_kind": "incident", "subject": amber[:-4] + "0000"})
        assert hidden.status_code == made_up.status_code == 404
        assert hidden.json()["error"]["field"] == "subject" and "Kestrel" not in hidden.text
        assert hidden.content.replace(amber.encode(), b"X") == made_up.content.replace(amber[:-4].encode() + b"0000",
                                                                                       b"X")
        # a note it may not see, and one that never existed: the same bytes, but for the id
        red_id = ids[("address", "RED")]["id"]
        gone = other.delete(f"/v1/annotations/{red_id}")
        none = other.delete(f"/v1/annotations/{red_id[:-6]}a0b1c2")
        assert gone.status_code == none.status_code == 404
        assert gone.content.replace(red_id.encode(), b"X") == none.content.replace(
            f"{red_id[:-6]}a0b1c2".encode(), b"X")
        # and writing on an incident it may not see is refused as for no incident
        refused = other.post("/v1/annotations", json={"subject_kind": "incident", "subject": amber, "note": "x"})
        assert refused.status_code == 404 and refused.json()["error"]["field"] == "subject"


def test_only_the_author_s_organisation_withdraws_a_note_and_every_change_is_audited(europol: Server) -> None:
    server = europol
    with server.client("agency") as agency:
        amber = _note(agency, subject_kind="address", chain="ethereum", subject=RONIN, note="cash-out desk seen",
                      tlp="AMBER")
    with server.client("exchange") as partner:  # sees it, may not withdraw it: answered as a made-up id
        assert _notes(partner, "address", RONIN) == ["cash-out desk seen"]
        refused = partner.delete(f"/v1/annotations/{amber['id']}")
        made_up = partner.delete(f"/v1/annotations/{amber['id'][:-6]}a0b1c2")
        assert refused.status_code == made_up.status_code == 404
        assert refused.text.replace(amber["id"], "X") == made_up.text.replace(amber["id"][:-6] + "a0b1c2", "X")
        assert _notes(partner, "address", RONIN) == ["cash-out desk seen"]
    with server.client("agency-reader") as reader:  # the right organisation, a key without the write scope
        assert reader.delete(f"/v1/annotations/{amber['id']}").status_code == 403
        assert reader.post("/v1/annotations", json={"subject_kind": "address", "chain": "ethereum",
                                                    "subject": RONIN, "note": "x"}).status_code == 403
    with server.client("agency") as agency:
        withdrawn = agency.delete(f"/v1/annotations/{amber['id']}")
        assert withdrawn.status_code == 200 and withdrawn.json() == {"id": amber["id"], "withdrawn": True}
        assert _notes(agency, "address", RONIN) == []
        assert agency.delete(f"/v1/annotations/{amber['id']}").status_code == 404  # once
    with server.client("exchange") as partner:
        assert _notes(partner, "address", RONIN) == []

    entries = audit_entries(server.store)
    assert verify_chain(entries) == []
    added = [e for e in entries if e.action == "add-annotation"]
    assert [(e.org_id, e.detail) for e in added] == [
        ("kr-nis", f"{amber['id']} on address ethereum:{RONIN.lower()} AMBER")]
    assert [(e.org_id, e.detail) for e in entries if e.action == "withdraw-annotation"] == [
        ("kr-nis", f"{amber['id']} on address ethereum:{RONIN.lower()}")]
    assert "cash-out desk" not in " ".join(e.detail for e in entries)  # the note itself stays out of the log


@pytest.mark.parametrize(("fields", "field", "reason"), [
    ({"tags": ["Cash Out!"]}, "tags", "is not a tag"),
    ({"tags": [f"t{i}" for i in range(21)]}, "tags", "20"),
    ({"note": "x" * 4001}, "note", "4000"),
    ({"note": "   "}, "note", "empty"),
    ({"subject": "0x1234"}, "subject", "0x1234"),
    ({"subject": RONIN.replace("B", "b", 1)}, "subject", "checksum"),
    ({"chain": "eth"}, "chain", "unknown"),
    ({"chain": None}, "chain", "give the chain"),
    ({"tlp": "PURPLE"}, "tlp", "AMBER"),
    ({"subject_kind": "wallet"}, "subject_kind", "incident"),
    ({"subject_kind": "tx", "subject": "0x" + "ab" * 31 + "a"}, "subject", "64 hex digits"),
    ({"subject_kind": "tx", "subject": "0x" + "ab" * 33}, "subject", "64 hex digits"),
    ({"subject_kind": "tx", "chain": "bitcoin", "subject": "0x" + "ab" * 32}, "subject", "no 0x"),
    ({"subject_kind": "incident", "subject": "no-such-incident"}, "subject", "no incident"),
])
def test_a_bad_field_is_refused_naming_it(server: Server, fields: dict[str, Any], field: str, reason: str) -> None:
    body = {"subject_kind": "address", "chain": "ethereum", "subject": RONIN, "note": "seen", "tlp": "AMBER",
            **fields}
    with server.client("agency") as agency:
        answer = agency.post("/v1/annotations", json=body)
        assert 400 <= answer.status_code < 500, answer.text
        error = answer.json()["error"]
        assert error["field"] == field and error["message"].startswith(f"{field}: "), error
        assert reason in error["message"], error
        assert _notes(agency, "address", RONIN) == []  # nothing was stored
    assert not [e for e in audit_entries(server.store) if e.action == "add-annotation"]


def test_a_bad_query_is_refused_naming_the_field(server: Server) -> None:
    with server.client("agency") as agency:
        for params, field in (({"subject_kind": "address", "chain": "ethereum", "subject": "0x1234"}, "subject"),
                              ({"subject_kind": "purple", "subject": "x"}, "subject_kind"),
                              ({"subject_kind": "tx", "chain": "ethereum", "subject": "0xabc"}, "subject"),
                              ({"subject_kind": "address", "subject": RONIN}, "chain")):
            answer = agency.get("/v1/annotations", params=params)
            assert 400 <= answer.status_code < 500 and answer.json()["error"]["field"] == field, answer.text
