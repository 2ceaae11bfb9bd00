"""Clustering on the heist drill: the exchanges are recovered from their hot-wallet labels alone."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from hotpursuit.drill.ground_truth import build_ground_truth
from hotpursuit.drill.heist import DrillConfig, HeistDrill
from hotpursuit.ingest.evm_node_job import EvmNodeIngest
from hotpursuit.ingest.label_import_job import import_labels
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.jobs.cluster_job import run_clustering
from hotpursuit.store import Store


def _hot_wallet_csv(truth: dict[str, Any], path: Path) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["chain", "address", "label", "category", "actor", "confidence", "source", "source_date", "tlp"])
        for name, ex in truth["exchanges"].items():
            w.writerow(["anvil", ex["hot_wallet"], f"{name} hot wallet", "exchange", name, "service_data",
                        f"{name} compliance team", "2025-02-20", "GREEN"])
    return path


def _drill_with_hot_wallet_labels(rpc: JsonRpcClient, store: Store, tmp_path: Path) -> dict[str, Any]:
    drill = HeistDrill(rpc, DrillConfig(seed=7))
    drill.run()
    truth = build_ground_truth(drill)
    EvmNodeIngest(rpc, store).ingest_range(truth["first_block"], truth["last_block"])
    import_labels(store, "csv", _hot_wallet_csv(truth, tmp_path / "hot.csv"), asserted_by="task-force")
    return truth


def test_every_deposit_address_goes_to_its_exchange_and_no_thief_joins_one(
        rpc: JsonRpcClient, store: Store, tmp_path: Path) -> None:
    truth = _drill_with_hot_wallet_labels(rpc, store, tmp_path)
    stats = run_clustering(store, "anvil")
    clusters = dict(store.execute("SELECT address, cluster_id FROM clusters WHERE chain = 'anvil'").fetchall())
    exchange_of_cluster = {clusters[ex["hot_wallet"]]: name for name, ex in truth["exchanges"].items()}
    assert len(exchange_of_cluster) == len(truth["exchanges"])  # three exchanges, three clusters
    for deposit, owner in truth["deposit_address_owner"].items():
        if deposit in clusters:  # a deposit address that never received anything cannot be found
            assert exchange_of_cluster.get(clusters[deposit]) == owner, deposit
    used = [d for d in truth["deposit_address_owner"] if d in clusters]
    assert len(used) >= 9 and len(stats.deposit_addresses) == len(used)
    for thief in truth["thief_addresses"]:
        assert clusters.get(thief) not in exchange_of_cluster, thief
    # incremental: a second run finds nothing new and changes nothing
    before = store.execute("SELECT * FROM clusters ORDER BY ALL").fetchall()
    again = run_clustering(store, "anvil")
    assert again.links == 0 and again.merges == 0
    assert store.execute("SELECT * FROM clusters ORDER BY ALL").fetchall() == before


def test_address_page_shows_the_inherited_exchange_label_and_its_path(
        rpc: JsonRpcClient, store: Store, tmp_path: Path) -> None:
    from hotpursuit.store.address_page import address_page

    truth = _drill_with_hot_wallet_labels(rpc, store, tmp_path)
    run_clustering(store, "anvil")
    name, ex = next(iter(truth["exchanges"].items()))
    deposit = next(d for d in ex["deposit_addresses"]
                   if store.execute("SELECT count(*) FROM clusters WHERE address = ?", [d]).fetchone() == (1,))
    page = address_page(store, "anvil", deposit)
    assert page.claims == []  # nothing is said about the deposit address itself
    assert page.entity is not None and page.entity.label == f"{name} hot wallet"
    assert page.entity_address == ex["hot_wallet"]
    assert [(x.a, x.b) for x in page.inherited_via] == [(deposit, ex["hot_wallet"])]
    assert page.inherited_via[0].reason.startswith(f"deposit address of {name}")
    assert page.balances.get("ETH", 0) >= 0 and page.first_seen is not None
    assert page.counterparties and page.counterparties[0][0] in {ex["hot_wallet"], *truth["thief_addresses"],
                                                                 *truth["background_addresses"]}


def test_clustering_through_the_api_updates_screening_without_a_restart(
        rpc: JsonRpcClient, store: Store, tmp_path: Path) -> None:
    import httpx

    from hotpursuit.api.app import create_app
    from hotpursuit.api.background import serve_in_thread
    from hotpursuit.store.org_tables import add_org, create_key

    truth = _drill_with_hot_wallet_labels(rpc, store, tmp_path)
    add_org(store, "kr-knpa", "Korean National Police Agency", "agency", "KR", None)
    admin = {"X-API-Key": create_key(store, "kr-knpa", ["admin"], 1)[1]}
    name, ex = next(iter(truth["exchanges"].items()))
    with serve_in_thread(create_app(store)) as base:
        deposits = [d for d in ex["deposit_addresses"]
                    if httpx.get(f"{base}/v1/addresses/anvil/{d}", headers=admin).json()["first_seen_block"]]
        before = httpx.get(f"{base}/v1/screen/anvil/{deposits[0]}", headers=admin).json()
        ran = httpx.post(f"{base}/v1/admin/cluster/anvil", headers=admin, timeout=120)
        after = httpx.get(f"{base}/v1/screen/anvil/{deposits[0]}", headers=admin).json()
        page = httpx.get(f"{base}/v1/addresses/anvil/{deposits[0]}", headers=admin).json()
    assert ran.status_code == 200 and ran.json()["links"] > 0
    assert before["categories"] == [] and after["categories"] == ["exchange"]
    assert after["direct"][0]["via"] == ex["hot_wallet"]
    assert page["entity"]["address"] == ex["hot_wallet"] and page["entity"]["label"] == f"{name} hot wallet"
    assert page["entity"]["via"][0]["b"] == ex["hot_wallet"]
