"""The drill's Bitcoin leg: payouts for every bridge memo, served by the test server, ingested through
Core RPC next to the EVM drill, and linked in bridge_links so a trace can cross from EVM to Bitcoin."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bitcoin.core import CBlock, b2lx

from hotpursuit.drill.bitcoin_leg import MINER_FEE, OUTBOUND_FEE, build_bitcoin_leg, fork_from, sats_for_wei
from hotpursuit.drill.devnet.bitcoin_server import BitcoinTestServer
from hotpursuit.drill.ground_truth import build_ground_truth
from hotpursuit.drill.heist import DrillConfig, HeistDrill
from hotpursuit.ingest.bitcoin_node_job import BitcoinIngest, CoreRpcSource, EsploraSource
from hotpursuit.ingest.evm_node_job import EvmNodeIngest
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.store import Store
from hotpursuit.store.checkpoints import get_checkpoint


def _truth(rpc: JsonRpcClient) -> dict[str, Any]:
    drill = HeistDrill(rpc, DrillConfig(seed=7))
    drill.run()
    return build_ground_truth(drill)


def test_bitcoin_leg_links_every_bridge_deposit(rpc: JsonRpcClient, store: Store) -> None:
    truth = _truth(rpc)
    leg = build_bitcoin_leg(7, truth["bridge_memos"], start_time=1_740_100_000)
    assert leg == build_bitcoin_leg(7, truth["bridge_memos"], start_time=1_740_100_000)  # deterministic
    EvmNodeIngest(rpc, store).ingest_range(truth["first_block"], truth["last_block"])
    with BitcoinTestServer(leg.blocks) as server:
        stats = BitcoinIngest(CoreRpcSource(server.rpc_url), store).ingest_range(0, len(leg.blocks) - 1)
    assert stats.bridge_links == len(truth["bridge_memos"])
    assert {"p2tr", "p2wpkh", "nulldata"} <= stats.by_type.keys()

    links = store.execute("""SELECT from_tx_hash, to_address, to_tx_hash, amount_in::VARCHAR,
                                        amount_out::VARCHAR FROM bridge_links ORDER BY from_tx_hash""").fetchall()
    expected = sorted((p.inbound_tx, p.address, p.txid, str(int(m["amount"])), str(p.sats))
                      for p, m in zip(leg.payouts, truth["bridge_memos"], strict=True))
    assert links == expected
    for p, m in zip(leg.payouts, truth["bridge_memos"], strict=True):
        assert p.sats == sats_for_wei(int(m["amount"])) - OUTBOUND_FEE
    # the thief's onward moves are taproot spends of the payouts, valued from the stored payouts
    onward = [p for p in leg.payouts if p.onward_txid]
    assert onward
    for p in onward:
        spent = store.execute("SELECT address, value::VARCHAR FROM utxo_inputs WHERE tx_hash = ?",
                                  [p.onward_txid]).fetchall()
        assert spent == [(p.address, str(p.sats))]
        paid = store.execute("SELECT address, script_type, value::VARCHAR FROM utxo_outputs WHERE tx_hash = ?",
                                 [p.onward_txid]).fetchall()
        assert paid == [(p.onward_address, "p2tr", str(p.sats - MINER_FEE))]


def test_follow_rolls_back_a_bitcoin_reorg(rpc: JsonRpcClient, store: Store) -> None:
    truth = _truth(rpc)
    leg = build_bitcoin_leg(7, truth["bridge_memos"], start_time=1_740_100_000)
    fork = fork_from(leg.blocks, 2)  # blocks 2.. re-mined: other hashes, same transactions
    tip = len(leg.blocks) - 1
    with BitcoinTestServer(leg.blocks[:-2]) as server:
        job = BitcoinIngest(EsploraSource(server.esplora_url), store, batch_size=2)
        calls = {"n": 0}

        def stop_when_caught_up() -> bool:
            calls["n"] += 1
            height = store.execute("SELECT max(number) FROM blocks WHERE chain = 'bitcoin'").fetchone()
            if calls["n"] == 3:
                server.set_chain(fork)  # blocks 2.. replaced, and the chain is longer than what we saw
            return height is not None and height[0] == tip and calls["n"] > 3

        stats = job.follow(0, poll_seconds=0.01, should_stop=stop_when_caught_up)
    assert stats.reorgs == 1
    stored = store.execute("SELECT number, hash FROM blocks WHERE chain = 'bitcoin' ORDER BY 1").fetchall()
    assert stored == [(h, b2lx(CBlock.deserialize(raw).GetHash())) for h, raw in fork]
    assert stored[:2] == [(h, b2lx(CBlock.deserialize(raw).GetHash())) for h, raw in leg.blocks[:2]]
    dupes = store.execute("SELECT count(*) - count(DISTINCT (tx_hash, output_index)) FROM utxo_outputs").fetchone()
    assert dupes == (0,)


def test_kill_9_mid_bitcoin_ingest_then_rerun_equals_an_uninterrupted_run(rpc: JsonRpcClient, tmp_path: Path) -> None:
    truth = _truth(rpc)
    leg = build_bitcoin_leg(7, truth["bridge_memos"], start_time=1_740_100_000)
    last = len(leg.blocks) - 1

    def cmd(url: str, db: Path) -> list[str]:
        return [sys.executable, "-m", "hotpursuit.cli", "ingest", "bitcoin", "--rpc", url, "--db", str(db),
                "--from", "0", "--to", str(last), "--batch-size", "1"]

    def tables(db: Path) -> list[Any]:
        with Store.open(db) as s:
            return [s.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                    for t in ("blocks", "utxo_outputs", "utxo_inputs")]

    with BitcoinTestServer(leg.blocks) as server:
        subprocess.run(cmd(server.rpc_url, tmp_path / "reference.duckdb"), check=True, capture_output=True)
        want = tables(tmp_path / "reference.duckdb")
        server.delay_seconds = 0.15
        interrupted = False
        for attempt, delay in enumerate([1.0, 1.5, 2.0, 2.5, 3.0]):
            db = tmp_path / f"crashed{attempt}.duckdb"
            proc = subprocess.Popen(cmd(server.rpc_url, db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            with Store.open(db) as s:
                done = get_checkpoint(s, f"btc-range:0-{last}", "bitcoin")
                partial = s.execute("SELECT count(*) FROM blocks").fetchone()
            if done is None or done >= last:
                continue
            interrupted = True
            assert partial == (done + 1,)  # whole blocks only
            server.delay_seconds = 0.0
            subprocess.run(cmd(server.rpc_url, db), check=True, capture_output=True)
            assert tables(db) == want
            break
    assert interrupted, "never managed to kill the ingest mid-run"
