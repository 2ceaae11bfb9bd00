"""`make demo`'s last act: the live race. anvil mines a block a second; the API watches it and a
Bitcoin source where the bridge pays out; three exchanges' and an issuer's reference receivers listen;
the heist drill runs live, then its Bitcoin leg appears a block at a time; a final table shows, per
organisation and asset, what was asked and what was frozen."""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from rich.table import Table

from hotpursuit.chains.readable import fixed_units as units
from hotpursuit.cli.options import console, err_console
from hotpursuit.settings import project_root
from hotpursuit.store import Store

ETH_MIN = 10**18  # the demo asks no freeze below 1 ETH
USD_MIN = 1_000 * 10**6  # nor below 1,000 HUSD
BTC_MIN = 100_000  # nor below 0.001 BTC


def demo_live_race(db: Path, seed: int, out: Path) -> None:
    """Run the race on a fresh store at `db` (replaced) and print the final table."""
    from hotpursuit.api.app import create_app
    from hotpursuit.api.background import serve_in_thread
    from hotpursuit.drill.bitcoin_leg import build_bitcoin_leg
    from hotpursuit.drill.devnet.anvil import AnvilNode
    from hotpursuit.drill.devnet.bitcoin_server import BitcoinTestServer
    from hotpursuit.drill.heist import DrillConfig, HeistDrill
    from hotpursuit.drill.live_race import AGENCY, receiver_command, setup_defenders
    from hotpursuit.ingest.bitcoin_node_job import EsploraSource
    from hotpursuit.ingest.rpc_client import JsonRpcClient
    from hotpursuit.interdict.freeze_messages import outbox_id
    from hotpursuit.store.org_tables import create_key

    for stale in (db, Path(f"{db}.wal"), Path(f"{db}.audit-journal")):
        stale.unlink(missing_ok=True)
    with AnvilNode(block_time=1) as node, BitcoinTestServer([]) as bitcoin, \
            tempfile.TemporaryDirectory() as ledgers, Store.open(db) as store:
        client = JsonRpcClient(node.url)
        roster = HeistDrill(client, DrillConfig(seed=seed)).roster()
        since = int(client.call("eth_blockNumber", []), 16) + 1
        incident, defenders = setup_defenders(store, roster, since=since)
        key = create_key(store, AGENCY, ["read"], 1)[1]
        token = roster["issuer"]["token"]
        app = create_app(store, watch_rpc=node.url, watch_from=since,
                         thresholds={"ETH": ETH_MIN, token: USD_MIN, "BTC": BTC_MIN},
                         watch_bitcoin=EsploraSource(bitcoin.esplora_url), watch_bitcoin_from=0,
                         webhook_networks=["127.0.0.1/32"])  # the reference receivers run on this machine
        with serve_in_thread(app) as base:
            receivers = [subprocess.Popen(receiver_command(d, examples=project_root() / "examples", api=base,
                                                           rpc=node.url, roster=roster,
                                                           db=Path(ledgers) / f"{d.org_id}.sqlite"),
                                          cwd=project_root() / "examples") for d in defenders]
            try:
                err_console.print(f"[bold]live race:[/] anvil mines a block a second on {node.url}; the API at "
                                  f"{base} watches it; {len(defenders)} reference receivers listen")
                from hotpursuit.drill.runner import run_drill

                truth = run_drill(node.url, seed, True, out, min_transfers=0)
                leg = build_bitcoin_leg(seed, truth["bridge_memos"], start_time=1_740_100_000)
                with err_console.status(f"the bridge pays out on Bitcoin: {len(leg.blocks)} blocks"):
                    for k in range(1, len(leg.blocks) + 1):
                        bitcoin.set_chain(leg.blocks[:k])
                        time.sleep(0.3)
                board = _await_answers(base, key, incident, truth["last_block"], len(leg.blocks) - 1)
            finally:
                for p in receivers:
                    p.terminate()
                    p.wait()
            stats, delivered = app.state.hotpursuit.watch.stats, app.state.hotpursuit.delivery.delivered
            latencies = [delivered[outbox_id("freeze_request", rid)] - seen
                         for rid, seen in stats.request_blocks.items()
                         if outbox_id("freeze_request", rid) in delivered]
    _print_race(board, defenders, token, truth, latencies)


def _await_answers(base: str, key: str, incident: str, last_block: int, bitcoin_block: int,
                   timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    board: dict[str, Any] = {}
    while time.monotonic() < deadline:
        watch = httpx.get(base + "/v1/watch", headers={"X-API-Key": key}).json()
        board = httpx.get(f"{base}/v1/incidents/{incident}/board", headers={"X-API-Key": key}).json()
        if (watch["last_block"] or 0) >= last_block and (watch["bitcoin_block"] or 0) >= bitcoin_block and all(
                o["answered"] == o["requests"] for o in board["organisations"]):
            return board
        time.sleep(0.2)
    err_console.print("[yellow]warning:[/] not every request was answered in time; the table shows where it stands")
    return board


def _print_race(board: dict[str, Any], defenders: list[Any], token: str, truth: dict[str, Any],
                latencies: list[float]) -> None:
    names = {d.org_id: d.name for d in defenders}

    def asset_units(asset: str, amount: int) -> str:
        return units(amount, {"ETH": 18, "BTC": 8}.get(asset, 6))

    def symbol(asset: str) -> str:
        return asset if asset in ("ETH", "BTC") else "HUSD"

    table = Table(title="live race: the incident's board (amounts to 4 decimals, rounded down)")
    for col in ("organisation", "asset", "answered", "requested", "frozen"):
        table.add_column(col, justify="left" if col in ("organisation", "asset") else "right", no_wrap=True)
    for row in board["organisations"]:
        table.add_row(names.get(row["org"], row["org"]).removesuffix(" Exchange"), symbol(row["asset"]),
                      f"{row['answered']}/{row['requests']}", asset_units(row["asset"], int(row["requested"])),
                      asset_units(row["asset"], int(row["frozen"])))
    for asset, t in board["totals"].items():
        table.add_row("[bold]total[/]", symbol(asset), "",
                      asset_units(asset, int(t["requested"])), asset_units(asset, int(t["frozen"])))
    console.print(table)
    traced = (board.get("traced") or {}).get("ETH")
    if traced:
        # what entered the trace is the loot plus what swaps turned into ETH (the stETH sold, WETH unwrapped)
        console.print(f"stolen {asset_units('ETH', int(traced['stolen']))} ETH, and "
                      f"{asset_units('ETH', int(traced['swapped_in']))} ETH more from swaps; reached the exchanges, "
                      f"pool and bridge {asset_units('ETH', int(traced['at_endpoints']))} ETH; swapped away "
                      f"{asset_units('ETH', int(traced['swapped_out']))} ETH; still held by the thief "
                      f"{asset_units('ETH', int(traced['held']))} ETH", highlight=False)
    btc = (board.get("traced") or {}).get("BTC")
    if btc:
        console.print(f"crossed to Bitcoin {asset_units('BTC', int(btc['entered']))} BTC; reached exchanges "
                      f"{asset_units('BTC', int(btc['at_endpoints']))} BTC", highlight=False)
    reverted = truth["reverted"]
    console.print(f"the thief's moves of blacklisted stablecoins that reverted: {len(reverted)}", highlight=False)
    if latencies:
        ms = sorted(x * 1000 for x in latencies)
        console.print(f"block seen -> request delivered: median {statistics.median(ms):.0f} ms, "
                      f"max {ms[-1]:.0f} ms over {len(ms)} requests", highlight=False)
