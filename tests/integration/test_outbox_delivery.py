"""Freeze requests through the durable outbox to the reference exchange receiver (a real process):
the receiver is down at first, gets the signed request once it is up, freezes, answers through the
API, and the incident's board shows the frozen amount."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

from hotpursuit.api.app import create_app
from hotpursuit.api.background import serve_in_thread
from hotpursuit.devnet.anvil import free_port
from hotpursuit.interdict.freeze_messages import freeze_request_body, request_id
from hotpursuit.interdict.freeze_rules import FreezeCandidate
from hotpursuit.store import Store
from hotpursuit.store.interdiction_tables import NewRequest, add_control, record_requests, set_webhook
from hotpursuit.store.org_tables import add_org, create_key

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEPOSIT = "0x" + "d1" * 20


def test_a_request_reaches_a_receiver_that_was_down_and_its_freeze_reaches_the_board(tmp_path: Path) -> None:
    port = free_port()
    with Store.open(tmp_path / "o.duckdb") as store:
        add_org(store, "kr-nis", "NIS", "agency", "KR", "tf")
        add_org(store, "ex-hanbit", "Hanbit Exchange", "exchange", "KR", "tf")
        secret = set_webhook(store, "ex-hanbit", f"http://127.0.0.1:{port}/hook")
        add_control(store, "ex-hanbit", "ethereum", DEPOSIT, "deposit_address")
        key = create_key(store, "ex-hanbit", ["read", "write"], 1)[1]
        store.con.execute("INSERT INTO incidents (id, name, chain, tlp, owner_org) "
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
        with serve_in_thread(create_app(store)) as base:
            time.sleep(1.0)  # the receiver is down: attempts fail and are retried with backoff
            failed = store.con.execute("SELECT attempts, status, last_error FROM outbox").fetchone()
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
        assert store.con.execute("SELECT status FROM outbox").fetchall() == [("delivered",)]
        assert store.con.execute("SELECT status, answer_reason FROM freeze_requests").fetchall() == [
            ("accepted", "account customer-17 frozen")]
