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
        rows = store.con.execute("""SELECT block_number, tx_index, seq, tx_hash, from_address, to_address, asset,
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

    assert runner.invoke(app, ["incident", "open", "wallet", "--chain", "ethereum", "--source", WALLET,
                               "--db", db]).exit_code == 0
    report = json.loads(runner.invoke(app, ["trace", "wallet", "--db", db, "--format", "json"]).output)
    followed = {s["tx"]: s for s in report["swaps"] if s["address"] == WALLET}
    assert set(accepted) <= set(followed)
    assert "Uniswap V2: Router 2" in {n for tx in accepted for n in followed[tx]["venue_names"]}
    assert "1inch: Exchange 2" in {n for s in followed.values() for n in s["venue_names"]}
    # a token sold for ETH through a router: the ETH bought carries the whole taint (a bare source: all loot)
    to_eth = [s for tx, s in followed.items() if tx in accepted and "ETH" in s["bought"]]
    assert to_eth and all(s["taint_gained"]["ETH"] == s["bought"]["ETH"] for s in to_eth)
    for asset, t in report["totals"].items():
        v = {k: int(x) for k, x in t.items()}
        assert v["stolen"] + v["swapped_in"] == (v["at_endpoints"] + v["held"] + v["at_venues"] + v["burned"]
                                                 + v["swapped_out"]), asset
