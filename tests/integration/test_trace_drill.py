"""The taint engine on the heist drill equals the drill's independent ground truth, in base units:
swaps by net flows through the real Uniswap V2/V3, aggregator, WETH and staking venues (pass-through,
never endpoints), the poisoning campaign's fake tokens never counted."""

from __future__ import annotations

from typing import Any

from hotpursuit.drill.ground_truth import build_ground_truth
from hotpursuit.drill.heist import DrillConfig, HeistDrill
from hotpursuit.ingest.evm_node_job import EvmNodeIngest
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.store import Store
from hotpursuit.trace.account_taint import Endpoint, Movement, trace_account

KINDS = {"exchange_deposit": "exchange", "exchange_hot_wallet": "exchange",
         "bridge_router": "bridge", "bridge_vault": "bridge"}


def _moves(store: Store, truth: dict[str, Any]) -> list[Movement]:
    """The ingested movements, the fake tokens dropped (asset trust does that before a trace)."""
    rows = store.execute("""SELECT block_number, tx_index, seq, tx_hash, from_address, to_address, asset,
                                       amount::VARCHAR FROM transfers WHERE chain = 'anvil'""").fetchall()
    fakes = set(truth["poisoning"]["fake_tokens"])
    return [Movement((b, i, s), h, f, t, a, int(x)) for b, i, s, h, f, t, a, x in rows if a not in fakes]


def _trace(drill: HeistDrill, truth: dict[str, Any], store: Store) -> Any:
    endpoints = {addr: Endpoint(KINDS[svc.kind], svc.owner) for addr, svc in drill.services.items()}
    assert not set(endpoints) & set(truth["venues"])
    return trace_account(_moves(store, truth), theft_txs={truth["theft_tx"]}, endpoints=endpoints,
                         opening=dict(drill.initial), venues=set(truth["venues"]),
                         traced_assets={"ETH", truth["contracts"]["staking_token"]})


def test_haircut_trace_matches_ground_truth_for_eth_and_the_stablecoin(rpc: JsonRpcClient, store: Store) -> None:
    drill = HeistDrill(rpc, DrillConfig(seed=7))
    drill.run()
    truth = build_ground_truth(drill)
    EvmNodeIngest(rpc, store).ingest_range(truth["first_block"], truth["last_block"])
    result = _trace(drill, truth, store)
    assert result.stolen == {a: int(v) for a, v in truth["stolen"].items()}
    got = {(a.address, a.asset): a.tainted for a in result.arrivals.values() if a.tainted}
    want = {(e["address"], e["asset"]): int(e["tainted_amount"]) for e in truth["endpoints"]}
    assert got == want
    assert result.held == {(h["address"], h["asset"]): int(h["tainted_amount"]) for h in truth["holdings"]}
    assert not result.at_venues  # every swap's proceeds are in the data
    for asset, row in truth["conservation"].items():
        assert result.swapped_in.get(asset, 0) == int(row["swapped_in"]), asset
        assert result.swapped_out.get(asset, 0) == int(row["swapped_out"]), asset
    husd, steth = truth["issuer"]["token"], truth["contracts"]["staking_token"]
    assert result.swapped_in.get(husd, 0) > 0 and result.swapped_out[steth] == result.stolen[steth]
    fakes = set(truth["poisoning"]["fake_tokens"])
    assert not {a for _, a in result.held} & fakes and not {a for _, a in got} & fakes


def test_taint_crosses_the_bridge_to_the_bitcoin_leg(rpc: JsonRpcClient, store: Store) -> None:
    from hotpursuit.drill.bitcoin_leg import MINER_FEE, build_bitcoin_leg
    from hotpursuit.drill.devnet.bitcoin_server import BitcoinTestServer
    from hotpursuit.ingest.bitcoin_node_job import BitcoinIngest, CoreRpcSource
    from hotpursuit.trace.bridge_crossing import BridgeCrossing, crossing_seeds
    from hotpursuit.trace.utxo_taint import UtxoTx, trace_utxo

    drill = HeistDrill(rpc, DrillConfig(seed=7))
    drill.run()
    truth = build_ground_truth(drill)
    EvmNodeIngest(rpc, store).ingest_range(truth["first_block"], truth["last_block"])
    leg = build_bitcoin_leg(7, truth["bridge_memos"], start_time=1_740_100_000)
    with BitcoinTestServer(leg.blocks) as server:
        BitcoinIngest(CoreRpcSource(server.rpc_url), store).ingest_range(0, len(leg.blocks) - 1)

    evm = _trace(drill, truth, store)
    router = truth["contracts"]["bridge_router"]
    taint_in = {tx: t for (_, to, _, tx), t in evm.flows.items() if to == router}
    assert taint_in == {m["tx_hash"]: int(m["tainted_amount"]) for m in truth["bridge_memos"]
                        if int(m["tainted_amount"])}

    links = store.execute("""SELECT l.from_tx_hash, l.amount_in::VARCHAR, o.tx_hash, o.output_index,
                                        o.value::VARCHAR FROM bridge_links l JOIN utxo_outputs o
                                   ON o.tx_hash = l.to_tx_hash AND o.address = l.to_address""").fetchall()
    seeds = crossing_seeds([BridgeCrossing(f, int(a), (t, n), int(v)) for f, a, t, n, v in links], taint_in)
    txs = []
    for h, block, index in store.execute("SELECT DISTINCT tx_hash, block_number, tx_index FROM utxo_outputs "
                                             "WHERE chain = 'bitcoin'").fetchall():
        ins = store.execute("SELECT spent_tx_hash, spent_output_index, value::VARCHAR FROM utxo_inputs "
                                "WHERE tx_hash = ? ORDER BY input_index", [h]).fetchall()
        outs = store.execute("SELECT address, value::VARCHAR FROM utxo_outputs WHERE tx_hash = ? "
                                 "ORDER BY output_index", [h]).fetchall()
        txs.append(UtxoTx((block, index), h, tuple(((s, n), int(v)) for s, n, v in ins),
                          tuple((a, int(v)) for a, v in outs)))
    btc = trace_utxo(txs, seeds)

    # independent arithmetic from the ground truth: payout taint, then the onward move's haircut
    want: dict[str, int] = {}
    for payout, memo in zip(leg.payouts, truth["bridge_memos"], strict=True):
        seed = payout.sats * int(memo["tainted_amount"]) // int(memo["amount"])
        if payout.onward_address:
            want[payout.onward_address] = (payout.sats - MINER_FEE) * seed // payout.sats
        else:
            want[payout.address] = seed
    got = {a: t for _, (a, t) in btc.held.items() if a is not None}
    assert got == {a: t for a, t in want.items() if t}
    assert btc.seeded == sum(seeds.values()) == sum(got.values()) + btc.burned
