"""The live drill, end to end: anvil mining every second, `hotpursuit serve` watching it (and a
Bitcoin source where the bridge pays out), the three exchanges' and the issuer's reference receivers
listening, and `hotpursuit drill --live` racing them.

Every tainted arrival above the threshold at an exchange deposit address, and every tainted
stablecoin holding, must reach its organisation as one correct signed request (the drill's own
haircut ground truth says which and how much); the issuer's blacklist must land before the thief's
next move of those stablecoins, which reverts; the thief's Bitcoin, paid out by the bridge and moved
on to an exchange's Bitcoin deposit addresses, is asked frozen there with the taint carried across;
and the incident's frozen totals must equal what the receivers froze in their own ledgers."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import sync_playwright

from hotpursuit.api.background import free_port
from hotpursuit.drill.bitcoin_leg import build_bitcoin_leg
from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.drill.devnet.bitcoin_server import BitcoinTestServer
from hotpursuit.drill.live_race import AGENCY, receiver_command, setup_defenders
from hotpursuit.store import Store
from hotpursuit.store.org_tables import create_key

from .serve_process import start_serve

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CLI = [sys.executable, "-m", "hotpursuit.cli"]
ETH_MIN = 10**18  # ask no freeze below 1 ETH
USD_MIN = 1_000 * 10**6  # nor below 1,000 HUSD
BTC_MIN = 1_000  # nor below 1,000 satoshi

pytestmark = pytest.mark.slow


def _received(db: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT body, state, deliveries FROM inbox WHERE kind = 'freeze_request'").fetchall()
    assert all(state == "done" for _, state, _ in rows)
    assert all(n == 1 for _, _, n in rows)
    return [json.loads(body) for body, _, _ in rows]


def _asked(arrivals: list[dict[str, Any]], thresholds: dict[str, int]) -> list[tuple[str, str, int, str]]:
    """The requests the rule makes from the ground truth's tainted arrivals: what arrived at an address
    since its last request, asked at the block where it reaches the asset's threshold."""
    pending: dict[tuple[str, str], int] = {}
    out = []
    for a in sorted(arrivals, key=lambda a: (a["block"], a["address"], a["asset"])):
        key = (a["address"], a["asset"])
        pending[key] = pending.get(key, 0) + int(a["tainted_amount"])
        if pending[key] >= thresholds[a["asset"]]:
            out.append((*key, a["block"], str(pending.pop(key))))
    return sorted(out)


def test_live_drill_every_freezer_is_asked_and_the_issuer_freezes_before_the_next_move(tmp_path: Path) -> None:
    with AnvilNode(block_time=1) as node, BitcoinTestServer([]) as bitcoin:
        subprocess.run([*CLI, "drill", "--rpc", node.url, "--roster", str(tmp_path / "roster.json")], check=True)
        roster = json.loads((tmp_path / "roster.json").read_text())
        since = int(httpx.post(node.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber",
                                               "params": []}).json()["result"], 16) + 1
        db = tmp_path / "live.duckdb"
        with Store.open(db) as store:
            incident, defenders = setup_defenders(store, roster, since=since)
            key = create_key(store, AGENCY, ["read"], 1)[1]
        token = roster["issuer"]["token"]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_serve(db, port, key, "--watch-rpc", node.url, "--watch-from", str(since),
                             "--min-freeze", f"ETH={ETH_MIN}", "--min-freeze", f"{token}={USD_MIN}",
                             "--min-freeze", f"BTC={BTC_MIN}", "--watch-esplora", bitcoin.esplora_url,
                             "--watch-bitcoin-from", "0", "--allow-webhook-network", "127.0.0.1")
        receivers = []
        browser = sync_playwright().start()  # the board in a real browser, following the race over SSE
        try:
            chromium = browser.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
            board_page = chromium.new_page()
            board_page.goto(f"{base}/ui/login")
            board_page.fill("#key", key)
            board_page.click("button[type=submit]")
            board_page.goto(f"{base}/ui/incidents/{incident}")
            assert board_page.locator("#board").get_attribute("data-updates") == "0"
            for d in defenders:
                receivers.append(subprocess.Popen(receiver_command(
                    d, examples=EXAMPLES, api=base, rpc=node.url, roster=roster, db=tmp_path / f"{d.org_id}.sqlite"),
                    cwd=EXAMPLES))
            drill = subprocess.run([*CLI, "drill", "--rpc", node.url, "--live", "--min-transfers", "0",
                                    "--out", str(tmp_path / "truth.json")], capture_output=True, text=True,
                                   timeout=900)
            assert drill.returncode == 0, drill.stderr
            truth = json.loads((tmp_path / "truth.json").read_text())
            leg = build_bitcoin_leg(7, truth["bridge_memos"], start_time=1_740_100_000)
            for k in range(1, len(leg.blocks) + 1):  # the bridge pays out, a Bitcoin block at a time
                bitcoin.set_chain(leg.blocks[:k])
                time.sleep(0.3)
            board: dict[str, Any] = {}
            for _ in range(600):  # the watch reaches the drill's last blocks, every request is answered
                watch = httpx.get(base + "/v1/watch", headers={"X-API-Key": key}).json()
                board = httpx.get(f"{base}/v1/incidents/{incident}/board", headers={"X-API-Key": key}).json()
                if (watch["last_block"] or 0) >= truth["last_block"] and (watch["bitcoin_block"] or 0) >= len(
                        leg.blocks) - 1 and all(
                        o["answered"] == o["requests"] for o in board["organisations"]):
                    break
                time.sleep(0.1)
            else:
                raise AssertionError(f"requests not all answered: {board}")
            board_page.wait_for_timeout(1000)  # the last change reaches the page
            assert int(board_page.locator("#board").get_attribute("data-updates") or 0) >= 3  # followed live
            assert "Traced live by the watch" in board_page.locator("#board caption").first.inner_text()
            frozen = {o["org"]: o for o in board["organisations"] if int(o["frozen"])}
            shown = board_page.locator("#board table").nth(1).inner_text()
            assert frozen and all(org in shown for org in frozen)  # each freezing organisation, on the page
        finally:
            browser.stop()
            for p in receivers:
                p.terminate()
                p.wait()
            server.terminate()
            server.wait(30)

    # every exchange: one request per block with a tainted arrival at one of its deposit addresses; on
    # Bitcoin, the payout carries floor(sats * tainted / deposit) and the onward move its haircut share
    memos = {m["tx_hash"]: m for m in truth["bridge_memos"]}
    btc_arrivals = []
    for p in leg.truth():
        if p["onward_address"] is not None:
            memo = memos[p["inbound_tx"]]
            seeded = int(p["sats"]) * int(memo["tainted_amount"]) // int(memo["amount"])
            btc_arrivals.append({"address": p["onward_address"], "asset": "BTC", "block": p["height"] + 1,
                                 "tainted_amount": str(int(p["onward_sats"]) * seeded // int(p["sats"]))})
    assert btc_arrivals
    for d in defenders[:-1]:
        arrivals = [a for a in [*truth["endpoint_arrivals"], *btc_arrivals] if a["address"] in d.deposit_addresses]
        expected = _asked(arrivals, {"ETH": ETH_MIN, token: USD_MIN, "BTC": BTC_MIN})
        got = sorted((r["address"], r["asset"], r["block"]["number"], r["amount"])
                     for r in _received(tmp_path / f"{d.org_id}.sqlite"))
        assert expected and got == expected, d.name
    # the issuer: one request per address holding tainted stablecoins, blacklisted before its next move
    issuer = defenders[-1]
    expected_holders = sorted((h["address"], h["asset"], h["first_block"], h["tainted_amount"])
                              for h in truth["holdings"] if h["asset"] == token and int(h["tainted_amount"]) >= USD_MIN)
    got_holders = sorted((r["address"], r["asset"], r["block"]["number"], r["amount"])
                         for r in _received(tmp_path / f"{issuer.org_id}.sqlite"))
    assert expected_holders and got_holders == expected_holders
    with sqlite3.connect(tmp_path / f"{issuer.org_id}.sqlite") as con:
        blacklisted = {a: (int(b), int(x)) for a, b, x in con.execute(
            "SELECT address, block, amount FROM blacklistings WHERE active = 1")}
    reverted = truth["reverted"]
    assert reverted, "the thief never tried to move a blacklisted holding"
    for r in reverted:  # the thief tried to move them on and failed: the blacklist was already on chain
        assert r["purpose"] in ("park stablecoin", "stablecoin to exchange")
        assert blacklisted[r["from"]][0] < r["block"]
    # and it was never in time to move stablecoins an issuer request was about: each is still held
    assert {a for a, _ in blacklisted.items()} == {h[0] for h in expected_holders}
    # the board: requested is what was asked; frozen is what the receivers froze in their own ledgers
    frozen_eth = 0
    for d in defenders[:-1]:
        with sqlite3.connect(tmp_path / f"{d.org_id}.sqlite") as con:
            frozen_eth += sum(int(a) for (a,) in con.execute("SELECT amount FROM freezes WHERE active = 1 "
                                                             "AND asset = 'ETH'"))
    frozen_usd = sum(amount for _, amount in blacklisted.values())
    frozen_btc = 0
    for d in defenders[:-1]:
        with sqlite3.connect(tmp_path / f"{d.org_id}.sqlite") as con:
            frozen_btc += sum(int(a) for (a,) in con.execute("SELECT amount FROM freezes WHERE active = 1 "
                                                             "AND asset = 'BTC'"))
    assert frozen_btc == sum(int(a["tainted_amount"]) for a in btc_arrivals)
    assert board["totals"]["BTC"]["frozen"] == str(frozen_btc)
    assert board["traced"]["BTC"]["at_endpoints"] == str(frozen_btc)
    assert board["totals"]["ETH"]["frozen"] == str(frozen_eth)
    assert board["totals"][token]["frozen"] == str(frozen_usd)
    assert frozen_usd == sum(int(h[3]) for h in expected_holders)
    deposits = {a for d in defenders for a in d.deposit_addresses}
    requested_eth = sum(int(r[3]) for r in _asked([a for a in truth["endpoint_arrivals"] if a["address"] in deposits],
                                                  {"ETH": ETH_MIN, token: USD_MIN}) if r[1] == "ETH")
    assert board["totals"]["ETH"]["requested"] == str(requested_eth)
