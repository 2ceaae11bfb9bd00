"""The heist drill on a real anvil node, ingested back: the store sees exactly what the drill did;
the real Safe, Uniswap V2/V3 and aggregator did what the ground truth says; the poisoning is on chain."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from eth_abi import decode
from eth_utils import keccak

from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.drill.devnet.contracts import load_artifact
from hotpursuit.drill.ground_truth import build_ground_truth
from hotpursuit.drill.heist import DrillConfig, HeistDrill
from hotpursuit.ingest.evm_node_job import EvmNodeIngest
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.store import Store

ZERO = "0x" + "00" * 20
V2_SWAP = "0x" + keccak(text="Swap(address,uint256,uint256,uint256,uint256,address)").hex()
V3_SWAP = "0x" + keccak(text="Swap(address,address,int256,int256,uint160,uint128,int24)").hex()
TRANSFER = "0x" + keccak(text="Transfer(address,address,uint256)").hex()


def _run(rpc: JsonRpcClient, seed: int = 7) -> tuple[HeistDrill, dict[str, Any]]:
    drill = HeistDrill(rpc, DrillConfig(seed=seed))
    drill.run()
    return drill, build_ground_truth(drill)


def _drill(rpc: JsonRpcClient, seed: int = 7) -> dict[str, Any]:
    return _run(rpc, seed)[1]


def _receipt(rpc: JsonRpcClient, tx_hash: str) -> dict[str, Any]:
    receipt = rpc.call("eth_getTransactionReceipt", [tx_hash])
    assert receipt is not None and receipt["status"] == "0x1"
    return dict(receipt)


def _topic_address(topic: str) -> str:
    return "0x" + topic[-40:].lower()


def test_drill_is_bybit_shaped_and_ingest_sees_every_transfer(rpc: JsonRpcClient, store: Store) -> None:
    drill, truth = _run(rpc)
    assert truth["transfers"] >= 2_000
    assert len(truth["exchanges"]) >= 3
    splits = [a for a in truth["thief_addresses"] if a != truth["thief"]]
    assert len(splits) >= 40
    assert len(truth["bridge_memos"]) > 0
    assert all(m["memo"].split(":")[0] in ("SWAP", "=") and m["memo"].endswith(m["btc_address"])
               for m in truth["bridge_memos"])
    kinds = {e["kind"] for e in truth["endpoints"]}
    assert {"exchange_deposit", "bridge_router"} <= kinds and "dex_pool" not in kinds
    assert not {e["address"] for e in truth["endpoints"]} & set(truth["venues"])  # venues are pass-through
    assert any(h["asset"] == truth["issuer"]["token"] for h in truth["holdings"])  # parked stablecoins
    for asset, row in truth["conservation"].items():
        v = {k: int(x) for k, x in row.items()}
        assert v["stolen"] + v["swapped_in"] == v["at_endpoints"] + v["held"] + v["swapped_out"], asset
    eth = truth["conservation"]["ETH"]
    assert int(eth["stolen"]) == 401_346_770 * 10**15
    steth = truth["contracts"]["staking_token"]
    assert truth["stolen"] == {"ETH": eth["stolen"], steth: str(90_375_550 * 10**15)}

    stats = EvmNodeIngest(rpc, store).ingest_range(truth["first_block"], truth["last_block"])
    assert stats.transactions == truth["transactions"]
    # every ledger movement is in the store and nothing else (WETH Deposit/Withdrawal as mints and burns),
    # plus the zero-value Transfers of the poisoning campaign, which move nothing but are kept as evidence
    ledger = Counter((e.tx_hash, e.move.from_address, e.move.to_address, e.move.asset, e.move.amount)
                     for e in drill.ledger)
    stored = Counter((h, f, t, a, int(x)) for h, f, t, a, x in store.execute(
        "SELECT tx_hash, from_address, to_address, asset, amount::VARCHAR FROM transfers").fetchall())
    zero = Counter({k: n for k, n in stored.items() if k[4] == 0})
    assert zero and {k[0] for k in zero} <= set(truth["poisoning"]["transfers"])
    assert stored - zero == ledger and truth["weth_wraps"] > 0
    assert stats.transfers == truth["transfers"] + sum(zero.values())
    by_kind = dict(store.execute("SELECT kind, count(*) FROM transfers GROUP BY 1").fetchall())
    assert by_kind["internal"] > 0 and by_kind["erc20"] > 0 and by_kind["native"] > 0
    token = store.execute("SELECT symbol, decimals FROM tokens WHERE address = ?",
                              [truth["issuer"]["token"]]).fetchone()
    assert token == ("HUSD", 6)
    theft = store.execute("SELECT from_address, to_address, asset, amount::VARCHAR FROM transfers "
                              "WHERE tx_hash = ? ORDER BY seq", [truth["theft_tx"]]).fetchall()
    assert theft == [(truth["victim"], truth["thief"], "ETH", eth["stolen"]),
                     (truth["victim"], truth["thief"], steth, truth["stolen"][steth])]
    links = store.execute("SELECT memo, to_chain, to_address, amount_in::VARCHAR FROM bridge_links "
                              "ORDER BY ALL").fetchall()
    assert links == sorted((m["memo"], "bitcoin", m["btc_address"], str(m["amount"])) for m in truth["bridge_memos"])

def test_the_roster_predicts_every_contract_before_anything_is_sent(rpc: JsonRpcClient) -> None:
    roster = HeistDrill(rpc, DrillConfig(seed=7)).roster()
    truth = _drill(rpc)
    assert {k: truth["contracts"][k] for k in roster["contracts"]} == roster["contracts"]
    assert roster["victim"] == truth["victim"] and roster["venues"] == truth["venues"]


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
    router, c = truth["contracts"]["uniswap_v2_router"], truth["contracts"]
    # Router02 swapExactETHForTokens(minOut = 2^255): the pair cannot pay that, so the call reverts with its value
    data = load_artifact("UniswapV2Router02").call_data("swapExactETHForTokens", 2**255, [c["weth"], c["stablecoin"]],
                                                        trader, 2**64)
    tx_hash = rpc.call("eth_sendTransaction", [{"from": trader, "to": router, "value": hex(5 * 10**18),
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
    assert store.execute("SELECT status FROM transactions WHERE hash = ?", [tx_hash]).fetchone() == (0,)
    assert store.execute("SELECT count(*) FROM transfers WHERE tx_hash = ?", [tx_hash]).fetchone() == (0,)

@pytest.mark.parametrize("batch_size", [1, 7])
def test_reingesting_a_range_changes_nothing(rpc: JsonRpcClient, store: Store, batch_size: int) -> None:
    truth = _drill(rpc)
    job = EvmNodeIngest(rpc, store, batch_size=batch_size)
    job.ingest_range(truth["first_block"], truth["last_block"])
    snapshot = store.execute("SELECT * FROM transfers ORDER BY ALL").fetchall()
    store.execute("DELETE FROM ingest_checkpoints")  # force a full second pass over the range
    job.ingest_range(truth["first_block"], truth["last_block"])
    assert store.execute("SELECT * FROM transfers ORDER BY ALL").fetchall() == snapshot

def test_debug_trace_fallback_gives_the_same_internal_transfers(rpc: JsonRpcClient, tmp_path: Path) -> None:
    truth = _drill(rpc)
    rows = []
    for method in ("trace_block", "debug_traceBlockByNumber"):
        with Store.open(tmp_path / f"{method}.duckdb") as s:
            EvmNodeIngest(rpc, s, traces=method).ingest_range(truth["first_block"], truth["last_block"])
            rows.append(s.execute("SELECT * EXCLUDE (source) FROM transfers WHERE kind = 'internal' "
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
                s.execute("SELECT * EXCLUDE (source) FROM transfers ORDER BY ALL").fetchall(),
                s.execute("SELECT hash, status, contract_address, effective_gas_price::VARCHAR "
                              "FROM transactions ORDER BY ALL").fetchall(),
                s.execute("SELECT count(gas_used) FROM transactions").fetchone(),
            ))
    with_receipts, parity, calltracer = tables
    zero = sum(1 for row in with_receipts[0] if int(row[11]) == 0)  # the poisoning campaign's zero-value Transfers
    assert zero and len(with_receipts[0]) == truth["transfers"] + zero
    assert parity[:2] == with_receipts[:2] == calltracer[:2]
    assert any(row[2] is not None for row in with_receipts[1])  # the drill deploys contracts
    assert with_receipts[2] == (truth["transactions"],) and parity[2] == calltracer[2] == (0,)


def test_the_safe_was_drained_through_a_delegatecall_that_replaced_its_singleton(rpc: JsonRpcClient) -> None:
    truth = _drill(rpc)
    safe, takeover = truth["victim"], truth["safe_takeover"]
    exec_receipt = _receipt(rpc, takeover["exec_tx"])
    block = int(exec_receipt["blockNumber"], 16)
    slot = [rpc.call("eth_getStorageAt", [safe, "0x0", hex(n)]) for n in (block - 1, block)]
    assert ["0x" + str(w)[-40:] for w in slot] == [truth["contracts"]["safe_singleton"], takeover["backdoor"]]
    frames = rpc.call("debug_traceTransaction", [takeover["exec_tx"], {"tracer": "callTracer"}])
    calls, stack = [], list(frames.get("calls") or [])
    while stack:  # the proxy delegates to the singleton, which delegatecalls the trojan
        frame = stack.pop()
        calls.append((frame["type"], frame["to"].lower()))
        stack += frame.get("calls") or []
    assert ("DELEGATECALL", truth["contracts"]["safe_singleton"]) in calls
    assert ("DELEGATECALL", takeover["trojan"]) in calls
    assert frames["to"].lower() == safe and frames["from"].lower() in truth["victim_signers"]
    # the sweep emptied the Safe into the thief (ETH and the staking token)
    steth = truth["contracts"]["staking_token"]
    last = hex(truth["last_block"])
    assert int(rpc.call("eth_getBalance", [safe, last]), 16) == 0
    balance = load_artifact("StakedEther").call_data("balanceOf", safe)
    assert int(rpc.call("eth_call", [{"to": steth, "data": balance}, last]), 16) == 0
    sweep = _receipt(rpc, truth["theft_tx"])
    assert sweep["from"].lower() == truth["thief"] and sweep["to"].lower() == safe


def test_swaps_went_through_uniswap_v2_v3_and_the_aggregator(rpc: JsonRpcClient) -> None:
    truth = _drill(rpc)
    c = truth["contracts"]
    for tx_hash in truth["aggregator_txs"]:
        logs = _receipt(rpc, tx_hash)["logs"]
        emitters = {(log["address"].lower(), log["topics"][0]) for log in logs}
        assert (c["uniswap_v2_staking_pair"], V2_SWAP) in emitters
        assert (c["uniswap_v3_staking_pool"], V3_SWAP) in emitters
        assert any(log["address"].lower() == c["aggregator"] for log in logs)
        # the proceeds (WETH) went to the thief, whoever sent the transaction
        assert any(log["address"].lower() == c["weth"] and log["topics"][0] == TRANSFER
                   and _topic_address(log["topics"][2]) == truth["thief"] for log in logs)
    [solved] = truth["solver_txs"]
    assert _receipt(rpc, solved)["from"].lower() == truth["solver"]
    # the reference followed the stETH into ETH: the thief's swaps converted all of the stolen stETH
    steth = c["staking_token"]
    thief_swaps = [s for s in truth["swaps"] if s["address"] == truth["thief"]]
    assert sum(int(s["taint_out"].get(steth, 0)) for s in thief_swaps) == int(truth["stolen"][steth])
    assert any("ETH" in s["taint_in"] for s in thief_swaps)  # the unwrap
    # laundering and background swaps through Router02 (V2 stablecoin pair) and SwapRouter (V3 pool)
    span = {"fromBlock": hex(truth["first_block"]), "toBlock": hex(truth["last_block"])}
    v2 = rpc.call("eth_getLogs", [{**span, "address": c["uniswap_v2_stable_pair"], "topics": [V2_SWAP]}])
    assert any(_topic_address(log["topics"][1]) == c["uniswap_v2_router"] for log in v2)
    v3 = rpc.call("eth_getLogs", [{**span, "address": c["uniswap_v3_staking_pool"], "topics": [V3_SWAP]}])
    assert any(_topic_address(log["topics"][1]) == c["uniswap_v3_router"] for log in v3)
    assert set(truth["venues"].values()) == {"dex", "aggregator", "weth", "staking"}


def test_the_poisoning_campaign_is_on_chain_and_never_counted(rpc: JsonRpcClient) -> None:
    truth = _drill(rpc)
    poisoning = truth["poisoning"]
    fakes, lookalikes = poisoning["fake_tokens"], poisoning["lookalikes"]
    assert {f["symbol"] for f in fakes.values()} == {"\u0415\u0422\u041d", "USD\u0422", "stETH"}
    fake = load_artifact("ImpersonatorToken")
    for address, spec in fakes.items():
        raw = rpc.call("eth_call", [{"to": address, "data": fake.call_data("symbol")}, "latest"])
        assert decode(["string"], bytes.fromhex(raw[2:]))[0] == spec["symbol"]
        assert address not in truth["venues"] and address != truth["contracts"]["staking_token"]
    for look, real in lookalikes.items():
        assert look != real and look[:6] == real[:6] and look[-4:] == real[-4:]
        assert rpc.call("eth_getCode", [look, "latest"]) == "0x"  # keyless: it only receives or is named
    seen_fake, zero_value = set(), set()
    for tx_hash in poisoning["transfers"]:
        receipt = _receipt(rpc, tx_hash)
        assert receipt["from"].lower() == poisoning["poisoner"]
        for log in receipt["logs"]:
            if log["topics"][0] != TRANSFER:
                continue
            ends = {_topic_address(log["topics"][1]), _topic_address(log["topics"][2])}
            assert ends & set(lookalikes)
            if log["address"].lower() in fakes:
                seen_fake |= ends & set(lookalikes)
            elif int(log["data"], 16) == 0:
                assert truth["thief"] in ends
                zero_value.add(log["address"].lower())
    assert seen_fake == set(lookalikes)
    assert zero_value == {truth["contracts"]["weth"], truth["contracts"]["stablecoin"]}
    counted = {*truth["stolen"], *truth["conservation"], *(e["asset"] for e in truth["endpoints"]),
               *(h["asset"] for h in truth["holdings"])}
    assert not counted & set(fakes)
    assert not {h["address"] for h in truth["holdings"]} & set(lookalikes)
