"""A traced-ready drill store for the tests that need a whole case: the heist drill on anvil and its
Bitcoin leg ingested, the services' labels imported, clustering run, and the incident opened through
the CLI, as an investigator would."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hotpursuit.cli import app
from hotpursuit.drill.bitcoin_leg import build_bitcoin_leg
from hotpursuit.drill.devnet.bitcoin_server import BitcoinTestServer
from hotpursuit.drill.ground_truth import build_ground_truth
from hotpursuit.drill.heist import DrillConfig, HeistDrill
from hotpursuit.drill.service_labels import drill_service_claims
from hotpursuit.ingest.bitcoin_node_job import BitcoinIngest, CoreRpcSource
from hotpursuit.ingest.evm_node_job import EvmNodeIngest
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.store import Store


def build_drill_case(rpc: JsonRpcClient, db: Path, seed: int = 7) -> dict[str, Any]:
    """Run the drill and build the store at `db` with the incident `drill-heist`; the ground truth."""
    drill = HeistDrill(rpc, DrillConfig(seed=seed))
    drill.run()
    truth = build_ground_truth(drill)
    with Store.open(db) as store:
        EvmNodeIngest(rpc, store).ingest_range(truth["first_block"], truth["last_block"])
        leg = build_bitcoin_leg(seed, truth["bridge_memos"], start_time=1_740_100_000)
        with BitcoinTestServer(leg.blocks) as server:
            BitcoinIngest(CoreRpcSource(server.rpc_url), store).ingest_range(0, len(leg.blocks) - 1)
    services = db.with_suffix(".services.csv")
    with services.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["chain", "address", "label", "category", "actor", "confidence", "source", "source_date", "tlp"])
        for c in drill_service_claims(truth):
            w.writerow([c.chain, c.address, c.label, c.category, c.actor or "", c.confidence, c.source, "", c.tlp])
    runner = CliRunner()
    for args in (["labels", "import", "csv", str(services)], ["cluster", "run", "anvil"],
                 ["incident", "open", "Drill heist", "--chain", "anvil", "--source", truth["theft_tx"],
                  "--victim", truth["victim"], "--actor", "lazarusgroup"]):
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
    return truth
