"""The real THORChain router's events: signatures against THORNode's ABI and the drill's contract, the real
mainnet `Deposit` receipt (0xba43fa28…, WBTC) decoded exactly, and a real `transferOut` payout's event."""

from __future__ import annotations

import csv
import json
import re
from typing import Any

from eth_abi import decode, encode
from eth_utils import keccak

from hotpursuit.chains.bridge_memo import parse_swap_memo
from hotpursuit.chains.evm_records import EvmTransaction
from hotpursuit.ingest.evm_mapper import map_tx_transfers
from hotpursuit.ingest.router_logs import (
    DEPOSIT_TOPIC,
    ROUTER_TOPICS,
    TRANSFER_OUT_AND_CALL_TOPIC,
    TRANSFER_OUT_TOPIC,
    decode_router_deposit,
    decode_router_transfer_out,
)

from ..conftest import REPO, SHARED_DATA

THOR = SHARED_DATA / "thorchain-swaps"
TX = "0xba43fa28957a7aaf961bc0bbf5b321a3218e99e408d2b5a491274e2125988bbe"
ROUTER_V4_1 = "0xd37bbe5744d730a1d98d8dc97c42f0ca46ad7146"
WBTC = "0x2260fac5e5542a773aa44fbcfedf7c193bc2c599"
MEMO = "=:b:bc1q80nz3hx4w6dpzwwmuddyyd0y3uwj0sjxrtmlgu:1033655:lifi/-_:0/20"


def _receipt() -> dict[str, Any]:
    result = json.loads((THOR / "thornode" / f"eth_getTransactionReceipt_{TX}.json").read_text())["result"]
    assert isinstance(result, dict)
    return result


def _abi_signature(event: dict[str, Any]) -> str:
    return f"{event['name']}({','.join(i['type'] for i in event['inputs'])})"


def test_signatures_are_the_real_routers_and_the_drill_router_emits_the_same_deposit() -> None:
    abi = {e["name"]: e for e in json.loads((THOR / "thornode" / "router_abi.json").read_text())
           if e.get("type") == "event"}
    topics = {name: "0x" + keccak(text=_abi_signature(e)).hex() for name, e in abi.items()}
    assert (topics["Deposit"], topics["TransferOut"], topics["TransferOutAndCall"]) == ROUTER_TOPICS
    # the topic0s THORNode's own log parser uses (PROVENANCE.md quotes them)
    assert DEPOSIT_TOPIC == "0xef519b7eb82aaf6ac376a6df2d793843ebfd593de5f1a0601d3cc6ab49ebb395"
    assert TRANSFER_OUT_TOPIC == "0xa9cd03aa3c1b4515114539cd53d22085129d495cb9e9f9af77864526240f1bf7"
    assert TRANSFER_OUT_AND_CALL_TOPIC == "0x8e5841bcd195b858d53b38bcf91b38d47f3bc800469b6812d35451ab619c6f6c"
    assert [(i["name"], i["indexed"]) for i in abi["Deposit"]["inputs"]] == [
        ("to", True), ("asset", True), ("amount", False), ("memo", False)]
    solidity = (REPO / "contracts" / "BridgeRouter.sol").read_text()
    event = re.search(r"event Deposit\(([^)]*)\);", solidity)
    assert event is not None
    fields = [f.split() for f in event.group(1).split(",")]
    assert [(f[0], "indexed" in f, f[-1]) for f in fields] == [
        (i["type"], i["indexed"], i["name"]) for i in abi["Deposit"]["inputs"]]


def test_the_real_mainnet_deposit_decodes_exactly() -> None:
    receipt = _receipt()
    block = int(receipt["blockNumber"], 16)
    deposits = [d for d in (decode_router_deposit(log, block, TX) for log in receipt["logs"]) if d is not None]
    assert len(deposits) == 1
    (deposit,) = deposits
    assert (deposit.block_number, deposit.log_index, deposit.router, deposit.asset, deposit.amount, deposit.memo) == (
        22526256, 0x13A, ROUTER_V4_1, WBTC, 1043565, MEMO)
    # the WBTC the router was paid in the same receipt is exactly the deposit's amount
    router_in = [log for log in receipt["logs"] if log["address"] == WBTC and len(log["topics"]) == 3
                 and log["topics"][2][26:] == ROUTER_V4_1[2:]]
    assert [int(log["data"], 16) for log in router_in] == [deposit.amount]
    # the vault it is addressed to (the indexed `to`)
    log = next(lg for lg in receipt["logs"] if lg["topics"][0] == DEPOSIT_TOPIC)
    assert "0x" + log["topics"][1][26:] == "0xc9146363d39cd45b11f6df465cee68d014c962a0"


def test_the_real_receipt_through_the_mapper_gives_the_deposit_and_the_wbtc_legs() -> None:
    receipt = _receipt()
    raw = json.loads((THOR / "thornode" / f"eth_getTransactionByHash_{TX}.json").read_text())
    raw_tx = raw.get("result", raw)
    tx = EvmTransaction(22526256, receipt["blockHash"], 0x4B, TX, raw_tx["from"], raw_tx["to"],
                        int(raw_tx["value"], 16), int(raw_tx["nonce"], 16), int(raw_tx["gas"], 16), None, None,
                        None, 1, None, None)
    transfers, deposits = map_tx_transfers(tx, [], receipt["logs"])
    assert [(t.from_address, t.to_address, t.asset, t.amount) for t in transfers] == [
        ("0x52d3c44dbb43dde4ed5c9bec0c8b226269057e1c", "0x1231deb6f5749ef6ce6943a275a1d3e7486f4eae", WBTC, 1043565),
        ("0x1231deb6f5749ef6ce6943a275a1d3e7486f4eae", ROUTER_V4_1, WBTC, 1043565)]
    assert [(d.router, d.asset, d.amount, d.memo) for d in deposits] == [(ROUTER_V4_1, WBTC, 1043565, MEMO)]


def test_the_memo_names_the_bitcoin_address_the_swap_pays() -> None:
    fields = MEMO.split(":")
    assert fields[0] == "=" and fields[2] == "bc1q80nz3hx4w6dpzwwmuddyyd0y3uwj0sjxrtmlgu"
    assert int(fields[3]) == 1033655  # the minimum out, in 1e8 units (sats)


def test_the_real_short_code_memo_parses_to_bitcoin() -> None:
    memo = parse_swap_memo(MEMO)
    assert memo is not None and memo.to_chain == "bitcoin"
    assert memo.to_address == "bc1q80nz3hx4w6dpzwwmuddyyd0y3uwj0sjxrtmlgu"


def _transfer_out_call() -> tuple[str, str, str, int, str]:
    """The real 2021 router `transferOut(to, asset, amount, memo)` of ETH tx 0x77b3…5087 (block 12544372)."""
    text = (THOR / "shapeshift-unchained" / "evm-ethereum" / "thorchainSwapOutboundEth.ts").read_text()
    match = re.search(r"inputData:\s*'0x574da717([0-9a-f]+)'", text)
    vault = re.search(r"from: '(0x[0-9a-fA-F]{40})'", text)
    assert match is not None and vault is not None
    to, asset, amount, memo = decode(["address", "address", "uint256", "string"], bytes.fromhex(match.group(1)))
    return vault.group(1).lower(), str(to).lower(), str(asset).lower(), int(amount), str(memo)


def test_a_transfer_out_event_names_its_inbound_exactly() -> None:
    """The event the router emits for that real call (its receipt is not in the data: built from the calldata
    with the router ABI's field layout), decoded back with the inbound the memo names."""
    vault, to, asset, amount, memo = _transfer_out_call()
    assert memo == "OUT:8C859BA50BC2351797F52F954971E1C6BA1F0A77610AC197BD99C4EEC6A3692A"
    log = {"address": "0x42a5ed456650a09dc10ebc6361a7480fdd61f27b", "logIndex": "0x5",
           "topics": [TRANSFER_OUT_TOPIC, "0x" + encode(["address"], [vault]).hex(),
                      "0x" + encode(["address"], [to]).hex()],
           "data": "0x" + encode(["address", "uint256", "string"], [asset, amount, memo]).hex()}
    payout_tx = "0x77b3683104413afcf8548dd949ebb99a6c18fb7d459bf944733fd815c98e5087"
    out = decode_router_transfer_out(log, 12544372, payout_tx)
    assert out is not None
    assert (out.vault, out.to, out.asset, out.amount) == (vault, to, "ETH", amount)
    assert out.inbound == "0x8c859ba50bc2351797f52f954971e1c6ba1f0a77610ac197bd99c4eec6a3692a"
    assert decode_router_deposit(log, 1, "0x") is None and decode_router_transfer_out(
        {**log, "topics": log["topics"][:2]}, 1, "0x") is None


def test_a_transfer_out_and_call_names_the_final_recipient() -> None:
    vault, target, final, to = ("0x" + c * 40 for c in "1234")
    log = {"address": ROUTER_V4_1, "logIndex": 7, "topics": [TRANSFER_OUT_AND_CALL_TOPIC,
                                                             "0x" + encode(["address"], [vault]).hex()],
           "data": "0x" + encode(["address", "uint256", "address", "address", "uint256", "string"],
                                 [target, 10**18, final, to, 5, "OUT:" + "ab" * 32]).hex()}
    out = decode_router_transfer_out(log, 1, "0x" + "cd" * 32)
    assert out is not None and (out.to, out.asset, out.amount, out.final_asset) == (to, "ETH", 10**18, final)
    assert out.inbound == "0x" + "ab" * 32


def test_the_real_mainnet_routers() -> None:
    with (THOR / "addresses" / "thorchain_routers.csv").open() as fh:
        rows = [r for r in csv.DictReader(fh) if r["network"] == "mainnet" and r["chain"] == "ETH"]
    routers = {r["address"].lower() for r in rows}
    assert ROUTER_V4_1 in routers and len(routers) == 3  # V4.1, V3 and the 2021 router
