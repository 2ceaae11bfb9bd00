"""Swaps by net flows against mev-inspect-py's own classification, on whole real blocks read from their
traces alone (no logs: token movements decoded from the transfer calls, as mev-inspect does).

* Oracle 1, exact: mev-inspect's expected sandwich in block 12775690 (front-run, four victims, back-run on
  the Uniswap V2 pair 0xefb47fcf...): in each of those transactions the pair is a swapper whose net flows
  are exactly the oracle's token in and token out.
* Oracle 2, per venue: every succeeding top-level call to a swap router in blocks 12775690, 12914944 and
  15049646 (Uniswap V2 and V3 routers, SushiSwap, 1inch, 0x Exchange Proxy, MetaMask) holds a valid swap
  (recall), and in each the transaction's sender or the recipient of what it bought is a swapper
  (precision of who traded). Run with -s for the table.
"""

from __future__ import annotations

from collections import Counter

from hotpursuit.trace.net_flows import find_swaps, net_flows

from .swap_traces import load_mev_py, movements_from_calls

ROUTERS = {
    "0x7a250d5630b4cf539739df2c5dacb4c659f2488d": "Uniswap V2 Router02",
    "0xe592427a0aece92de3edee1f18e0157c05861564": "Uniswap V3 SwapRouter",
    "0x68b3465833fb72a70ecdf485e0e4c7bd8665fc45": "Uniswap V3 SwapRouter02",
    "0xd9e1ce17f2641f24ae83637ab66a2cca9c378b9f": "SushiSwap router",
    "0x11111112542d85b3ef69ae05771c2dccff4faa26": "1inch v3",
    "0x1111111254fb6c44bac0bed2854e76f90643097d": "1inch v4",
    "0xdef1c0ded9bec7f1a1670819833240f027b25eff": "0x Exchange Proxy",
    "0x881d40237659c251811cec9c364ef91dc08d300c": "MetaMask Swap Router",
}


def test_the_sandwich_mev_inspect_expects_is_found_with_its_exact_amounts() -> None:
    sandwich = load_mev_py("sandwiches", 12775690)[0]
    moves = movements_from_calls(load_mev_py("blocks", 12775690))
    expected = [sandwich["frontrun_swap"], *sandwich["sandwiched_swaps"], sandwich["backrun_swap"]]
    assert len(expected) == 6
    for swap in expected:
        tx, pool = swap["transaction_hash"], swap["contract_address"]
        flows = net_flows(moves[tx])
        assert flows[(pool, swap["token_in_address"])] == swap["token_in_amount"], tx
        assert flows[(pool, swap["token_out_address"])] == -swap["token_out_amount"], tx
        assert pool in {s.address for s in find_swaps(moves[tx])}, tx


def test_every_router_call_holds_a_swap_and_names_who_traded() -> None:
    calls: Counter[str] = Counter()
    found: Counter[str] = Counter()
    trader: Counter[str] = Counter()
    for number in (12775690, 12914944, 15049646):
        block = load_mev_py("blocks", number)
        moves = movements_from_calls(block)
        failed = {t["transaction_hash"] for t in block["traces"] if t["trace_address"] == [] and t.get("error")}
        for t in block["traces"]:
            tx, action = t.get("transaction_hash"), t["action"]
            venue = ROUTERS.get(str(action.get("to", "")).lower())
            if t["trace_address"] != [] or venue is None or tx in failed:
                continue
            calls[venue] += 1
            swaps = find_swaps(moves.get(tx, []))
            found[venue] += bool(swaps)
            sender = action["from"].lower()
            bought_by = {m.receiver for m in moves.get(tx, []) for s in swaps
                         if s.address == m.receiver and any(m.asset == a for a, _ in s.bought)}
            trader[venue] += bool(swaps) and (sender in {s.address for s in swaps} or bool(bought_by - set(ROUTERS)))
    print(f"{'venue':24} {'calls':>5} {'swap found':>10} {'trader a swapper':>16}")
    for venue in sorted(calls):
        print(f"{venue:24} {calls[venue]:5} {found[venue]:10} {trader[venue]:16}")
    assert sum(calls.values()) >= 30 and {"Uniswap V3 SwapRouter", "SushiSwap router", "1inch v3"} <= set(calls)
    assert found == calls  # recall 100% per venue
    assert trader == calls
