"""Freeze requests through the durable outbox to the reference exchange receiver (a real process):
the receiver is down at first, gets the signed request once it is up, freezes, answers through the
API, and the incident's board shows the frozen amount."""

from __future__ import annotations

import datetime as dt
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from hotpursuit.api.app import create_app
from hotpursuit.api.background import free_port, serve_in_thread
from hotpursuit.interdict.freeze_messages import freeze_request_body, request_id
from hotpursuit.interdict.freeze_rules import FreezeCandidate
from hotpursuit.store import Store
from hotpursuit.store.interdiction_tables import NewRequest, add_control, record_requests, set_webhook
from hotpursuit.store.org_tables import add_org, create_key

from .serve_process import start_serve

LOOPBACK = ["127.0.0.1/32"]  # the receivers run here: the operator allows loopback explicitly

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEPOSIT = "0x" + "d1" * 20


def _store_with_one_request(db: Path, port: int) -> tuple[str, str, str]:
    """A store with the agency, the exchange (webhook on `port`) and one freeze request queued in the
    outbox; (webhook secret, exchange key, agency key)."""
    with Store.open(db) as store:
        add_org(store, "kr-nis", "NIS", "agency", "KR", "tf")
        add_org(store, "ex-hanbit", "Hanbit Exchange", "exchange", "KR", "tf")
        secret = set_webhook(store, "ex-hanbit", f"http://127.0.0.1:{port}/hook")
        add_control(store, "ex-hanbit", "ethereum", DEPOSIT, "deposit_address")
        key = create_key(store, "ex-hanbit", ["read", "write"], 1)[1]
        agency_key = create_key(store, "kr-nis", ["read", "write"], 1)[1]
        store.execute("INSERT INTO incidents (id, name, chain, tlp, owner_org) "
                          "VALUES ('case', 'case', 'ethereum', 'AMBER', 'kr-nis')")
        c = FreezeCandidate("case", "ex-hanbit", DEPOSIT, "ETH", 7 * 10**18, 7 * 10**18,
                            [{"from": "0x" + "aa" * 20, "to": DEPOSIT, "asset": "ETH", "tx": "0x" + "01" * 32,
                              "tainted": str(7 * 10**18)}])
        rid = request_id(c, "0x" + "b0" * 32)
        body = freeze_request_body(rid, c, chain="ethereum", block_number=5, block_hash="0x" + "b0" * 32,
                                   incident={"id": "case", "name": "case", "actor": None},
                                   requested_by={"org": "kr-nis"}, deadline="2026-11-25T00:00:00Z")
        request = NewRequest(rid, "case", "ex-hanbit", "ethereum", DEPOSIT, "ETH", c.amount, 5, "0x" + "b0" * 32,
                             json.dumps(c.evidence), "kr-nis", dt.datetime(2026, 11, 25), body)
        assert record_requests(store, [request]) == 1
        assert record_requests(store, [request]) == 0  # the same request again: nothing new
    return secret, key, agency_key


def test_a_request_reaches_a_receiver_that_was_down_and_its_freeze_reaches_the_board(tmp_path: Path) -> None:
    port = free_port()
    secret, key, _ = _store_with_one_request(tmp_path / "o.duckdb", port)
    with Store.open(tmp_path / "o.duckdb") as store:
        with serve_in_thread(create_app(store, webhook_networks=LOOPBACK)) as base:
            time.sleep(1.0)  # the receiver is down: attempts fail and are retried with backoff
            failed = store.execute("SELECT attempts, status, last_error FROM outbox").fetchone()
            assert failed is not None and failed[0] >= 1 and failed[1] == "pending" and "Connect" in failed[2]
            receiver = subprocess.Popen(
                [sys.executable, str(EXAMPLES / "exchange_receiver.py"), "--port", str(port), "--secret", secret,
                 "--api", base, "--api-key", key, "--db", str(tmp_path / "hanbit.sqlite"),
                 "--account", f"{DEPOSIT}=customer-17"], cwd=EXAMPLES)
            try:
                board: dict[str, object] = {}
                for _ in range(200):
                    board = httpx.get(f"{base}/v1/incidents/case/board", headers={"X-API-Key": key}).json()
                    if board["totals"] and board["totals"]["ETH"]["frozen"] != "0":  # type: ignore[index]
                        break
                    time.sleep(0.1)
            finally:
                receiver.terminate()
                receiver.wait()
        assert board["totals"] == {"ETH": {"requested": str(7 * 10**18), "frozen": str(7 * 10**18)}}
        assert board["assets"] == {"ETH": {"symbol": "ETH", "decimals": 18}}  # how a client reads the amounts
        assert store.execute("SELECT status FROM outbox").fetchall() == [("delivered",)]
        assert store.execute("SELECT status, answer_reason FROM freeze_requests").fetchall() == [
            ("accepted", "account customer-17 frozen")]


RECEIVER_DOWN_SECONDS = 125.0  # "down for minutes": the backoff reaches its 30 s ceiling and stays there


def _kill_9(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGKILL)
    server.wait()


def _delivery(base: str, key: str) -> dict[str, Any]:
    requests = httpx.get(f"{base}/v1/freeze-requests", headers={"X-API-Key": key}).json()["requests"]
    assert len(requests) == 1
    return dict(requests[0]["delivery"])


@pytest.mark.slow
def test_delivery_survives_kill_9_of_the_server_and_a_receiver_down_for_minutes(tmp_path: Path) -> None:
    """The receiver is down for over two minutes; meanwhile the server is killed with SIGKILL and
    restarted, and goes on retrying from the store. Once the receiver is up the request arrives, is
    applied once, answered, and shows on the board. Then the window between the receiver's 2xx and our
    commit is reproduced (the server is killed and the entry is pending again, as if the commit had
    been lost): the restarted server delivers it a second time, and the receiver applies it only once."""
    db, hook_port, api_port = tmp_path / "k.duckdb", free_port(), free_port()
    base = f"http://127.0.0.1:{api_port}"
    secret, key, agency_key = _store_with_one_request(db, hook_port)
    down_since = time.monotonic()
    server = start_serve(db, api_port, agency_key, "--allow-webhook-network", "127.0.0.1")
    receiver = None
    try:
        time.sleep(RECEIVER_DOWN_SECONDS / 2)
        before_kill = _delivery(base, agency_key)
        assert before_kill["status"] == "pending" and before_kill["attempts"] >= 5
        assert "Connect" in before_kill["last_error"]
        _kill_9(server)
        server = start_serve(db, api_port, agency_key, "--allow-webhook-network", "127.0.0.1")
        time.sleep(max(0.0, RECEIVER_DOWN_SECONDS - (time.monotonic() - down_since)))
        still_down = _delivery(base, agency_key)
        assert still_down["status"] == "pending" and still_down["attempts"] > before_kill["attempts"]
        receiver = subprocess.Popen(
            [sys.executable, str(EXAMPLES / "exchange_receiver.py"), "--port", str(hook_port), "--secret", secret,
             "--api", base, "--api-key", key, "--db", str(tmp_path / "hanbit.sqlite"),
             "--account", f"{DEPOSIT}=customer-17"], cwd=EXAMPLES)
        up_at = time.monotonic()
        board = _await_frozen(base, agency_key, timeout=45.0)
        assert time.monotonic() - up_at < 31.0 + 5.0  # within the backoff ceiling of the receiver coming up
        assert board["totals"] == {"ETH": {"requested": str(7 * 10**18), "frozen": str(7 * 10**18)}}
        assert board["assets"] == {"ETH": {"symbol": "ETH", "decimals": 18}}  # how a client reads the amounts
        _kill_9(server)
        with Store.open(db) as store:  # as if killed between the receiver's 2xx and the commit
            store.execute("UPDATE outbox SET status = 'pending', delivered_at = NULL, "
                              "next_attempt_at = current_timestamp")
        server = start_serve(db, api_port, agency_key, "--allow-webhook-network", "127.0.0.1")
        for _ in range(200):
            if _delivery(base, agency_key)["status"] == "delivered":
                break
            time.sleep(0.05)
        time.sleep(1.0)  # give the receiver's worker time to (not) act twice
        board = httpx.get(f"{base}/v1/incidents/case/board", headers={"X-API-Key": agency_key}).json()
    finally:
        if receiver is not None:
            receiver.terminate()
            receiver.wait()
        _kill_9(server)
    assert board["totals"] == {"ETH": {"requested": str(7 * 10**18), "frozen": str(7 * 10**18)}}
    with sqlite3.connect(tmp_path / "hanbit.sqlite") as con:
        assert con.execute("SELECT state, deliveries FROM inbox").fetchall() == [("done", 2)]
        assert con.execute("SELECT account, amount, active FROM freezes").fetchall() == [
            ("customer-17", str(7 * 10**18), 1)]


def _await_frozen(base: str, key: str, *, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    board: dict[str, Any] = {}
    while time.monotonic() < deadline:
        board = httpx.get(f"{base}/v1/incidents/case/board", headers={"X-API-Key": key}).json()
        if board["totals"] and board["totals"]["ETH"]["frozen"] != "0":
            return board
        time.sleep(0.2)
    raise AssertionError(f"not frozen within {timeout} s: {board}")


def test_answers_accepted_partial_declined_reach_the_board_and_bad_answers_are_refused(tmp_path: Path) -> None:
    _, key, agency_key = _store_with_one_request(tmp_path / "a.duckdb", free_port())
    with Store.open(tmp_path / "a.duckdb") as store, \
            serve_in_thread(create_app(store, webhook_networks=LOOPBACK)) as base:
        first = httpx.get(f"{base}/v1/freeze-requests", headers={"X-API-Key": key}).json()["requests"][0]
        assert (first["amount"], first["symbol"], first["decimals"]) == (str(7 * 10**18), "ETH", 18)
        rid = first["id"]
        url = f"{base}/v1/freeze-requests/{rid}/answer"

        def answer(body: dict[str, Any], who: str = key) -> httpx.Response:
            return httpx.post(url, json=body, headers={"X-API-Key": who})

        def frozen() -> str:
            board = httpx.get(f"{base}/v1/incidents/case/board", headers={"X-API-Key": agency_key}).json()
            return str(board["totals"]["ETH"]["frozen"])

        refused = [
            (answer({"status": "declined", "amount_frozen": "5"}), 400, "amount_frozen"),
            (answer({"status": "partial", "amount_frozen": str(7 * 10**18)}), 400, "partial"),
            (answer({"status": "accepted", "amount_frozen": "0"}), 400, "accepted"),
            (answer({"status": "frozen", "amount_frozen": "1"}), 422, "status"),
            (answer({"status": "accepted", "amount_frozen": "-1"}), 422, "amount_frozen"),
            (answer({"status": "accepted", "amount_frozen": "1"}, agency_key), 404, "addressed to kr-nis"),
        ]
        for reply, code, says in refused:
            assert reply.status_code == code and says in reply.text, reply.text
        assert frozen() == "0"
        assert answer({"status": "partial", "amount_frozen": str(3 * 10**18), "reason": "account held 3"}).is_success
        assert frozen() == str(3 * 10**18)
        assert answer({"status": "declined", "amount_frozen": "0", "reason": "court order needed"}).is_success
        assert frozen() == "0"  # the latest answer counts
        row = store.execute("SELECT status, answer_reason FROM freeze_requests").fetchone()
    assert row == ("declined", "court order needed")
