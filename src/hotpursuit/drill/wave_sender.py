"""Sending the drill's transactions in waves: independent txs, mined together, receipts checked."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hotpursuit.drill.ledger import Move
from hotpursuit.errors import DrillError
from hotpursuit.ingest.rpc_client import JsonRpcClient

ReceiptReader = Callable[[dict[str, Any]], list[Move]]


@dataclass
class PlannedTx:
    """A transaction the drill will send, with the movements it causes.

    `moves` are known in advance; `read_moves` derives the rest from the receipt (a swap's output,
    a sweep's amount).
    """

    purpose: str
    sender: str
    to: str | None
    value: int = 0
    data: str = "0x"
    gas: int = 21_000
    moves: list[Move] = field(default_factory=list)
    read_moves: ReceiptReader | None = None
    memo: str | None = None
    reserved: dict[tuple[str, str], int] = field(default_factory=dict)  # what the plan set aside
    tx_hash: str = ""
    receipt: dict[str, Any] = field(default_factory=dict)
    reverted: bool = False


class WaveSender:
    """Sends each wave as one JSON-RPC batch with explicit nonces, then waits for all receipts.

    Not live: automine is off and the sender mines each wave itself (`evm_mine`); every tx must
    succeed. Live: the node mines on its own clock (`--block-time`) and the sender waits for the
    blocks; a reverted tx (a blacklisted holder's transfer, frozen mid-drill by an issuer) is marked
    `reverted`, not an error. After each live wave the sender lets one more block pass before the next
    wave, as a thief's scripts wait for confirmations: that block is the defenders' window.
    """

    def __init__(self, client: JsonRpcClient, *, live: bool) -> None:
        self.client = client
        self.live = live
        self._nonces: dict[str, int] = {}

    def begin(self) -> None:
        """Take control of mining (not live)."""
        if not self.live:
            self.client.call("evm_setAutomine", [False])

    def end(self) -> None:
        """Give mining back to the node."""
        if not self.live:
            self.client.call("evm_setAutomine", [True])

    def send_wave(self, txs: list[PlannedTx]) -> None:
        """Send, mine and check every tx of the wave; fills `tx_hash` and `receipt`."""
        if not txs:
            return
        unknown = sorted({t.sender for t in txs if t.sender not in self._nonces})
        if unknown:
            counts = self.client.batch([("eth_getTransactionCount", [a, "pending"]) for a in unknown])
            self._nonces.update({a: int(c, 16) for a, c in zip(unknown, counts, strict=True)})
        calls = []
        for t in txs:
            body: dict[str, Any] = {"from": t.sender, "value": hex(t.value), "data": t.data,
                                    "gas": hex(t.gas), "gasPrice": "0x0",
                                    "nonce": hex(self._nonces[t.sender])}
            if t.to is not None:
                body["to"] = t.to
            self._nonces[t.sender] += 1
            calls.append(("eth_sendTransaction", [body]))
        hashes = self.client.batch(calls)
        for t, h in zip(txs, hashes, strict=True):
            t.tx_hash = str(h).lower()
        self._await_receipts(txs)

    def _await_receipts(self, txs: list[PlannedTx]) -> None:
        waiting = {t.tx_hash: t for t in txs}
        deadline = time.monotonic() + 120
        while waiting:
            if not self.live:
                self.client.call("anvil_setNextBlockBaseFeePerGas", ["0x0"])
                self.client.call("evm_mine", [])
            else:
                time.sleep(0.2)
            hashes = list(waiting)
            receipts = self.client.batch([("eth_getTransactionReceipt", [h]) for h in hashes])
            for h, r in zip(hashes, receipts, strict=True):
                if r is None:
                    continue
                t = waiting.pop(h)
                if int(r["status"], 16) != 1:
                    if not self.live:
                        raise DrillError(f"drill tx failed: {t.purpose} from {t.sender} ({h})")
                    t.reverted = True
                t.receipt = r
            if time.monotonic() > deadline:
                raise DrillError(f"{len(waiting)} drill txs not mined within 120 s")
        if self.live:
            self._await_block(max(int(t.receipt["blockNumber"], 16) for t in txs) + 1, deadline)

    def _await_block(self, number: int, deadline: float) -> None:
        while int(self.client.call("eth_blockNumber", []), 16) < number:
            if time.monotonic() > deadline:
                raise DrillError(f"block {number} not mined within 120 s: is the node mining (--block-time)?")
            time.sleep(0.05)
