"""The taint engine on the heist drill equals the drill's independent ground truth, in base units."""

from __future__ import annotations

from hotpursuit.drill.ground_truth import build_ground_truth
from hotpursuit.drill.heist import DrillConfig, HeistDrill
from hotpursuit.ingest.evm_node_job import EvmNodeIngest
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.store import Store
from hotpursuit.trace.account_taint import Endpoint, Movement, trace_account

KINDS = {"exchange_deposit": "exchange", "exchange_hot_wallet": "exchange", "dex_pool": "pool",
         "bridge_router": "bridge", "bridge_vault": "bridge"}


def test_haircut_trace_matches_ground_truth_for_eth_and_the_stablecoin(rpc: JsonRpcClient, store: Store) -> None:
    drill = HeistDrill(rpc, DrillConfig(seed=7))
    drill.run()
    truth = build_ground_truth(drill)
    EvmNodeIngest(rpc, store).ingest_range(truth["first_block"], truth["last_block"])
    rows = store.con.execute("""SELECT block_number, tx_index, seq, tx_hash, from_address, to_address, asset,
                                       amount::VARCHAR FROM transfers WHERE chain = 'anvil'""").fetchall()
    moves = [Movement((b, i, s), h, f, t, a, int(x)) for b, i, s, h, f, t, a, x in rows]
    endpoints = {addr: Endpoint(KINDS[svc.kind], svc.owner) for addr, svc in drill.services.items()}
    result = trace_account(moves, theft_txs={truth["theft_tx"]}, endpoints=endpoints,
                           opening=dict(drill.initial))
    got = {(a.address, a.asset): a.tainted for a in result.arrivals.values() if a.tainted}
    want = {(e["address"], e["asset"]): int(e["tainted_amount"]) for e in truth["endpoints"]}
    assert got == want
    held = {k: v for k, v in result.held.items()}
    assert held == {(h["address"], h["asset"]): int(h["tainted_amount"]) for h in truth["holdings"]}
    eth = truth["conservation"]["ETH"]
    assert result.stolen["ETH"] == int(eth["stolen"])
    assert result.at_endpoints("ETH") + sum(v for (_, a), v in result.held.items() if a == "ETH") == \
        result.stolen["ETH"]
    husd = truth["issuer"]["token"]
    assert result.swapped_in.get(husd, 0) > 0 and result.at_endpoints(husd) + sum(
        v for (_, a), v in result.held.items() if a == husd) == result.swapped_in[husd]
