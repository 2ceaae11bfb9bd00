"""Swaps seen through one address's real Etherscan exports: the venues' other legs are not in the data
(Uniswap V2's router has the seller pay the pair and pays the ETH out itself), so the wallet is its
transaction's only swapper. Where it traded with a known venue of the registry (received from one, or
signed the transaction and paid one) the swap is followed; where no venue is known it is not, and the
trace says why instead of pretending."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from typer.testing import CliRunner

from hotpursuit.cli import app
from hotpursuit.jobs.trace_setup import pass_through_venues
from hotpursuit.store import Store
from hotpursuit.store.asset_trust_tables import load_trust
from hotpursuit.store.evm_tables import transaction_signers
from hotpursuit.trace.movement import Movement
from hotpursuit.trace.net_flows import find_swappers, find_swaps, lone_swap_with_venue

from ..conftest import SHARED_DATA

WALLET = "0x003dc32fe920a4aaeed12dc87e145f030aa753f3"
EXPORTS = SHARED_DATA / "explorer-exports" / "etherscan-csv" / "0x003dc32f"


def test_wallet_swaps_through_known_venues_are_followed(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    runner = CliRunner()
    imported = runner.invoke(app, ["import", "explorer", *map(str, sorted(EXPORTS.glob("*.csv"))), "--db", db])
    assert imported.exit_code == 0, imported.output
    with Store.open(db) as store:
        venues = pass_through_venues(store, "ethereum")
        rows = store.execute("""SELECT block_number, tx_index, seq, tx_hash, from_address, to_address, asset,
                                           amount::VARCHAR FROM transfers WHERE amount > 0::BIGNUM
                                    ORDER BY block_number, tx_index, seq""").fetchall()
        signers = transaction_signers(store, "ethereum", [str(r[3]) for r in rows])
        canonical = {a for a, t in load_trust(store, "ethereum").items() if t.status == "canonical"} | {"ETH"}
    by_tx: dict[str, list[Movement]] = defaultdict(list)
    for b, i, q, h, f, t, a, v in rows:
        by_tx[str(h)].append(Movement((int(b), int(i), int(q)), str(h), str(f), str(t), str(a), int(v)))
    accepted: dict[str, tuple[str, ...]] = {}
    rejected = 0
    for tx, moves in by_tx.items():
        swappers = find_swappers(moves)
        if len(swappers) != 1 or find_swaps(moves):
            continue
        assert swappers[0][0] == WALLET  # the export shows the wallet's legs only
        swaps = lone_swap_with_venue(swappers, moves, venues, signers.get(tx))
        if swaps and {a for a, _ in swaps[0].sold} & canonical:  # loot can be in it (unknown tokens never are)
            accepted[tx] = swaps[0].venues
        elif swaps:
            continue
        else:
            rejected += 1
            counterparties = {m.sender for m in moves if m.receiver == WALLET} | {
                m.receiver for m in moves if m.sender == WALLET}
            assert not counterparties & set(venues) or signers.get(tx) != WALLET
    print(f"wallet as lone swapper: {len(accepted)} with a known venue, {rejected} without")
    assert len(accepted) >= 8 and all(v and set(v) <= set(venues) for v in accepted.values())

    # the wallet as a thief's: every canonical value it received in a plain transfer (not as a swap's
    # proceeds) is loot, named as WALLET@TX; its later swaps carry the taint on
    receipts = sorted({tx for tx, moves in by_tx.items() if not find_swappers(moves)
                       and any(m.receiver == WALLET and m.asset in canonical for m in moves)})
    sources = [x for tx in receipts for x in ("--source", f"{WALLET}@{tx}")]
    opened = runner.invoke(app, ["incident", "open", "wallet", "--chain", "ethereum", *sources, "--db", db])
    assert opened.exit_code == 0, opened.output
    report = json.loads(runner.invoke(app, ["trace", "wallet", "--db", db, "--format", "json"]).output)
    followed = {s["tx"]: s for s in report["swaps"] if s["address"] == WALLET}
    tainted = {tx for tx in accepted if tx in followed}
    print(f"{len(receipts)} receipts as sources; {len(tainted)} of the {len(accepted)} one-sided swaps carried taint")
    assert len(tainted) >= len(accepted) // 2
    assert "Uniswap V2: Router 2" in {n for tx in tainted for n in followed[tx]["venue_names"]}
    # what the swaps bought carries the taint of what they paid (never more than was bought)
    assert all(0 < int(v) <= int(followed[tx]["bought"][a]) for tx in tainted
               for a, v in followed[tx]["taint_gained"].items())
    for asset, t in report["totals"].items():
        v = {k: int(x) for k, x in t.items()}
        assert v["stolen"] + v["swapped_in"] == (v["at_endpoints"] + v["held"] + v["at_venues"] + v["burned"]
                                                 + v["swapped_out"]), asset
