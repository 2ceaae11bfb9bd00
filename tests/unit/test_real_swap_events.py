"""Every Uniswap V2 and V3 `Swap` event in real mainnet blocks 17173049-17173050 is found by net flows in
the same transaction's movements, with the pool among the swappers: the detector needs no venue list and no
event decoding, only the value that moved (here ethereum-etl's token transfers). The export has no traces,
so a swap paid out in ETH (the router unwraps WETH and sends ETH: internal transactions) shows its pool as
the transaction's lone swapper: not a valid swap, and a trace through it warns that the return leg is
missing instead of losing the value silently."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from eth_utils import keccak

from hotpursuit.ingest.ethereum_etl_job import import_ethereum_etl
from hotpursuit.store import Store
from hotpursuit.trace.account_taint import trace_account
from hotpursuit.trace.movement import Movement
from hotpursuit.trace.net_flows import find_swappers, find_swaps

EXPORT = Path(__file__).resolve().parents[3] / "shared" / "data" / "ethereum-etl-mainnet" / "export_17173049_17173050"
V2_SWAP = "0x" + keccak(text="Swap(address,uint256,uint256,uint256,uint256,address)").hex()
V3_SWAP = "0x" + keccak(text="Swap(address,address,int256,int256,uint160,uint128,int24)").hex()


def test_every_uniswap_swap_event_is_found_by_net_flows(tmp_path: Path) -> None:
    events: dict[str, list[tuple[str, str]]] = defaultdict(list)  # tx -> (pool, version)
    for line in (EXPORT / "logs.json").read_text().splitlines():
        log = json.loads(line)
        topic = log["topics"][0] if log["topics"] else None
        if topic in (V2_SWAP, V3_SWAP):
            events[log["transaction_hash"]].append((log["address"].lower(), "v2" if topic == V2_SWAP else "v3"))
    assert sum(len(v) for v in events.values()) > 50  # busy blocks: dozens of real swaps
    with Store.open(tmp_path / "s.duckdb") as store:
        import_ethereum_etl(store, EXPORT, "ethereum")
        rows = store.execute("""SELECT block_number, tx_index, seq, tx_hash, from_address, to_address, asset,
                                           amount::VARCHAR FROM transfers ORDER BY block_number, tx_index, seq""")
        by_tx: dict[str, list[Movement]] = defaultdict(list)
        for b, i, q, h, f, t, a, v in rows.fetchall():
            by_tx[str(h)].append(Movement((int(b), int(i), int(q)), str(h), str(f), str(t), str(a), int(v)))
    found = missed = valid = lone = warned = 0
    for tx, pools in sorted(events.items()):
        moves = by_tx.get(tx, [])
        swappers = {address for address, _, _ in find_swappers(moves)}
        for pool, _ in pools:
            found += pool in swappers
            missed += pool not in swappers
        if find_swaps(moves):
            valid += 1
        elif len(swappers) == 1:  # the pool alone: who paid it got ETH back through internal transactions
            lone += 1
            payer = next(m for m in moves if m.receiver in swappers)
            traced = trace_account(moves, source_addresses={payer.sender}, traced_assets={payer.asset})
            warned += any(k[0] in swappers and k[2] == tx for k in traced.unreturned)
    by_version = {v: sum(1 for p in events.values() for _, x in p if x == v) for v in ("v2", "v3")}
    print(f"Uniswap Swap events: {by_version}; pool a swapper by net flows: {found}, not: {missed}; txs with a "
          f"valid swap {valid}, with the pool as lone swapper (ETH leg not in the export) {lone}, warned {warned}")
    assert missed == 0 and found == sum(by_version.values())
    assert valid + lone == len(events) and warned == lone


def test_a_trace_through_a_swap_without_its_return_leg_says_so(tmp_path: Path) -> None:
    """The user's view of the same gap: a trace from the payer of a real Uniswap swap whose ETH proceeds are
    internal transactions (not in the export) names the transaction and says what to import."""
    from typer.testing import CliRunner

    from hotpursuit.cli import app

    db = str(tmp_path / "s.duckdb")
    runner = CliRunner()
    assert runner.invoke(app, ["import", "ethereum-etl", str(EXPORT), "--db", db]).exit_code == 0
    with Store.open(db) as store:
        rows = store.execute("""SELECT block_number, tx_index, seq, tx_hash, from_address, to_address, asset,
                                           amount::VARCHAR FROM transfers ORDER BY block_number, tx_index, seq""")
        by_tx: dict[str, list[Movement]] = defaultdict(list)
        for b, i, q, h, f, t, a, v in rows.fetchall():
            by_tx[str(h)].append(Movement((int(b), int(i), int(q)), str(h), str(f), str(t), str(a), int(v)))
    tx, payer = next((tx, next(m for m in moves if m.receiver == lone[0][0]))
                     for tx, moves in sorted(by_tx.items())
                     if len(lone := find_swappers(moves)) == 1 and not find_swaps(moves)
                     and lone[0][1][0][0] != "ETH")  # the pool sold a token: its payer paid in a token
    opened = runner.invoke(app, ["incident", "open", "gap", "--chain", "ethereum", "--source", payer.sender,
                                 "--since", str(payer.order[0]), "--db", db])
    assert opened.exit_code == 0, opened.output
    traced = runner.invoke(app, ["trace", "gap", "--db", db, "--format", "json", "--assets", payer.asset])
    assert traced.exit_code == 0, traced.output
    warnings = json.loads(traced.output)["warnings"]
    assert any(f"swap at tx {tx}" in w and "import the transaction's internal transactions" in w
               for w in warnings), warnings
