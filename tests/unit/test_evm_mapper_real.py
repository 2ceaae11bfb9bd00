"""Mapping real mainnet JSON-RPC replies, checked against what ethereum-etl exported from them."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from hotpursuit.errors import IngestError
from hotpursuit.ingest.erc20_logs import decode_erc20_transfer
from hotpursuit.ingest.evm_mapper import _parity_internal, internal_transfers, map_block_bundle, map_tx_transfers

from ..conftest import SHARED_DATA
from .swap_traces import load_mev_rs, transaction_of, transfers_of

ETL = SHARED_DATA / "ethereum-etl-mainnet"
STREAM = ETL / "test_stream" / "blocks_1755634_1755635"


def _result(path: Path) -> Any:
    return json.loads(path.read_text())["result"]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_real_block_with_receipts_maps_to_etl_transactions_and_transfers() -> None:
    block = _result(STREAM / "web3_response.eth_getBlockByNumber_0x1ac9f3_true.json")
    receipts = [_result(p) for p in sorted(STREAM.glob("web3_response.eth_getTransactionReceipt_*.json"))]
    bundle = map_block_bundle(block, receipts, None, "ethereum")
    expected_txs = [t for t in _jsonl(STREAM / "expected_transactions.json") if t["block_number"] == 1755635]
    assert bundle.block.number == 1755635
    assert [t.hash for t in bundle.transactions] == [t["hash"] for t in expected_txs]
    assert [t.value for t in bundle.transactions] == [int(t["value"]) for t in expected_txs]
    assert [t.status for t in bundle.transactions] == [t["receipt_status"] for t in expected_txs]
    native = [(t.tx_hash, t.amount) for t in bundle.transfers if t.kind == "native"]
    assert native == [(t["hash"], int(t["value"])) for t in expected_txs
                      if int(t["value"]) > 0 and t["receipt_status"] in (1, None)]
    # pre-Byzantium receipts carry no status: the value is counted as moved, as ethereum-etl does
    assert all(t.status is None for t in bundle.transactions)
    erc20 = [(t.asset, t.from_address, t.to_address, t.amount) for t in bundle.transfers if t.kind == "erc20"]
    assert erc20 == [(t["token_address"], t["from_address"], t["to_address"], int(t["value"]))
                     for t in _jsonl(STREAM / "expected_token_transfers.json")]


def test_receipts_from_another_block_are_refused() -> None:
    block = _result(STREAM / "web3_response.eth_getBlockByNumber_0x1ac9f3_true.json")
    receipts = [_result(p) for p in sorted(STREAM.glob("web3_response.eth_getTransactionReceipt_*.json"))]
    receipts[0] = {**receipts[0], "blockHash": "0x" + "00" * 32}
    with pytest.raises(IngestError, match="another block"):
        map_block_bundle(block, receipts, None, "ethereum")


def test_a_missing_receipt_is_an_error_naming_the_block() -> None:
    block = _result(STREAM / "web3_response.eth_getBlockByNumber_0x1ac9f3_true.json")
    with pytest.raises(IngestError, match="block 1755635"):
        map_block_bundle(block, [], None, "ethereum")


def test_real_erc20_logs_decode_like_ethereum_etl() -> None:
    folder = ETL / "test_export_token_transfers_job" / "block_with_transfers"
    logs = _result(folder / "web3_response.eth_getFilterLogs_0x0.json")
    decoded = [d for d in (decode_erc20_transfer(log) for log in logs) if d is not None]
    with (folder / "expected_token_transfers.csv").open() as fh:
        expected = list(csv.DictReader(fh))
    assert [(d.token, d.from_address, d.to_address, d.amount, d.log_index) for d in decoded] == [
        (e["token_address"], e["from_address"], e["to_address"], int(e["value"]), int(e["log_index"]))
        for e in expected]


@pytest.mark.parametrize("case", ["block_with_create", "block_with_error", "block_with_subtraces",
                                  "block_with_suicide"])
def test_real_traces_give_the_value_moving_subcalls(case: str) -> None:
    folder = ETL / "test_export_traces_job" / case
    trace_file = next(folder.glob("web3_response.trace_block_*.json"))
    moves = _parity_internal(_result(trace_file), case)
    got = sorted((pos, addr, src, dst, amount) for pos, ms in moves.items() for addr, src, dst, amount in ms)
    with (folder / "expected_traces.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    want = sorted(
        (int(r["transaction_index"]), r["trace_address"], r["from_address"], r["to_address"], int(r["value"]))
        for r in rows
        if r["trace_address"] and int(r["value"] or 0) > 0 and r["status"] == "1"
        and r["trace_type"] in ("call", "create", "suicide") and r["call_type"] in ("call", ""))
    assert got == want
    if case == "block_with_error":
        assert any(r["status"] == "0" for r in rows)  # the case really has failed calls


WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
ZERO = "0x" + "00" * 20


def test_real_weth_withdrawal_is_a_burn_backed_by_its_eth_leg() -> None:
    """Router02 swapExactTokensForETH: WETH leaves the pair for the router, the router unwraps it."""
    (obj,) = load_mev_rs("exact_tokens_for_eth")
    transfers = transfers_of(obj)
    router = "0x7a250d5630b4cf539739df2c5dacb4c659f2488d"
    assert [(t.seq, t.kind, t.log_index, t.from_address, t.to_address, t.asset, t.amount) for t in transfers][-2:] == [
        (3, "erc20", 280, "0xe7240d0da75b3ad88ff12b38756c50405ff39fe3", router, WETH, 1066763791375109028),
        (4, "erc20", 283, router, ZERO, WETH, 1066763791375109028)]  # the Withdrawal, after the Transfer logs
    assert (WETH, router, 1066763791375109028) in {(t.from_address, t.to_address, t.amount)
                                                   for t in transfers if t.kind == "internal"}


def test_real_weth_deposit_is_a_mint_in_log_order() -> None:
    """Zapper zap-in with 2.2 ETH: the zap contract wraps it (Deposit log 180) before trading WETH (182)."""
    (obj,) = load_mev_rs("zapper1")
    zap = "0x0286ab4c526c0f28ec31dbb08755c999f441a58f"
    rows = [(t.seq, t.log_index, t.from_address, t.to_address, t.asset, t.amount) for t in transfers_of(obj)]
    assert rows[1] == (1, None, zap, WETH, "ETH", 2200000000000000000)  # the zap contract pays WETH 2.2 ETH
    assert rows[2] == (2, 180, ZERO, zap, WETH, 2200000000000000000)  # and WETH mints it 2.2 WETH
    assert rows[3][1] == 182 and [r[0] for r in rows] == list(range(len(rows)))


def test_a_same_signature_deposit_without_its_eth_leg_moves_nothing() -> None:
    """Another contract's Deposit(address,uint256), a wad that differs by one wei, or a second event
    for one ETH leg are not wraps."""
    (obj,) = load_mev_rs("zapper1")
    tx = transaction_of(obj)
    internal = internal_transfers(obj["traces"], "parity", tx.hash)[tx.tx_index]
    deposit = next(log for log in obj["logs"] if int(log["logIndex"], 16) == 180)
    other_emitter = {**deposit, "address": "0x" + "ab" * 20}
    off_by_one = {**deposit, "data": "0x" + (2200000000000000001).to_bytes(32, "big").hex()}
    twice = {**deposit, "logIndex": "0x1000"}
    for logs, mints in (([other_emitter], 0), ([off_by_one], 0), ([deposit, twice], 1), ([deposit], 1)):
        transfers, _ = map_tx_transfers(tx, internal, logs)
        assert sum(t.from_address == ZERO for t in transfers) == mints
    without_leg, _ = map_tx_transfers(tx, [m for m in internal if m[2] != WETH], [deposit])
    assert not any(t.asset == WETH for t in without_leg)
    assert len(transfers_of(obj)) == 10
