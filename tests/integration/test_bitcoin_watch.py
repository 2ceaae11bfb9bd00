"""The live watch's Bitcoin side against the Bitcoin test server: bridge payouts of real signed
transactions are seeded with the EVM deposits' tainted share, the thief's onward move to an
exchange's Bitcoin deposit address is asked frozen (the clean deposit's is not), and a reorg that
re-mines those blocks retracts the request and asks it again under the new block's hash."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hotpursuit.drill.bitcoin_leg import build_bitcoin_leg, fork_from, memo_address, onward_address
from hotpursuit.drill.devnet.bitcoin_server import BitcoinTestServer
from hotpursuit.ingest.bitcoin_node_job import EsploraSource
from hotpursuit.interdict.bitcoin_watch import BitcoinBlock, BitcoinWatch
from hotpursuit.interdict.freeze_messages import request_id
from hotpursuit.store import Store
from hotpursuit.store.interdiction_tables import NewRequest, add_control, record_requests
from hotpursuit.store.org_tables import add_org
from hotpursuit.trace.account_taint import AccountTracer, Endpoint, Movement

SEED = 7
ETHER = 10**18
VICTIM, THIEF, CLEAN, ROUTER = ("0x" + c * 40 for c in "abcd")


def _steps(watch: BitcoinWatch, incidents: dict[str, AccountTracer], store: Store) -> list[BitcoinBlock]:
    """Step to the source's tip, storing each block's due requests as the live watch does."""
    blocks = []
    while (done := watch.step(incidents, {ROUTER}, {"BTC": 1_000}, "anvil")) is not None:
        assert isinstance(done, BitcoinBlock)
        record_requests(store, [NewRequest(request_id(c, done.hash), inc, c.org_id, "bitcoin", c.address, c.asset,
                                           c.amount, done.number, done.hash, json.dumps(c.evidence), "kr-nis",
                                           dt.datetime(2026, 12, 2), b"{}") for inc, c in done.due])
        blocks.append(done)
    return blocks


def test_onward_move_to_a_controlled_address_is_asked_and_a_reorg_retracts_and_asks_again(tmp_path: Path) -> None:
    deposits = [{"tx_hash": "0x" + f"{i + 1:064x}", "btc_address": memo_address(SEED, i), "amount": str(10 * ETHER),
                 "memo": f"SWAP:BTC.BTC:{memo_address(SEED, i)}", "index": i} for i in range(7)]
    leg = build_bitcoin_leg(SEED, deposits, start_time=1_740_100_000)
    # the EVM side: deposit 3 is a clean user's, the others the thief's (all tainted); on Bitcoin, block 1
    # pays memos 0-3, block 2 moves 0 and 3 on and pays 4-6, block 3 moves 6 on
    tracer = AccountTracer(theft_txs={"theft"}, endpoints={ROUTER: Endpoint("bridge", "Thor-style Bridge")})
    tracer.feed([Movement((1, 0, 0), "theft", VICTIM, THIEF, "ETH", 100 * ETHER)] + [
        Movement((2, i, 0), d["tx_hash"], CLEAN if i == 3 else THIEF, ROUTER, "ETH", 10 * ETHER)
        for i, d in enumerate(deposits)])
    incidents = {"case": tracer}
    onward = {i: onward_address(SEED, i) for i in (0, 3, 6)}
    assert len(leg.blocks) == 4
    with Store.open(tmp_path / "b.duckdb") as store, BitcoinTestServer(leg.blocks[:3]) as server:
        add_org(store, "kr-nis", "NIS", "agency", "KR", "tf")
        add_org(store, "ex-nordvik", "Nordvik Exchange", "exchange", "KR", "tf")
        for address in onward.values():
            add_control(store, "ex-nordvik", "bitcoin", address, "deposit_address")
        for d in deposits:
            store.execute("""INSERT INTO bridge_links (from_chain, from_tx_hash, memo, to_chain, to_address,
                                   amount_in, source, from_block, from_log_index, from_asset)
                                 VALUES ('anvil', ?, ?, 'bitcoin', ?, ?::BIGNUM, 'test', 2, 0, 'ETH')""",
                              [d["tx_hash"], d["memo"], d["btc_address"], d["amount"]])
        watch = BitcoinWatch(EsploraSource(server.esplora_url), store, job="live-watch")
        watch.seek(0)
        watch.rebuild(incidents, {ROUTER})
        blocks = _steps(watch, incidents, store)
        payouts = {p["inbound_tx"]: p for p in leg.truth()}
        moved_on = payouts[deposits[0]["tx_hash"]]
        # all of it tainted; the clean deposit's onward move (memo 3) is not asked
        assert [(c.address, c.amount) for b in blocks for _, c in b.due] == [(onward[0], int(moved_on["onward_sats"]))]
        asked = blocks[-1]
        evidence = asked.due[0][1].evidence
        assert evidence[-1] == {"chain": "bitcoin", "to": onward[0], "asset": "BTC", "tainted": moved_on["onward_sats"]}
        assert any(hop.get("bridge_deposit") == deposits[0]["tx_hash"] for hop in evidence)
        assert evidence[0]["tx"] == "theft"

        server.set_chain(fork_from(leg.blocks, 1))  # blocks 1.. re-mined (other hashes), one block longer
        assert watch.step(incidents, {ROUTER}, {"BTC": 1_000}, "anvil") == 1  # rolled back, one request retracted
        watch.rebuild(incidents, {ROUTER})
        again = _steps(watch, incidents, store)
        rows = store.execute("SELECT block_hash, amount::VARCHAR, status FROM freeze_requests "
                                 "ORDER BY created_at, status").fetchall()
        retractions = store.execute("SELECT count(*) FROM outbox WHERE kind = 'retraction'").fetchone()
    last = payouts[deposits[6]["tx_hash"]]
    assert [(b.number, [(c.address, c.amount) for _, c in b.due]) for b in again] == [
        (1, []), (2, [(onward[0], int(moved_on["onward_sats"]))]), (3, [(onward[6], int(last["onward_sats"]))])]
    assert sorted(rows) == sorted([(asked.hash, moved_on["onward_sats"], "retracted"),
                                   (again[1].hash, moved_on["onward_sats"], "sent"),
                                   (again[2].hash, last["onward_sats"], "sent")])
    assert again[1].hash != asked.hash and retractions == (1,)
