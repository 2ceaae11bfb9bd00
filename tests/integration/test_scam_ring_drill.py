"""The scam-ring drill on a real anvil node: 48 victims paying a counterfeit exchange over days, the ring's
sweeps to one collector and cash-out at two exchanges, a decoy scam apart from it, and 30 complaints whose
own facts, wrong as some of them are, still find each payment in what the chain recorded."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from eth_utils import keccak
from typer.testing import CliRunner

from hotpursuit.chains.readable import AssetUnits
from hotpursuit.cli import app
from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.drill.devnet.contracts import load_artifact
from hotpursuit.drill.scam_ring import ScamRingDrill
from hotpursuit.drill.scam_ring_truth import build_scam_ring_truth
from hotpursuit.drill.scenario import ScamRingConfig
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.victim_reports.model import check_report
from hotpursuit.victim_reports.payment_match import AssetBook, ChainTransfer, find_payment

KST = dt.timezone(dt.timedelta(hours=9))
REPORT_KEYS = {"reference", "chain", "paid_at", "amount", "asset", "tx_hashes", "from_addresses", "paid_to",
               "website", "phone", "app", "text", "language", "victim", "tlp"}
HANGUL = re.compile(r"[\uac00-\ud7a3]")
TOKEN = load_artifact("BlacklistableStablecoin")
V2_SWAP = "0x" + keccak(text="Swap(address,uint256,uint256,uint256,uint256,address)").hex()


def _run(rpc: JsonRpcClient, **config: Any) -> tuple[ScamRingDrill, dict[str, Any], list[dict[str, Any]]]:
    drill = ScamRingDrill(rpc, ScamRingConfig(**config))
    drill.run()
    complaints = drill.complaints()
    return drill, build_scam_ring_truth(drill, complaints), [c.report for c in complaints]


def test_the_scenario_runs_fast_and_agrees_with_the_chain(rpc: JsonRpcClient) -> None:
    began = time.monotonic()
    drill, truth, reports = _run(rpc)
    assert time.monotonic() - began < 60
    assert len(truth["victims"]) == 48 and len(reports) == 30 == len(truth["reports"])
    payments = [p for v in truth["victims"] for p in v["payments"]]
    assert len(payments) == 48 + 5  # five victims paid twice
    assert {p["symbol"] for p in payments} == {"ETH", "HUSD"}
    drill.verify_against_chain()  # every tracked balance, ETH and HUSD, as the ledger says
    # each payment is on chain as recorded: the victim's tx to the deposit address, of that asset and amount
    token = truth["stablecoin"]["address"]
    txs = rpc.batch([("eth_getTransactionByHash", [p["tx_hash"]]) for p in payments])
    for p, tx in zip(payments, txs, strict=True):
        assert tx["from"].lower() == p["from"]
        if p["asset"] == "ETH":
            assert (tx["to"].lower(), int(tx["value"], 16)) == (p["deposit_address"], int(p["amount"]))
        else:
            assert tx["to"].lower() == token
            assert tx["input"] == TOKEN.call_data("transfer", p["deposit_address"], int(p["amount"]))
    # the ring ends holding only what the ledger says it holds, all at the collector
    held = {(a, asset): int(v) for a, by in truth["held_by_ring"].items() for asset, v in by.items()}
    assert {a for a, _ in held} <= {truth["collector"]}
    balances = rpc.batch([("eth_getBalance", [a, hex(truth["last_block"])]) for a in truth["ring_addresses"]])
    assert [int(b, 16) for b in balances] == [held.get((a, "ETH"), 0) for a in truth["ring_addresses"]]


def test_payments_span_days_of_korean_time(rpc: JsonRpcClient) -> None:
    _, truth, _ = _run(rpc)
    payments = [p for v in truth["victims"] for p in v["payments"]]
    blocks = sorted({p["block"] for p in payments})
    mined = rpc.batch([("eth_getBlockByNumber", [hex(b), False]) for b in blocks])
    times = {b: int(m["timestamp"], 16) for b, m in zip(blocks, mined, strict=True)}
    assert all(times[p["block"]] == p["timestamp"] for p in payments)
    assert max(times.values()) - min(times.values()) >= 3 * 86_400
    assert len({dt.datetime.fromtimestamp(t, KST).date() for t in times.values()}) >= 4
    assert truth["time_range"]["end_unix"] - truth["time_range"]["start_unix"] >= 3 * 86_400


def test_the_ring_is_apart_from_exchanges_venues_victims_and_the_decoy_scam(rpc: JsonRpcClient) -> None:
    _, truth, _ = _run(rpc)
    ring = set(truth["ring_addresses"])
    assert len(ring) == len(truth["ring_addresses"]) >= 16 + 3 + 2
    assert {truth["collector"], *truth["consolidators"], *truth["cash_out_intermediates"],
            *truth["counterfeit_exchange"]["deposit_addresses"]} == ring
    others = {*truth["venues"], *truth["contracts"].values(), *truth["deposit_address_owner"],
              *(ex[k] for ex in truth["exchanges"].values() for k in ("hot_wallet", "operator")),
              *(v["address"] for v in truth["victims"]), *truth["decoy_scam"]["addresses"],
              *(v["address"] for v in truth["decoy_scam"]["victims"]), *truth["background_addresses"],
              truth["stablecoin"]["issuer"]}
    assert not ring & others
    assert len({v["address"] for v in truth["victims"]}) == 48
    assert 8 <= len(truth["decoy_scam"]["victims"]) <= 10


def test_the_money_converges_on_the_collector_and_leaves_through_two_exchanges(rpc: JsonRpcClient) -> None:
    drill, truth, _ = _run(rpc)
    ring, collector = set(truth["ring_addresses"]), truth["collector"]
    owner = truth["deposit_address_owner"]
    paid_in = {e.move.to_address for e in drill.ledger if e.purpose == "victim pays the counterfeit exchange"}
    assert paid_in == set(truth["counterfeit_exchange"]["deposit_addresses"])
    # deposit addresses -> consolidators -> the collector; nothing of the ring's goes anywhere else but a swap
    edges = {(e.move.from_address, e.move.to_address) for e in drill.ledger if e.move.from_address in ring}
    deposits, consolidators = set(paid_in), set(truth["consolidators"])
    assert {b for a, b in edges if a in deposits} == consolidators
    assert {b for a, b in edges if a in consolidators} == {collector}
    outside = {b for _, b in edges if b not in ring}
    assert outside == {*truth["cash_out"]["Hanbit Exchange"], *truth["cash_out"]["Nordvik Exchange"],
                       truth["contracts"]["uniswap_v2_router"]}
    assert set(truth["cash_out"]) == {"Hanbit Exchange", "Nordvik Exchange"}
    assert {owner[b] for b in outside if b in owner} == {"Hanbit Exchange", "Nordvik Exchange"}
    assert set(truth["decoy_scam"]["cash_out"]) == {"Lumen Exchange"}
    # the exchanges swept the ring's deposits to their hot wallets
    for name, accounts in truth["cash_out"].items():
        hot = truth["exchanges"][name]["hot_wallet"]
        for fw, by_asset in accounts.items():
            for asset, amount in by_asset.items():
                swept = sum(e.move.amount for e in drill.ledger
                            if (e.move.from_address, e.move.to_address, e.move.asset) == (fw, hot, asset))
                assert swept == int(amount), (name, fw, asset)
    # the collector swapped through the real Router02 and the HUSD/WETH pair
    assert len(truth["swaps"]) >= 1
    for s in truth["swaps"]:
        receipt = rpc.call("eth_getTransactionReceipt", [s["tx_hash"]])
        assert receipt["to"].lower() == truth["contracts"]["uniswap_v2_router"] and receipt["from"].lower() == collector
        assert any(log["address"].lower() == truth["contracts"]["dex_pool"] and log["topics"][0] == V2_SWAP
                   for log in receipt["logs"])
        assert int(s["bought"][truth["stablecoin"]["address"]]) > 0


def test_every_complaint_finds_its_payment_by_its_own_facts(rpc: JsonRpcClient) -> None:
    drill, truth, reports = _run(rpc)
    token = truth["stablecoin"]["address"]
    deposits = set(truth["counterfeit_exchange"]["deposit_addresses"])
    paid = [e for e in drill.ledger if e.move.to_address in deposits and e.move.from_address not in deposits]
    stamps = rpc.batch([("eth_getBlockByNumber", [hex(b), False]) for b in sorted({e.block_number for e in paid})])
    when = {int(s["number"], 16): int(s["timestamp"], 16) for s in stamps}
    victim_of = {v["address"]: v["index"] for v in truth["victims"]}

    def near(block: int, paid_at: str | None) -> bool:
        assert paid_at is not None
        moment = when[block]
        if len(paid_at) == 10:  # a day on the victim's (Korean) calendar
            day = dt.datetime.fromtimestamp(moment, KST).date()
            return abs((day - dt.date.fromisoformat(paid_at)).days) <= 1
        return abs(moment - dt.datetime.fromisoformat(paid_at).timestamp()) <= 86_400

    languages = []
    for r in reports:
        assert set(r) == REPORT_KEYS and r["tlp"] == "RED" and r["chain"] == "anvil"
        assert set(r["victim"]) == {"name", "contact"} and r["victim"]["name"] and r["text"]
        assert r["asset"] in ("ETH", "HUSD", token) and (r["website"] or "https://").startswith("https://")
        assert r["phone"] is None or r["phone"].startswith("+82 ")
        assert r["amount"] is None or re.fullmatch(r"[0-9]+(\.[0-9]+)?", r["amount"])
        assert bool(HANGUL.search(r["text"])) == (r["language"] == "ko")
        languages.append(r["language"])
        if r["tx_hashes"]:
            found = {e for e in paid if e.tx_hash in r["tx_hashes"]}
        elif r["from_addresses"]:
            found = {e for e in paid
                     if e.move.from_address in r["from_addresses"] and near(e.block_number, r["paid_at"])}
        else:
            asset, decimals = ("ETH", 18) if r["asset"] == "ETH" else (token, 6)
            stated = int(Decimal(r["amount"]).scaleb(decimals))
            found = {e for e in paid if e.move.to_address == r["paid_to"] and e.move.asset == asset
                     and near(e.block_number, r["paid_at"]) and abs(stated - e.move.amount) * 10 <= 3 * e.move.amount}
        said = truth["reports"][r["reference"]]
        assert said["tx_hash"] in {e.tx_hash for e in found}, r["reference"]
        assert {victim_of[e.move.from_address] for e in found} == {said["victim_index"]}, r["reference"]
    assert sorted(languages) == ["en"] * 15 + ["ko"] * 15
    ways = {s["found_by"] for s in truth["reports"].values()}
    assert ways == {"tx_hash", "from_address", "paid_to"}
    # the complaints are as wrong as real ones: typos, misremembered amounts, won, dates a day off
    wrong = [d for s in truth["reports"].values() for d in s["distortions"]]
    for kind in ("website misspelt", "amount misremembered", "amount rounded", "amount in won", "date off by a day"):
        assert any(d.startswith(kind) for d in wrong), kind
    assert any(r["website"] and r["website"] != truth["counterfeit_exchange"]["website"] for r in reports)


def test_the_complaints_pass_intake_and_the_matcher_finds_each_payment(rpc: JsonRpcClient) -> None:
    drill, truth, reports = _run(rpc)
    token = truth["stablecoin"]["address"]
    book = AssetBook(AssetUnits("ETH", 18), {token: AssetUnits("HUSD", 6)})
    transfers = [ChainTransfer(e.block_number, drill.block_times[e.block_number], e.tx_hash, e.tx_index, e.move.seq,
                               e.move.from_address, e.move.to_address, e.move.asset, e.move.amount)
                 for e in drill.ledger]
    for raw in reports:
        finding = find_payment(check_report(raw, known_chains=("anvil",)), transfers, book)
        assert finding.found, (raw["reference"], finding.how)
        assert truth["reports"][raw["reference"]]["tx_hash"] in {t.tx_hash for t in finding.transfers}


def test_same_seed_same_ring_and_complaints() -> None:
    runs = []
    start = None
    for _ in range(2):
        with AnvilNode() as node:
            client = JsonRpcClient(node.url)
            if start is None:  # one calendar for both runs: two days after the first node's clock
                head = int(client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
                start = (head // 86_400 + 2) * 86_400 - 9 * 3_600
            runs.append(_run(client, seed=11, start=start))
            client.close()
    (_, first, first_reports), (_, second, second_reports) = runs
    assert first_reports == second_reports
    assert first["victims"] == second["victims"] and first["cash_out"] == second["cash_out"]
    assert first["ring_addresses"] == second["ring_addresses"]


def test_the_drill_command_writes_reports_and_ground_truth(anvil: AnvilNode, tmp_path: Path) -> None:
    out, reports = tmp_path / "truth.json", tmp_path / "reports.json"
    result = CliRunner().invoke(app, ["drill", "--rpc", anvil.url, "--scenario", "scam-ring", "--out", str(out),
                                      "--reports", str(reports)])
    assert result.exit_code == 0, result.output
    assert "cashed out at Hanbit Exchange" in result.output and "cashed out at Nordvik Exchange" in result.output
    truth, filed = json.loads(out.read_text()), json.loads(reports.read_text(encoding="utf-8"))
    assert truth["scenario"] == "scam-ring" and len(filed) == 30
    assert [r["reference"] for r in filed] == sorted(truth["reports"])
    bad = CliRunner().invoke(app, ["drill", "--rpc", anvil.url, "--scenario", "scam-ring", "--live"])
    assert bad.exit_code == 2
