"""Running the drills against a node and writing their ground truth (used by `drill` and the demos): the
Bybit-shaped heist, and the scam ring with its victims' complaints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.table import Table

from hotpursuit.cli.options import err_console


def run_drill(rpc: str, seed: int, live: bool, out: Path, *, min_transfers: int = 2_000) -> dict[str, Any]:
    """Drive the drill through the node at `rpc`; write and return its ground truth."""
    from hotpursuit.drill.ground_truth import build_ground_truth
    from hotpursuit.drill.heist import DrillConfig, HeistDrill
    from hotpursuit.ingest.rpc_client import JsonRpcClient

    drill = HeistDrill(JsonRpcClient(rpc), DrillConfig(seed=seed, live=live, min_transfers=min_transfers))
    with err_console.status("running the heist drill" + (" live" if live else "")):
        drill.run()
    truth = build_ground_truth(drill)
    out.write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    err_console.print(f"ground truth written to {out}")
    return truth


def run_scam_ring(rpc: str, seed: int, out: Path, reports_out: Path, *,
                  min_transfers: int | None = None) -> dict[str, Any]:
    """Drive the scam ring through the node at `rpc`; write the victims' complaints (a JSON list of
    reports) to `reports_out` and the ground truth to `out`; return the ground truth."""
    from hotpursuit.drill.scam_ring import ScamRingDrill
    from hotpursuit.drill.scam_ring_truth import build_scam_ring_truth
    from hotpursuit.drill.scenario import ScamRingConfig
    from hotpursuit.ingest.rpc_client import JsonRpcClient

    ring = ScamRingConfig(seed=seed) if min_transfers is None else ScamRingConfig(seed=seed,
                                                                                  min_transfers=min_transfers)
    drill = ScamRingDrill(JsonRpcClient(rpc), ring)
    with err_console.status("running the scam-ring drill"):
        drill.run()
    complaints = drill.complaints()
    truth = build_scam_ring_truth(drill, complaints)
    reports_out.write_text(json.dumps([c.report for c in complaints], indent=1, ensure_ascii=False) + "\n",
                           encoding="utf-8")
    out.write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    err_console.print(f"{len(complaints)} victim reports (TLP:RED) written to {reports_out}; ground truth to {out}")
    return truth


def scam_ring_table(truth: dict[str, Any]) -> Table:
    """The scam ring at a glance: victims, reports, the ring's addresses, the collector and the cash-out."""
    from hotpursuit.chains.readable import fixed_units

    span = truth["time_range"]
    table = Table(title=f"scam-ring drill (seed {truth['seed']}), blocks {truth['first_block']}-{truth['last_block']}")
    table.add_column("what")
    table.add_column("value", justify="right", overflow="fold")

    def amount(asset: str, value: str) -> str:
        return f"{fixed_units(int(value), 18, 4)} ETH" if asset == "ETH" else f"{fixed_units(int(value), 6, 2)} HUSD"

    def total(by_asset: dict[str, int]) -> str:  # ETH first, then the stablecoin
        return ", ".join(amount(a, str(by_asset[a])) for a in sorted(by_asset, key=lambda a: a != "ETH"))

    paid = total({a: int(v) for a, v in truth["paid_by_victims"].items()})
    rows = [("counterfeit exchange", f"{truth['counterfeit_exchange']['website']} "
                                     f"({len(truth['counterfeit_exchange']['deposit_addresses'])} deposit addresses)"),
            ("days (KST)", f"{span['start'][:10]} to {span['end'][:10]}"),
            ("victims (payments)", f"{len(truth['victims'])} ({sum(len(v['payments']) for v in truth['victims'])})"),
            ("paid by victims", f"{paid} (about ₩{truth['paid_by_victims_krw']:,})"),
            ("victim reports (TLP:RED)", str(len(truth["reports"]))),
            ("ring addresses", str(len(truth["ring_addresses"]))), ("collector", truth["collector"])]
    for name, accounts in truth["cash_out"].items():
        sums: dict[str, int] = {}
        for by_asset in accounts.values():
            for asset, value in by_asset.items():
                sums[asset] = sums.get(asset, 0) + int(value)
        rows.append((f"cashed out at {name}", total(sums)))
    decoy = truth["decoy_scam"]
    rows.append(("decoy scam (not the ring)", f"{decoy['name']}: {len(decoy['victims'])} victims, "
                                              f"cashed out at {', '.join(decoy['cash_out'])}"))
    rows.append(("transfers", f"{truth['transfers']:,}"))
    for label, value in rows:
        table.add_row(label, value)
    return table
