"""The TLP matrix over every route, found by walking the OpenAPI document (a route added later is walked
too, or this test names it): for each TLP level of another organisation's incident, claim, trace and
freeze request, every operation is called by a partner in the owner's sharing group and by an outsider,
aimed at those very objects. What the level hides never appears in an answer (status, text or fields),
and an answer about a hidden object is the answer about one that does not exist."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from typing import Any

import httpx
import pytest

from hotpursuit.security.tlp import may_see
from hotpursuit.share.misp_feed import event_uuid
from hotpursuit.store.interdiction_tables import NewRequest, record_requests
from hotpursuit.store.org_tables import create_key
from tests.security.conftest import Server

THIEF, VICTIM = "0x" + "c1" * 20, "0x" + "c2" * 20
THEFT = "0x" + "d1" * 32
SECRETS = ("Nightjar", "Unit-180", "HUMINT-7731", "cash-out desk", "evidence-0xfeed")  # what the owner wrote
PERSONAL = ("Choi Da-eun", "010-4417-2280")  # a victim's name and contact: the owner's only, whatever the TLP
GROUPS = {"kr-nis": "task-force", "ex-hanbit": "task-force", "ex-outsider": None}
# the freeze request is addressed to the partner: the agency's disclosure to it whatever the level
ADDRESSED = {"ex-hanbit": {"requests", "answer"}}


def _scenario(server: Server, tlp: str) -> dict[str, str]:
    """The agency's incident, claim, finished trace and a freeze request to the partner, all at `tlp`."""
    server.store.execute("""INSERT INTO transfers VALUES ('ethereum', 1, ?, 0, 0, 'native', NULL, NULL, ?, ?, 'ETH',
                            '5000000000000000000'::BIGNUM, 'test')""", [THEFT, VICTIM, THIEF])
    with server.client("agency") as agency:
        claim = agency.post("/v1/labels", json={
            "chain": "ethereum", "address": THIEF, "label": "Nightjar cash-out desk", "category": "exchange",
            "actor": "Unit-180", "confidence": 90, "source": "NIS HUMINT-7731", "tlp": tlp})
        assert claim.status_code == 201, claim.text
        opened = agency.post("/v1/incidents", json={"name": "Operation Nightjar", "chain": "ethereum",
                                                    "sources": [THEFT], "actor": "Unit-180", "tlp": tlp})
        assert opened.status_code == 201, opened.text
        incident = opened.json()["id"]
        note = agency.post("/v1/annotations", json={
            "subject_kind": "incident", "subject": incident, "note": "Nightjar: Unit-180 cash-out desk",
            "tags": ["lazarus"], "tlp": tlp})
        assert note.status_code == 201, note.text
        job = agency.post(f"/v1/incidents/{incident}/traces", json={}).json()["id"]
        for _ in range(200):
            if agency.get(f"/v1/traces/{job}").json()["status"] in ("done", "failed"):
                break
            time.sleep(0.05)
    request = "fr-" + "e1" * 16
    record_requests(server.store, [NewRequest(
        request, incident, "ex-hanbit", "ethereum", THIEF, "ETH", 5 * 10**18, 1, "0x" + "f1" * 32,
        json.dumps({"txs": ["evidence-0xfeed"], "note": "Nightjar"}), "kr-nis",
        dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1), b"{}")])
    key_id = create_key(server.store, "kr-nis", ["read"], 1)[0]
    with server.client("agency") as agency:
        report = agency.post("/v1/reports", json={
            "reference": "VR-7731", "chain": "ethereum", "paid_at": "2026-03-02", "amount": "5", "asset": "ETH",
            "tx_hashes": [THEFT], "paid_to": THIEF, "text": "the Nightjar desk called me", "tlp": tlp,
            "victim": {"name": PERSONAL[0], "contact": PERSONAL[1]}})
        assert report.status_code == 201, report.text
        case = agency.post("/v1/cases", json={"name": "Nightjar victims", "chain": "ethereum", "tlp": tlp})
        assert case.status_code == 201, case.text
        assert case.json()["summary"]["payments_found"] == 1, case.text
    return {"incident_id": incident, "job_id": job, "request_id": request, "key_id": key_id,
            "annotation_id": note.json()["id"], "name": f"{event_uuid(incident)}.json",  # its MISP event
            "report_id": report.json()["id"], "case_id": case.json()["id"]}


def _bodies(ids: dict[str, str]) -> dict[str, Any]:
    """A request body per operation, aimed at the agency's objects (an operation missing here fails)."""
    return {
        "screen_batch": {"chain": "ethereum", "addresses": [THIEF]},
        "add_label": {"chain": "ethereum", "address": VICTIM, "label": "seen", "category": "victim",
                      "confidence": 50, "source": "own notes", "tlp": "CLEAR"},
        "withdraw_label": {"chain": "ethereum", "address": THIEF, "category": "exchange"},
        "incident_open": {"name": "Operation Nightjar", "chain": "ethereum", "sources": [THEFT]},
        "start_trace": {"save": True},
        "answer": {"status": "accepted", "amount_frozen": "1"},
        "webhook": {"url": "https://hooks.invalid/x"},
        "control": {"chain": "ethereum", "address": THIEF, "kind": "hot_wallet"},
        "prove": {"chain": "ethereum", "address": THIEF, "signature": "0x00"},
        "review": {"org": "kr-nis", "chain": "ethereum", "address": THIEF, "decision": "approve",
                   "reason": "take it over"},
        "key_create": {"org": "kr-nis", "scopes": ["read"]},
        "org_create": {"id": "kr-nis", "name": "Nightjar", "kind": "agency"},
        "annotate_subject": {"subject_kind": "incident", "subject": ids["incident_id"], "note": "seen",
                             "tlp": "CLEAR"},
        "report_take": {"chain": "ethereum", "paid_to": VICTIM, "text": "another", "tlp": "CLEAR"},
        "case_build": {"name": "Nightjar victims", "chain": "ethereum"},
    }


def _operations(server: Server) -> list[tuple[str, str, dict[str, Any]]]:
    spec = httpx.get(f"{server.base}/openapi.json").json()
    return [(method.upper(), path, op) for path, ops in spec["paths"].items() for method, op in ops.items()]


def _call(client: httpx.Client, method: str, path: str, op: dict[str, Any], ids: dict[str, str],
          bodies: dict[str, Any]) -> httpx.Response:
    values = {"chain": "ethereum", "address": THIEF, "tx_hash": THEFT, **ids}
    url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
    aimed = {"incident": ids["incident_id"], "subject_kind": "incident", "subject": ids["incident_id"]}
    query = {p["name"]: aimed[p["name"]] for p in op.get("parameters", [])
             if p["in"] == "query" and p["name"] in aimed}
    body = bodies.get(op["operationId"]) if "requestBody" in op else None
    if "requestBody" in op and body is None:
        raise AssertionError(f"{method} {path} ({op['operationId']}) is new: give it a body in _bodies")
    return client.request(method, url, params=query, json=body)


def _hidden_parts(tlp: str, viewer_org: str) -> bool:
    return not may_see(tlp, "kr-nis", GROUPS["kr-nis"], viewer_org, GROUPS[viewer_org])


@pytest.mark.parametrize("tlp", ["GREEN", "AMBER", "AMBER+STRICT", "RED"])
def test_every_route_hides_what_the_tlp_level_hides(server: Server, tlp: str) -> None:
    ids = _scenario(server, tlp)
    bodies = _bodies(ids)
    operations = _operations(server)
    assert len(operations) >= 33
    seen_by: dict[str, set[str]] = {}
    for viewer, org in (("exchange", "ex-hanbit"), ("outsider", "ex-outsider"), ("agency", "kr-nis")):
        seen: set[str] = set()
        with server.client(viewer) as client:
            for method, path, op in operations:
                hidden = _hidden_parts(tlp, org) and op["operationId"] not in ADDRESSED.get(org, set())
                reply = _call(client, method, path, op, ids, bodies)
                where = f"{viewer} {method} {path} at {tlp}: {reply.status_code} {reply.text[:300]}"
                assert reply.status_code < 500, where
                assert reply.headers["content-type"].startswith(("application/json", "text/event-stream",
                                                                 "text/csv")), where
                text = reply.text.lower()
                for given in ids.values():  # an id the caller sent may come back in the error naming it
                    text = text.replace(f"'{given}'", "'<id>'")
                found = {s for s in SECRETS if s.lower() in text}
                if hidden:
                    assert not found, where
                if org != "kr-nis":
                    assert not any(p.lower() in text for p in PERSONAL), where
                else:
                    seen |= {f"{op['operationId']} (victim)"} if PERSONAL[0].lower() in text else set()
                seen |= {op["operationId"]} if found else set()
                if hidden and "{" in path and any(f"{{{k}}}" in path for k in OBJECT_IDS):
                    _same_as_missing(client, method, path, op, ids, bodies, reply, where)
        seen_by[org] = seen
    # the walk can fail: whoever may see the data finds it on the routes that show it
    assert {"labels_of", "incidents", "trace_result", "annotations_of", "reports", "report_one",
            "report_one (victim)", "case_one"} <= seen_by["kr-nis"]
    if tlp == "AMBER":
        assert {"labels_of", "incidents", "requests", "annotations_of"} <= seen_by["ex-hanbit"]


OBJECT_IDS = ("incident_id", "job_id", "request_id", "key_id", "annotation_id", "name", "report_id", "case_id")


def _made_up(key: str, value: str) -> str:
    """An id of the same shape that names nothing (a MISP event file keeps its `.json`)."""
    if key == "name":
        return value[:-11] + "a0b1c2.json"
    return value[:-6] + "a0b1c2" if key in OBJECT_IDS else value


def _same_as_missing(client: httpx.Client, method: str, path: str, op: dict[str, Any], ids: dict[str, str],
                     bodies: dict[str, Any], reply: httpx.Response, where: str) -> None:
    """An object the caller may not see gets the answer a made-up id gets (only the id differs)."""
    made_up = {k: _made_up(k, v) for k, v in ids.items()}
    missing = _call(client, method, path, op, made_up, bodies)
    text = reply.text
    for k in made_up:  # (an event is named by its uuid, without the file's .json)
        text = text.replace(ids[k].removesuffix(".json"), made_up[k].removesuffix(".json"))
    assert (missing.status_code, missing.text) == (reply.status_code, text), f"{where}\nmade-up id: {missing.text}"
