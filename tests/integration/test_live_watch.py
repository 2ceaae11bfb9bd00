"""The live watch on anvil: through a reorg (a freeze request whose arrival block is orphaned is
retracted with a signed retraction queued in the outbox, and the value that reappears in the new
branch is asked again, with a new request id; re-running a block asks nothing twice), when an
incident is opened or a control declared after the loot arrived (asked at once), and when clustering
ties a deposit address to a declared hot wallet."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.messages import encode_defunct

from hotpursuit.api.app import create_app
from hotpursuit.api.background import serve_in_thread
from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.interdict.live_watch import LiveWatch
from hotpursuit.store import Store
from hotpursuit.store.incident_tables import open_incident
from hotpursuit.store.interdiction_tables import add_control, set_webhook
from hotpursuit.store.label_tables import replace_import
from hotpursuit.store.org_tables import add_org, create_key

ETHER = 10**18
THIEF, LAYER, DEPOSIT, BYSTANDER = ("0x" + c * 40 for c in "a1b2")


def _send(rpc: JsonRpcClient, src: str, dst: str, wei: int) -> None:
    rpc.call("eth_sendTransaction", [{"from": src, "to": dst, "value": hex(wei), "gasPrice": "0x0"}])


def _agency_and_exchange(store: Store, address: str, kind: str) -> None:
    """The agency kr-nis, and the exchange ex-hanbit (a webhook nobody answers) controlling `address`."""
    add_org(store, "kr-nis", "NIS", "agency", "KR", "tf")
    add_org(store, "ex-hanbit", "Hanbit Exchange", "exchange", "KR", "tf")
    set_webhook(store, "ex-hanbit", "http://127.0.0.1:9/hook")
    add_control(store, "ex-hanbit", "anvil", address, kind)


def _drain(watch: LiveWatch) -> None:
    while watch.step():
        pass


def test_orphaned_request_is_retracted_and_reappearing_value_is_asked_again(anvil: AnvilNode, tmp_path: Path) -> None:
    rpc = JsonRpcClient(anvil.url)
    rpc.call("anvil_setBalance", [THIEF, hex(1_000 * ETHER)])
    since = int(rpc.call("eth_blockNumber", []), 16) + 1
    with Store.open(tmp_path / "w.duckdb") as store:
        _agency_and_exchange(store, DEPOSIT, "deposit_address")
        open_incident(store, "reorg case", "anvil", [THIEF], since=since)
        watch = LiveWatch(rpc, store, thresholds={"ETH": ETHER})
        try:
            watch.seek(since)
            _send(rpc, THIEF, LAYER, 100 * ETHER)
            _send(rpc, LAYER, DEPOSIT, 40 * ETHER)
            _send(rpc, LAYER, DEPOSIT, ETHER // 2)  # below the threshold: waits for more
            _drain(watch)
            first = store.execute("SELECT id, amount::VARCHAR, block_number, block_hash, status "
                                      "FROM freeze_requests").fetchall()
            assert [(a, s) for _, a, _, _, s in first] == [(str(40 * ETHER), "sent")]
            old_id, _, arrival_block, old_hash, _ = first[0]
            # the last two blocks (the 40 ETH and the half ETH arrivals) are replaced: the new branch pays
            # 25 ETH to the deposit and the rest elsewhere; then it grows past the old tip
            rpc.call("anvil_reorg", [2, [[{"from": LAYER, "to": DEPOSIT, "value": hex(25 * ETHER),
                                           "gasPrice": "0x0"}, 0],
                                         [{"from": LAYER, "to": BYSTANDER, "value": hex(ETHER),
                                           "gasPrice": "0x0"}, 1]]])
            _send(rpc, BYSTANDER, LAYER, 1)
            _drain(watch)
            _drain(watch)  # the reorg step only rolls back; the new branch follows
            rows = store.execute("SELECT id, amount::VARCHAR, block_number, block_hash, status, answer_reason "
                                     "FROM freeze_requests ORDER BY created_at").fetchall()
            outbox = store.execute("SELECT kind, request_id, body FROM outbox ORDER BY created_at, id").fetchall()
            assert watch.stats.reorgs == 1 and watch.stats.retractions == 1
            _drain(watch)  # nothing new: re-running asks nothing twice
            again = store.execute("SELECT count(*) FROM freeze_requests").fetchone()
        finally:
            watch.stop()
    assert again == (2,)
    retracted, renewed = rows
    assert retracted[0] == old_id and retracted[4] == "retracted" and "orphaned by a reorg" in retracted[5]
    assert renewed[1] == str(25 * ETHER) and renewed[2] == arrival_block and renewed[4] == "sent"
    assert renewed[0] != old_id and renewed[3] != old_hash
    assert [(k, r) for k, r, _ in outbox] == [("freeze_request", old_id), ("retraction", old_id),
                                              ("freeze_request", renewed[0])]
    retraction = json.loads(outbox[1][2])
    assert retraction["type"] == "retraction" and retraction["id"] == old_id
    assert json.loads(outbox[2][2])["amount"] == str(25 * ETHER)


def _wait_for(check: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_an_incident_opened_and_a_control_declared_after_the_loot_arrived_are_served_at_once(
        anvil: AnvilNode, tmp_path: Path) -> None:
    """The agency opens the incident through the API after the thief reached a deposit address: the
    watch asks for it at once. The exchange then declares another deposit address that had already
    received loot: asked at once too. Nothing is asked twice; closing the incident is its owner's."""
    rpc = JsonRpcClient(anvil.url)
    rpc.call("anvil_setBalance", [THIEF, hex(1_000 * ETHER)])
    since = int(rpc.call("eth_blockNumber", []), 16) + 1
    wallet2 = Account.create()  # the exchange holds this deposit address's key: it proves its control
    deposit2 = wallet2.address.lower()
    with Store.open(tmp_path / "late.duckdb") as store:
        _agency_and_exchange(store, DEPOSIT, "deposit_address")
        agency = {"X-API-Key": create_key(store, "kr-nis", ["read", "write", "incident"], 1)[1]}
        exchange = {"X-API-Key": create_key(store, "ex-hanbit", ["read", "write", "org-admin"], 1)[1]}
        theft = rpc.call("eth_sendTransaction", [{"from": THIEF, "to": LAYER, "value": hex(100 * ETHER),
                                                  "gasPrice": "0x0"}])
        _send(rpc, LAYER, DEPOSIT, 40 * ETHER)
        _send(rpc, LAYER, deposit2, 10 * ETHER)
        tip = int(rpc.call("eth_blockNumber", []), 16)
        app = create_app(store, watch_rpc=anvil.url, watch_from=since, thresholds={"ETH": ETHER},
                         webhook_networks=["127.0.0.1/32"])
        with serve_in_thread(app) as base:
            def requests() -> list[dict[str, Any]]:
                return list(httpx.get(f"{base}/v1/freeze-requests", headers=agency).json()["requests"])

            _wait_for(lambda: httpx.get(f"{base}/v1/watch", headers=agency).json()["last_block"] == tip, "the watch")
            assert requests() == []  # no incident yet
            opened = httpx.post(f"{base}/v1/incidents", headers=agency, json={
                "name": "late case", "chain": "anvil", "sources": [theft], "since": since, "actor": "lazarusgroup"})
            assert opened.status_code == 201, opened.text
            incident = opened.json()["id"]
            asked = _wait_for(requests, "the request for what already arrived")
            assert [(r["address"], r["amount"], r["incident"]) for r in asked] == [(DEPOSIT, str(40 * ETHER), incident)]
            again = httpx.post(f"{base}/v1/incidents", headers=agency, json={
                "name": "late case", "chain": "anvil", "sources": [theft]})
            assert again.status_code == 409 and "already" in again.text
            bad = httpx.post(f"{base}/v1/incidents", headers=agency, json={
                "name": "other case", "chain": "anvil", "sources": ["0x12"]})
            assert bad.status_code == 400 and "0x12" in bad.text
            declared = httpx.post(f"{base}/v1/orgs/me/controls", headers=exchange, json={
                "chain": "anvil", "address": deposit2, "kind": "deposit_address"})
            assert declared.status_code == 201, declared.text
            assert declared.json()["status"] == "pending"  # receives nothing until the address signs
            signature = Account.sign_message(encode_defunct(text=declared.json()["challenge"]), wallet2.key)
            proven = httpx.post(f"{base}/v1/orgs/me/controls/proof", headers=exchange, json={
                "chain": "anvil", "address": deposit2, "signature": signature.signature.hex()})
            assert proven.status_code == 200 and proven.json()["status"] == "verified", proven.text
            asked = _wait_for(lambda: len(requests()) == 2 and requests(), "the request at the late control")
            assert sorted((r["address"], r["amount"]) for r in asked) == sorted([
                (DEPOSIT, str(40 * ETHER)), (deposit2, str(10 * ETHER))])
            refused = httpx.post(f"{base}/v1/incidents/{incident}/close", headers=exchange)
            assert refused.status_code == 403  # an exchange closes no incident (nor opens one)
            closed = httpx.post(f"{base}/v1/incidents/{incident}/close", headers=agency)
            assert closed.status_code == 200
            _send(rpc, LAYER, DEPOSIT, 5 * ETHER)  # a closed incident asks nothing more
            tip = int(rpc.call("eth_blockNumber", []), 16)
            _wait_for(lambda: httpx.get(f"{base}/v1/watch", headers=agency).json()["last_block"] == tip, "the watch")
            assert len(requests()) == 2


def test_a_deposit_address_found_by_clustering_moves_the_request_from_the_hot_wallet(anvil: AnvilNode,
                                                                                   tmp_path: Path) -> None:
    """The exchange declares only its hot wallet. Loot reaches one of its deposit addresses and is swept
    to the hot wallet: the exchange is asked at the hot wallet. Clustering (through the API) then ties
    the deposit address to the hot wallet: the trace now stops at the deposit address, so the request at
    the hot wallet is retracted and the deposit address (the thief's account) is asked instead; the
    board counts the loot once."""
    rpc = JsonRpcClient(anvil.url)
    hot, customer, deposit = ("0x" + c * 40 for c in "cef")
    for address in (THIEF, customer):
        rpc.call("anvil_setBalance", [address, hex(1_000 * ETHER)])
    since = int(rpc.call("eth_blockNumber", []), 16) + 1
    with Store.open(tmp_path / "cluster.duckdb") as store:
        _agency_and_exchange(store, hot, "hot_wallet")
        replace_import(store, "hanbit", "ex-hanbit", [LabelClaim("anvil", hot, "Hanbit hot wallet", "exchange",
                                                                 "Hanbit Exchange", 90, "Hanbit", None, "GREEN",
                                                                 "ex-hanbit")])
        agency = {"X-API-Key": create_key(store, "kr-nis", ["read", "admin"], 1)[1]}
        incident, _ = open_incident(store, "swept case", "anvil", [THIEF], since=since, owner="kr-nis")
        _send(rpc, customer, deposit, 50 * ETHER)  # a customer's deposit, swept to the hot wallet
        _send(rpc, deposit, hot, 50 * ETHER)
        _send(rpc, THIEF, LAYER, 100 * ETHER)
        _send(rpc, LAYER, deposit, 30 * ETHER)  # the thief's deposit, swept too
        _send(rpc, deposit, hot, 30 * ETHER)
        tip = int(rpc.call("eth_blockNumber", []), 16)
        app = create_app(store, watch_rpc=anvil.url, watch_from=since, thresholds={"ETH": ETHER},
                         webhook_networks=["127.0.0.1/32"])
        with serve_in_thread(app) as base:
            def requests() -> list[dict[str, Any]]:
                return list(httpx.get(f"{base}/v1/freeze-requests", headers=agency).json()["requests"])

            _wait_for(lambda: httpx.get(f"{base}/v1/watch", headers=agency).json()["last_block"] == tip, "the watch")
            assert [(r["address"], r["amount"], r["status"]) for r in requests()] == [
                (hot, str(30 * ETHER), "sent")]
            clustered = httpx.post(f"{base}/v1/admin/cluster/anvil", headers=agency)
            assert clustered.status_code == 200 and clustered.json()["links"] >= 1, clustered.text
            asked = _wait_for(lambda: len(requests()) == 2 and requests(), "the request at the deposit address")
            board = httpx.get(f"{base}/v1/incidents/{incident}/board", headers=agency).json()
        retraction = store.execute("SELECT count(*) FROM outbox WHERE kind = 'retraction'").fetchone()
    assert sorted((r["address"], r["amount"], r["status"]) for r in asked) == sorted([
        (hot, str(30 * ETHER), "retracted"), (deposit, str(30 * ETHER), "sent")])
    assert board["totals"]["ETH"]["requested"] == str(30 * ETHER)
    assert retraction == (1,)
