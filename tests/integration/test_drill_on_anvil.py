"""The heist drill on a real anvil node, ingested back: the store sees exactly what the drill did."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from hotpursuit.devnet.anvil import AnvilNode
from hotpursuit.devnet.contracts import load_artifact
from hotpursuit.drill.ground_truth import build_ground_truth
from hotpursuit.drill.heist import DrillConfig, HeistDrill
from hotpursuit.ingest.evm_node_job import EvmNodeIngest
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.store import Store


def _drill(rpc: JsonRpcClient, seed: int = 7) -> dict[str, Any]:
    drill = HeistDrill(rpc, DrillConfig(seed=seed))
    drill.run()
    return build_ground_truth(drill)

def test_drill_is_bybit_shaped_and_ingest_sees_every_transfer(rpc: JsonRpcClient, store: Store) -> None:
    truth = _drill(rpc)
    assert truth["transfers"] >= 2_000
    assert len(truth["exchanges"]) >= 3
    splits = [a for a in truth["thief_addresses"] if a != truth["thief"]]
    assert len(splits) >= 40
    assert len(truth["bridge_memos"]) > 0
    assert all(m["memo"].split(":")[0] in ("SWAP", "=") and m["memo"].endswith(m["btc_address"])
               for m in truth["bridge_memos"])
    kinds = {e["kind"] for e in truth["endpoints"]}
    assert {"exchange_deposit", "dex_pool", "bridge_router"} <= kinds
    assert any(h["asset"] == truth["issuer"]["token"] for h in truth["holdings"])  # parked stablecoins
    eth = truth["conservation"]["ETH"]
    assert int(eth["at_endpoints"]) + int(eth["held"]) == int(eth["stolen"]) == 401_346_770 * 10**15

    stats = EvmNodeIngest(rpc, store).ingest_range(truth["first_block"], truth["last_block"])
    assert stats.transfers == truth["transfers"]
    assert stats.transactions == truth["transactions"]
    by_kind = dict(store.con.execute("SELECT kind, count(*) FROM transfers GROUP BY 1").fetchall())
    assert by_kind["internal"] > 0 and by_kind["erc20"] > 0 and by_kind["native"] > 0
    token = store.con.execute("SELECT symbol, decimals FROM tokens WHERE address = ?",
                              [truth["issuer"]["token"]]).fetchone()
    assert token == ("HUSD", 6)
    theft = store.con.execute("SELECT from_address, to_address, amount::VARCHAR FROM transfers WHERE tx_hash = ?",
                              [truth["theft_tx"]]).fetchall()
    assert theft == [(truth["victim"], truth["thief"], eth["stolen"])]
    links = store.con.execute("SELECT memo, to_chain, to_address, amount_in::VARCHAR FROM bridge_links "
                              "ORDER BY ALL").fetchall()
    assert links == sorted((m["memo"], "bitcoin", m["btc_address"], str(m["amount"])) for m in truth["bridge_memos"])

def test_same_seed_same_heist(tmp_path: Path) -> None:
    truths = []
    for _ in range(2):
        with AnvilNode() as node:
            truths.append(_drill(JsonRpcClient(node.url), seed=11))
    assert truths[0]["endpoints"] == truths[1]["endpoints"]
    assert truths[0]["thief_addresses"] == truths[1]["thief_addresses"]
    assert truths[0]["transfers"] == truths[1]["transfers"]

@pytest.mark.parametrize(("receipts", "traces"), [(True, "auto"), (False, "trace_block"),
                                                  (False, "debug_traceBlockByNumber")])
def test_failed_transaction_moves_no_value(rpc: JsonRpcClient, store: Store, receipts: bool, traces: str) -> None:
    truth = _drill(rpc)
    trader = truth["background_addresses"][0]
    pool = truth["contracts"]["dex_pool"]
    # swapEthForToken(minOut = 2^255): the pool cannot pay that, so the call reverts with its value

    data = load_artifact("ConstantProductPool").call_data("swapEthForToken", 2**255)
    tx_hash = rpc.call("eth_sendTransaction", [{"from": trader, "to": pool, "value": hex(5 * 10**18),
                                                "data": data, "gas": hex(300_000), "gasPrice": "0x0"}])
    receipt = None
    for _ in range(200):  # anvil's automine answers before the block exists
        receipt = rpc.call("eth_getTransactionReceipt", [tx_hash])
        if receipt is not None:
            break
        time.sleep(0.05)
    assert receipt is not None and receipt["status"] == "0x0"
    block = int(receipt["blockNumber"], 16)
    EvmNodeIngest(rpc, store, receipts=receipts, traces=traces).ingest_range(block, block)
    assert store.con.execute("SELECT status FROM transactions WHERE hash = ?", [tx_hash]).fetchone() == (0,)
    assert store.con.execute("SELECT count(*) FROM transfers WHERE tx_hash = ?", [tx_hash]).fetchone() == (0,)

@pytest.mark.parametrize("batch_size", [1, 7])
def test_reingesting_a_range_changes_nothing(rpc: JsonRpcClient, store: Store, batch_size: int) -> None:
    truth = _drill(rpc)
    job = EvmNodeIngest(rpc, store, batch_size=batch_size)
    job.ingest_range(truth["first_block"], truth["last_block"])
    snapshot = store.con.execute("SELECT * FROM transfers ORDER BY ALL").fetchall()
    store.con.execute("DELETE FROM ingest_checkpoints")  # force a full second pass over the range
    job.ingest_range(truth["first_block"], truth["last_block"])
    assert store.con.execute("SELECT * FROM transfers ORDER BY ALL").fetchall() == snapshot

def test_debug_trace_fallback_gives_the_same_internal_transfers(rpc: JsonRpcClient, tmp_path: Path) -> None:
    truth = _drill(rpc)
    rows = []
    for method in ("trace_block", "debug_traceBlockByNumber"):
        with Store.open(tmp_path / f"{method}.duckdb") as s:
            EvmNodeIngest(rpc, s, traces=method).ingest_range(truth["first_block"], truth["last_block"])
            rows.append(s.con.execute("SELECT * EXCLUDE (source) FROM transfers WHERE kind = 'internal' "
                                      "ORDER BY ALL").fetchall())
    assert rows[0] == rows[1] and len(rows[0]) > 0


def test_without_receipts_the_same_transfers_and_outcomes(rpc: JsonRpcClient, tmp_path: Path) -> None:
    truth = _drill(rpc)
    tables = []
    for receipts, traces in [(True, "auto"), (False, "trace_block"), (False, "debug_traceBlockByNumber")]:
        with Store.open(tmp_path / f"{receipts}-{traces}.duckdb") as s:
            EvmNodeIngest(rpc, s, receipts=receipts, traces=traces).ingest_range(
                truth["first_block"], truth["last_block"])
            tables.append((
                s.con.execute("SELECT * EXCLUDE (source) FROM transfers ORDER BY ALL").fetchall(),
                s.con.execute("SELECT hash, status, contract_address, effective_gas_price::VARCHAR "
                              "FROM transactions ORDER BY ALL").fetchall(),
                s.con.execute("SELECT count(gas_used) FROM transactions").fetchone(),
            ))
    with_receipts, parity, calltracer = tables
    assert len(with_receipts[0]) == truth["transfers"]
    assert parity[:2] == with_receipts[:2] == calltracer[:2]
    assert any(row[2] is not None for row in with_receipts[1])  # the drill deploys contracts
    assert with_receipts[2] == (truth["transactions"],) and parity[2] == calltracer[2] == (0,)
