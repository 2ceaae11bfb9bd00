"""kill -9 mid-ingest then the same command again, and follow mode through anvil_reorg."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.drill.heist import DrillConfig, HeistDrill
from hotpursuit.ingest.evm_node_job import FOLLOW_JOB, EvmNodeIngest
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.store import Store
from hotpursuit.store.checkpoints import get_checkpoint

ALL = "SELECT * FROM {} ORDER BY ALL"


def _ingest_cmd(url: str, db: Path, first: int, last: int) -> list[str]:
    return [sys.executable, "-m", "hotpursuit.cli", "ingest", "evm", "--rpc", url, "--db", str(db),
            "--from", str(first), "--to", str(last), "--batch-size", "1"]


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with Store.open(db) as s:
        return {t: s.execute(ALL.format(t)).fetchall() for t in ("blocks", "transactions", "transfers")}


def test_kill_9_mid_ingest_then_rerun_equals_an_uninterrupted_run(anvil: AnvilNode, tmp_path: Path) -> None:
    rpc = JsonRpcClient(anvil.url)
    drill = HeistDrill(rpc, DrillConfig(seed=3))
    drill.run()
    first, last = drill.first_block, drill.last_block
    reference = tmp_path / "reference.duckdb"
    subprocess.run(_ingest_cmd(anvil.url, reference, first, last), check=True, capture_output=True)
    want = _tables(reference)

    interrupted = False
    for attempt, delay in enumerate([0.8, 1.2, 1.6, 2.0, 2.6, 3.2]):
        db = tmp_path / f"crashed{attempt}.duckdb"
        proc = subprocess.Popen(_ingest_cmd(anvil.url, db, first, last), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with Store.open(db) as s:
            done = get_checkpoint(s, f"evm-range:{first}-{last}", "anvil")
            partial = s.execute("SELECT count(*) FROM blocks").fetchone()
        if done is None or done >= last:
            continue  # killed before the first commit or after the last: try a different moment
        interrupted = True
        assert partial is not None and partial[0] == done - first + 1  # whole blocks only
        subprocess.run(_ingest_cmd(anvil.url, db, first, last), check=True, capture_output=True)
        assert _tables(db) == want
        break
    assert interrupted, "never managed to kill the ingest mid-run"


def _send(rpc: JsonRpcClient, sender: str, to: str, wei: int) -> None:
    """Send and wait until mined (anvil's automine answers before the block exists)."""
    tx = rpc.call("eth_sendTransaction", [{"from": sender, "to": to, "value": hex(wei), "gasPrice": "0x0"}])
    _wait(lambda: rpc.call("eth_getTransactionReceipt", [tx]) is not None)


def test_follow_rolls_back_a_reorg_and_replays_the_new_branch(anvil: AnvilNode, tmp_path: Path) -> None:
    rpc = JsonRpcClient(anvil.url)
    alice, bob, carol = ("0x" + c * 40 for c in "abc")
    rpc.call("anvil_setBalance", [alice, hex(10**21)])
    for _ in range(6):
        _send(rpc, alice, bob, 10**18)
    stop = threading.Event()
    with Store.open(tmp_path / "follow.duckdb") as store:
        job = EvmNodeIngest(JsonRpcClient(anvil.url), store, batch_size=2)
        result: dict[str, object] = {}
        follower = threading.Thread(target=lambda: result.update(
            stats=job.follow(0, poll_seconds=0.05, should_stop=stop.is_set)))
        follower.start()
        watcher = store.cursor()  # the follower's connection is busy
        try:
            _wait(lambda: get_checkpoint(watcher, FOLLOW_JOB, "anvil") == 6)
            orphaned = rpc.call("eth_getBlockByNumber", ["0x5", True])["transactions"][0]["hash"]
            # replace blocks 5 and 6 by a branch that pays carol instead, then grow it past the old tip
            rpc.call("anvil_reorg", [2, [[{"from": alice, "to": carol, "value": hex(7), "gasPrice": "0x0"}, 0]]])
            _send(rpc, alice, carol, 8)
            tip = int(rpc.call("eth_blockNumber", []), 16)
            _wait(lambda: get_checkpoint(watcher, FOLLOW_JOB, "anvil") == tip)
        finally:
            stop.set()
            follower.join(timeout=30)
        stats = result["stats"]
        assert stats.reorgs >= 1
        for n in range(tip + 1):
            node_hash = rpc.call("eth_getBlockByNumber", [hex(n), False])["hash"]
            assert store.execute("SELECT list(hash) FROM blocks WHERE number = ?", [n]).fetchone() == (
                [node_hash],)
        assert store.execute("SELECT count(*) FROM transfers WHERE tx_hash = ?", [orphaned]).fetchone() == (0,)
        to_carol = store.execute("SELECT list(amount::VARCHAR ORDER BY block_number) FROM transfers "
                                     "WHERE to_address = ?", [carol]).fetchone()
        assert to_carol == (["7", "8"],)
        dupes = store.execute("SELECT count(*) FROM (SELECT tx_hash, seq FROM transfers "
                                  "GROUP BY ALL HAVING count(*) > 1)").fetchone()
        assert dupes == (0,)


def _wait(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")
