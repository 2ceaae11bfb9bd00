"""Running the heist drill against a node and writing its ground truth (used by `drill` and the demos)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
