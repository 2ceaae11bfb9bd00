"""The API on a real uvicorn server on 127.0.0.1: keys and scopes, TLP per organisation, screening of
real sanctioned addresses, bad input as 4xx, the audit chain, and schemathesis against the spec."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from hotpursuit.api.app import create_app
from hotpursuit.api.background import serve_in_thread
from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.ingest.label_import_job import import_labels
from hotpursuit.security.audit_chain import AuditEntry, verify_chain
from hotpursuit.store import Store
from hotpursuit.store.audit_tables import audit_entries
from hotpursuit.store.label_tables import replace_import
from hotpursuit.store.org_tables import add_org, create_key, revoke_key

from ..conftest import SHARED_DATA
from .serve_process import start_serve

RONIN = "0x098b716b8aaf21512996dc57eb0615e2383e2f96"
SUSPECT = "0x" + "5a" * 20
TX = "0x" + "ab" * 32
HIDDEN = "0x" + "3c" * 20
RECEIVER = "0x" + "77" * 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Store]]:
    store = Store.open(tmp_path_factory.mktemp("api") / "s.duckdb")
    import_labels(store, "ofac", SHARED_DATA / "ofac-sdn-addresses")
    add_org(store, "kr-nis", "National Intelligence Service", "agency", "KR", "bybit-task-force")
    add_org(store, "ex-hanbit", "Hanbit Exchange", "exchange", "KR", "bybit-task-force")
    add_org(store, "ex-other", "Other Exchange", "exchange", "DE", None)
    add_org(store, "kr-spo", "Supreme Prosecutors' Office", "agency", "KR", None, scores_hidden=True)
    claims = [LabelClaim("ethereum", SUSPECT, f"{tlp} lead", "dprk", "lazarusgroup", 70, "NIS case 17", None, tlp,
                         "kr-nis") for tlp in ("GREEN", "AMBER", "RED")]
    replace_import(store, "case-17", "kr-nis", claims)
    replace_import(store, "spo-7", "kr-spo", [LabelClaim("ethereum", HIDDEN, "mule", "dprk", "lazarusgroup", 70,
                                                          "SPO case 7", None, "RED", "kr-spo")])
    keys = {}
    for org in ("kr-nis", "ex-hanbit", "ex-other"):
        keys[org] = create_key(store, org, ["screen", "read"], 30)[1]
    keys["read-only"] = create_key(store, "ex-other", ["read"], 30)[1]
    keys["screen-only"] = create_key(store, "ex-other", ["screen"], 30)[1]
    keys["admin"] = create_key(store, "kr-nis", ["admin"], 30)[1]
    revoked_id, keys["revoked"] = create_key(store, "ex-other", ["screen"], 30)
    revoke_key(store, revoked_id)
    keys["expired"] = create_key(store, "ex-other", ["screen"], 30)[1]
    store.execute("UPDATE api_keys SET expires_at = TIMESTAMP '2020-01-01' WHERE id = ?",
                      [keys["expired"].split("_")[1]])
    store.execute("""INSERT INTO transfers VALUES ('ethereum', 1, ?, 0, 0, 'native', NULL, NULL, ?, ?, 'ETH',
                         10::BIGNUM, 'test')""", [TX, SUSPECT, "0x" + "77" * 20])
    for incident, tlp, owner in (("case-public", "CLEAR", None), ("case-amber", "AMBER", "kr-nis"),
                                 ("case-red", "RED", "kr-nis"), ("case-empty", "CLEAR", None)):
        store.execute("INSERT INTO incidents (id, name, chain, tlp, owner_org) VALUES (?, ?, 'ethereum', ?, ?)",
                          [incident, incident, tlp, owner])
        if incident != "case-empty":
            store.execute("INSERT INTO incident_sources (incident_id, chain, kind, ref) "
                              "VALUES (?, 'ethereum', 'tx', ?)", [incident, TX])
    with serve_in_thread(create_app(store)) as base:
        yield base, keys, store
    store.close()


def _audited(store: Store, check: Callable[[list[AuditEntry]], bool]) -> list[AuditEntry]:
    """The audit log once `check` holds for it (entries are committed in groups, within a second)."""
    for _ in range(60):
        entries = audit_entries(store)
        if check(entries):
            return entries
        time.sleep(0.05)
    raise AssertionError(f"the audit log never got the entry looked for: {entries[-3:]}")


def _get(base: str, path: str, key: str | None) -> httpx.Response:
    return httpx.get(base + path, headers={"Authorization": f"Bearer {key}"} if key else {})


def test_every_request_needs_a_valid_key_and_scope(server: tuple[str, dict[str, str], Store]) -> None:
    base, keys, _ = server
    path = f"/v1/screen/ethereum/{RONIN}"
    for key in (None, "nonsense", keys["kr-nis"][:-2] + "xx", keys["revoked"], keys["expired"]):
        r = _get(base, path, key)
        assert r.status_code == 401 and "categories" not in r.text, key
    r = _get(base, path, keys["read-only"])
    assert r.status_code == 403 and "screen" in r.json()["error"]["message"]
    assert httpx.get(base + path, headers={"X-API-Key": keys["ex-other"]}).status_code == 200


def test_a_real_sanctioned_address_screens_severe(server: tuple[str, dict[str, str], Store]) -> None:
    base, keys, _ = server
    body = _get(base, "/v1/screen/ethereum/0x098B716B8Aaf21512996dC57EB0615e2383E2f96", keys["ex-other"]).json()
    assert (body["risk"], body["score"], body["categories"]) == ("severe", 100, ["sanctioned"])
    clean = _get(base, "/v1/screen/ethereum/" + "0x" + "12" * 20, keys["ex-other"]).json()
    assert (clean["risk"], clean["direct"]) == ("none", [])


def test_each_organisation_sees_exactly_what_tlp_allows(server: tuple[str, dict[str, str], Store]) -> None:
    base, keys, _ = server
    seen = {}
    for org in ("kr-nis", "ex-hanbit", "ex-other"):
        body = _get(base, f"/v1/screen/ethereum/{SUSPECT}", keys[org]).json()
        seen[org] = (sorted(c["tlp"] for c in body["direct"]), body["withheld"])
    assert seen == {"kr-nis": (["AMBER", "GREEN", "RED"], 0),       # the owner sees all
                    "ex-hanbit": (["AMBER", "GREEN"], 1),          # same sharing group: AMBER, not RED
                    "ex-other": (["GREEN"], 2)}                    # outsider: GREEN only


def test_bad_input_is_a_4xx_naming_the_field(server: tuple[str, dict[str, str], Store]) -> None:
    base, keys, _ = server
    r = _get(base, "/v1/screen/ethereum/0x1234", keys["ex-other"])
    assert r.status_code == 400 and r.json()["error"]["message"].startswith("address:")
    headers = {"X-API-Key": keys["ex-other"]}
    r = httpx.post(base + "/v1/screen/batch", json={"chain": "ethereum", "addresses": []}, headers=headers)
    assert r.status_code == 422 and "addresses" in r.text
    r = httpx.post(base + "/v1/screen/batch", content=b"{not json",
                   headers={**headers, "content-type": "application/json"})
    assert r.status_code == 422
    r = httpx.post(base + "/v1/screen/batch", json={"chain": "ethereum", "addresses": [RONIN, "bogus", SUSPECT]},
                   headers=headers)
    body = r.json()
    assert r.status_code == 200 and body["screened"] == 3 and body["invalid"][0]["index"] == 1
    assert {f["address"] for f in body["flagged"]} == {RONIN, SUSPECT}


def test_a_misspelt_chain_or_a_pasted_newline_never_screens_a_sanctioned_address_as_none(
        server: tuple[str, dict[str, str], Store]) -> None:
    base, keys, _ = server
    headers = {"X-API-Key": keys["ex-other"]}
    for chain in ("eth", "Ethereum", "ETH"):
        r = _get(base, f"/v1/screen/{chain}/{RONIN}", keys["ex-other"])
        error = r.json()["error"]
        assert r.status_code == 400 and error["field"] == "chain" and "unknown" in error["message"], chain
        assert "ethereum" in error["message"], chain
        r = httpx.post(base + "/v1/screen/batch", json={"chain": chain, "addresses": [RONIN]}, headers=headers)
        assert r.status_code == 400, chain
    assert _get(base, f"/v1/addresses/eth/{RONIN}", keys["ex-other"]).status_code == 400
    pasted = _get(base, f"/v1/screen/ethereum/{RONIN}%0A", keys["ex-other"]).json()
    assert pasted["address"] == RONIN and pasted["risk"] == "severe"
    r = httpx.post(base + "/v1/screen/batch", headers=headers,
                   json={"chain": "ethereum", "addresses": [RONIN + "\n", f"  {RONIN.upper().replace('0X', '0x')} "]})
    body = r.json()
    assert r.status_code == 200 and body["invalid"] == [] and [f["address"] for f in body["flagged"]] == [RONIN] * 2
    assert _get(base, f"/v1/screen/tron/{'T' * 34}", keys["ex-other"]).status_code == 200  # a labelled chain


def test_audit_chain_records_non_public_reads_and_detects_edits(server: tuple[str, dict[str, str], Store]) -> None:
    base, keys, store = server
    _get(base, f"/v1/screen/ethereum/{SUSPECT}", keys["ex-hanbit"])  # AMBER data read: audited
    entries = _audited(store, lambda es: any((e.org_id, e.action, e.detail) == ("ex-hanbit", "screen",
                                                                                f"ethereum:{SUSPECT}") for e in es))
    assert verify_chain(entries) == []
    tampered = [*entries[:-1], replace(entries[-1], detail="nothing to see")]
    assert verify_chain(tampered) == [f"entry {entries[-1].seq}: its content was changed after it was written"]
    assert len(entries) > 2 and verify_chain(entries[:1] + entries[2:])[0].startswith("entry 2 is missing")


def test_transaction_screening_takes_the_worst_address(server: tuple[str, dict[str, str], Store]) -> None:
    base, keys, _ = server
    body = _get(base, f"/v1/screen/ethereum/tx/{TX}", keys["ex-hanbit"]).json()
    assert {a["address"] for a in body["addresses"]} == {SUSPECT, RECEIVER}
    by_address = {a["address"]: a for a in body["addresses"]}
    assert by_address[SUSPECT]["risk"] == "high" and body["score"] == max(a["score"] for a in body["addresses"])
    assert _get(base, "/v1/screen/ethereum/tx/0x" + "cd" * 32, keys["ex-hanbit"]).status_code == 404
    assert _get(base, "/v1/screen/ethereum/tx/nothex", keys["ex-hanbit"]).status_code == 400


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    with Store.open(tmp_path / "r.duckdb") as store:
        add_org(store, "ex-busy", "Busy Exchange", "exchange", None, None)
        key = create_key(store, "ex-busy", ["screen"], 1)[1]
        with serve_in_thread(create_app(store, rate_per_second=0.5, burst=2)) as base:
            codes = [_get(base, "/v1/ping", key) for _ in range(3)]
    assert [c.status_code for c in codes] == [200, 200, 429]
    assert int(codes[2].headers["Retry-After"]) >= 1


def test_concurrent_requests_all_succeed(server: tuple[str, dict[str, str], Store]) -> None:
    """The store's one connection is never used by two requests at once (found by the benchmark)."""
    import asyncio

    base, keys, _ = server

    async def many() -> list[int]:
        async with httpx.AsyncClient(headers={"X-API-Key": keys["ex-other"]}) as client:
            replies = await asyncio.gather(*(client.get(f"{base}/v1/screen/ethereum/{RONIN}") for _ in range(60)))
        return [r.status_code for r in replies]

    assert asyncio.run(many()) == [200] * 60


def test_a_posted_label_is_screened_at_once_and_tlp_filtered(server: tuple[str, dict[str, str], Store]) -> None:
    base, keys, store = server
    fresh = "0x" + "6b" * 20
    body = {"chain": "ethereum", "address": fresh, "label": "Lazarus consolidation wallet", "category": "dprk",
            "actor": "lazarusgroup", "confidence": 70, "source": "NIS case 18", "tlp": "AMBER"}
    denied = httpx.post(base + "/v1/labels", json=body, headers={"X-API-Key": keys["kr-nis"]})
    assert denied.status_code == 403  # screen+read key: no write scope
    made = httpx.post(base + "/v1/labels", json=body, headers={"X-API-Key": keys["admin"]})
    assert made.status_code == 201, made.text
    bad = httpx.post(base + "/v1/labels", json={**body, "category": "villain"}, headers={"X-API-Key": keys["admin"]})
    assert bad.status_code == 422 and bad.json()["error"]["message"].startswith("category: 'villain' is not one of")
    hanbit = _get(base, f"/v1/screen/ethereum/{fresh}", keys["ex-hanbit"]).json()
    other = _get(base, f"/v1/screen/ethereum/{fresh}", keys["ex-other"]).json()
    assert (hanbit["risk"], hanbit["categories"]) == ("high", ["dprk"])  # same sharing group, no reload needed
    assert (other["risk"], other["withheld"]) == ("none", 1)
    listed = _get(base, f"/v1/labels/ethereum/{fresh}", keys["ex-hanbit"]).json()
    assert [(c["label"], c["asserted_by"]) for c in listed["claims"]] == [("Lazarus consolidation wallet", "kr-nis")]
    assert _get(base, f"/v1/labels/ethereum/{fresh}", keys["ex-other"]).json()["withheld"] == 1
    _audited(store, lambda es: any(e.action == "write-label" and e.org_id == "kr-nis" for e in es))


def test_incidents_are_tlp_filtered_and_paginated(server: tuple[str, dict[str, str], Store]) -> None:
    base, keys, _ = server
    ids = {org: [i["id"] for i in _get(base, "/v1/incidents", keys[org]).json()["incidents"]]
           for org in ("kr-nis", "ex-hanbit", "ex-other")}
    assert ids == {"kr-nis": ["case-amber", "case-empty", "case-public", "case-red"],
                   "ex-hanbit": ["case-amber", "case-empty", "case-public"], "ex-other": ["case-empty", "case-public"]}
    page = _get(base, "/v1/incidents?limit=1&offset=2", keys["kr-nis"]).json()
    assert (page["total"], [i["id"] for i in page["incidents"]]) == (4, ["case-public"])
    walked, cursor = [], ""
    for _ in range(10):  # page by cursor: every incident once, in order, then no next cursor
        got = _get(base, f"/v1/incidents?limit=3&cursor={cursor}", keys["kr-nis"]).json()
        walked += [i["id"] for i in got["incidents"]]
        cursor = got["next"]
        if cursor is None:
            break
    assert walked == ["case-amber", "case-empty", "case-public", "case-red"]
    bad = _get(base, "/v1/incidents?cursor=%21%21", keys["kr-nis"])
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "cursor"


def _wait_for(base: str, job_id: str, key: str) -> dict[str, Any]:
    for _ in range(200):
        job: dict[str, Any] = _get(base, f"/v1/traces/{job_id}", key).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"trace {job_id} did not finish")


def test_traces_run_as_jobs_and_a_saved_trace_reaches_screening(server: tuple[str, dict[str, str], Store]) -> None:
    base, keys, store = server
    other = {"X-API-Key": keys["ex-other"]}
    assert _get(base, f"/v1/screen/ethereum/{RECEIVER}", keys["ex-other"]).json()["indirect"] == []
    started = httpx.post(f"{base}/v1/incidents/case-public/traces", json={"model": "fifo"}, headers=other)
    assert started.status_code == 202 and started.json()["status"] in ("queued", "running", "done")
    job = _wait_for(base, started.json()["id"], keys["ex-other"])
    assert (job["status"], job["requested_by"], job["model"]) == ("done", "ex-other", "fifo")
    report = _get(base, f"/v1/traces/{job['id']}/result", keys["ex-other"]).json()
    assert report["stolen"] == {"ETH": "10"} and report["held"][0]["address"] == RECEIVER
    # saving needs the write scope; a RED incident is invisible to another organisation; bad models are 422
    assert httpx.post(f"{base}/v1/incidents/case-public/traces", json={"save": True}, headers=other).status_code == 403
    hanbit = {"X-API-Key": keys["ex-hanbit"]}
    assert httpx.post(f"{base}/v1/incidents/case-red/traces", json={}, headers=hanbit).status_code == 404
    assert httpx.post(f"{base}/v1/incidents/case-public/traces", json={"model": "magic"},
                      headers=other).status_code == 422
    red_job = httpx.post(f"{base}/v1/incidents/case-red/traces", json={}, headers={"X-API-Key": keys["kr-nis"]})
    assert _get(base, f"/v1/traces/{red_job.json()['id']}", keys["ex-hanbit"]).status_code == 404
    assert job["id"] in [t["id"] for t in _get(base, "/v1/traces?incident=case-public", keys["ex-other"])
                         .json()["traces"]]
    assert red_job.json()["id"] not in [t["id"] for t in _get(base, "/v1/traces", keys["ex-other"]).json()["traces"]]
    # a failing trace is a failed job with its reason, and its result is a 409
    failed = httpx.post(f"{base}/v1/incidents/case-empty/traces", json={}, headers=other).json()
    failed = _wait_for(base, failed["id"], keys["ex-other"])
    assert failed["status"] == "failed" and "no sources" in failed["error"]
    assert _get(base, f"/v1/traces/{failed['id']}/result", keys["ex-other"]).status_code == 409
    # a saved haircut trace updates the screening index at once: the receiver holds stolen funds
    saved = httpx.post(f"{base}/v1/incidents/case-public/traces", json={"save": True},
                       headers={"X-API-Key": keys["admin"]})
    assert _wait_for(base, saved.json()["id"], keys["admin"])["status"] == "done"
    screened = _get(base, f"/v1/screen/ethereum/{RECEIVER}", keys["ex-other"]).json()
    assert screened["indirect"] == [{"incident": "case-public", "actor": None, "asset": "ETH", "tainted": "10",
                                     "received": "10", "share": 1.0, "decimals": 18, "symbol": "ETH"}]
    # people read the amount in the asset's units, made from the integers (10 wei)
    assert "received 0.00000000000000001 ETH tainted by incident case-public (100.00% of the ETH it received)" \
        in screened["reasons"]
    assert (screened["risk"], screened["score"], screened["categories"]) == ("severe", 90, ["stolen funds"])
    _audited(store, lambda es: any(e.action == "start-trace" and e.org_id == "ex-other" for e in es))


def test_hidden_claims_count_only_when_their_owner_allows(server: tuple[str, dict[str, str], Store]) -> None:
    base, keys, _ = server
    other = _get(base, f"/v1/screen/ethereum/{HIDDEN}", keys["ex-other"]).json()
    assert (other["risk"], other["score"], other["categories"], other["direct"]) == ("high", 70, [], [])
    assert (other["withheld"], other["withheld_scored"]) == (1, 1)
    assert "raised to 70 by 1 claim(s) withheld from you" in " ".join(other["reasons"])
    # kr-nis does not allow it: its RED claim on SUSPECT is withheld from ex-other and not counted
    suspect = _get(base, f"/v1/screen/ethereum/{SUSPECT}", keys["ex-other"]).json()
    assert (suspect["withheld"], suspect["withheld_scored"]) == (2, 0)
    batch = httpx.post(f"{base}/v1/screen/batch", json={"chain": "ethereum", "addresses": [HIDDEN, RONIN]},
                       headers={"X-API-Key": keys["ex-other"]}).json()
    assert [(f["address"], f["score"], f["withheld_scored"]) for f in batch["flagged"]] == [(HIDDEN, 70, 1),
                                                                                          (RONIN, 100, 0)]


def test_address_pages_show_chain_facts_and_only_visible_claims(server: tuple[str, dict[str, str], Store]) -> None:
    base, keys, _ = server
    nis = _get(base, f"/v1/addresses/ethereum/{SUSPECT}", keys["kr-nis"]).json()
    other = _get(base, f"/v1/addresses/ethereum/{SUSPECT}", keys["ex-other"]).json()
    assert nis["balances"] == {"ETH": "-10"} and nis["first_seen_block"] == 1
    assert nis["counterparties"]["items"] == [{"address": RECEIVER, "asset": "ETH", "transfers": 1, "amount": "10"}]
    assert (len(nis["claims"]), nis["withheld"]) == (3, 0)
    assert ([c["tlp"] for c in other["claims"]], other["withheld"]) == (["GREEN"], 2)
    assert _get(base, f"/v1/addresses/ethereum/{SUSPECT}?offset=1", keys["kr-nis"]).json()["counterparties"][
        "items"] == []
    assert _get(base, "/v1/addresses/ethereum/0x12", keys["kr-nis"]).json()["error"]["message"].startswith("address:")
    assert _get(base, f"/v1/addresses/ethereum/{SUSPECT}", keys["screen-only"]).status_code == 403


def test_audit_entries_survive_a_kill_9_of_the_server(tmp_path: Path) -> None:
    """Entries are journaled before the answer leaves; `audit verify` commits what a killed server left."""
    import signal

    from typer.testing import CliRunner

    from hotpursuit.api.background import free_port
    from hotpursuit.cli import app

    db = tmp_path / "k.duckdb"
    with Store.open(db) as store:
        add_org(store, "kr-nis", "NIS", "agency", "KR", "tf")
        key = create_key(store, "kr-nis", ["screen"], 1)[1]
        replace_import(store, "case", "kr-nis", [LabelClaim("ethereum", SUSPECT, "lead", "dprk", None, 70, "NIS", None,
                                                             "AMBER", "kr-nis")])
    port = free_port()
    server = start_serve(db, port, key)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(5):
            assert _get(base, f"/v1/screen/ethereum/{SUSPECT}", key).json()["risk"] == "high"
    finally:
        server.send_signal(signal.SIGKILL)  # at once: the group commit (every 0.5 s) has not run
        server.wait()
    verified = CliRunner().invoke(app, ["audit", "verify", "--db", str(db)])
    assert verified.exit_code == 0, verified.output
    assert "5 entries committed from the server's journal" in verified.output
    assert "audit log intact: 5 entries" in verified.output


def test_openapi_spec_holds_under_schemathesis_stateful(server: tuple[str, dict[str, str], Store],
                                                        tmp_path: Path) -> None:
    """Last in this module: its random writes (labels, incidents) change the shared server's state.
    Positive and negative data (`--mode all`): every invalid request is refused with a 4xx, and every
    status answered is one the spec lists."""
    import subprocess
    import sys

    base, keys, _ = server
    result = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/openapi.json", "--checks",
         "not_a_server_error,response_schema_conformance,negative_data_rejection,status_code_conformance",
         "--mode", "all", "-H", f"X-API-Key: {keys['admin']}",
         "--max-examples", "30", "--exclude-path", "/v1/admin/reload"],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]
    # the stateful phase follows the spec's links (open an incident -> its board, close it, trace it -> the
    # trace's status and result): a broken link definition skips or errors it
    assert "✅ Stateful" in result.stdout, result.stdout[-3000:]
