"""The drill's shared state and its bookkeeping: deterministic keys, and every tx planned (what it
spends reserved), sent in a wave and booked at its on-chain position."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from eth_keys import keys
from eth_utils import keccak

from hotpursuit.drill import protocol_venues as pv
from hotpursuit.drill.bitcoin_leg import memo_address
from hotpursuit.drill.haircut_reference import Service
from hotpursuit.drill.ledger import ETH, ZERO, LedgerEntry, Move
from hotpursuit.drill.receipt_moves import token_moves, weth_calls
from hotpursuit.drill.scenario import TOKEN, DrillConfig
from hotpursuit.drill.wave_sender import PlannedTx, WaveSender
from hotpursuit.errors import DrillError
from hotpursuit.ingest.rpc_client import JsonRpcClient


class DrillBooking:
    """What every phase of the drill shares: the node, the seed's random stream, the actors, and the
    ledger of what moved where; plus the builders of its common transactions."""

    # who is who and where the contracts are: named by `DrillSetup.roster`, deployed by `DrillSetup.setup`
    thief: str
    signers: list[str]
    treasury: str
    issuer: str
    lp: str
    bridge_op: str
    vault: str
    dex_op: str
    staking_op: str
    agg_op: str
    safe_op: str
    solver: str
    poisoner: str
    users: list[str]
    exchange_ops: dict[str, str]
    hot_wallets: dict[str, str]
    venues: pv.Venues
    victim: str
    token: str
    router: str
    safe_factory: str
    forwarders: dict[str, list[str]]
    thief_forwarders: list[str]
    user_forwarders: dict[str, str]

    def __init__(self, client: JsonRpcClient, config: DrillConfig) -> None:
        self.client = client
        self.cfg = config
        self.rng = random.Random(config.seed)
        self.sender = WaveSender(client, live=config.live)
        self.avail: dict[tuple[str, str], int] = defaultdict(int)
        self.balance: dict[tuple[str, str], int] = defaultdict(int)
        self.initial: dict[tuple[str, str], int] = {}
        self.ledger: list[LedgerEntry] = []
        self.services: dict[str, Service] = {}
        self.thief_addresses: list[str] = []
        self.bridge_memos: list[dict[str, Any]] = []
        self.theft_tx = ""
        self.tx_count = 0
        self.reverted: list[dict[str, Any]] = []  # live only: moves that failed (frozen funds)
        self.fake_tokens: dict[str, dict[str, str]] = {}
        self.lookalikes: dict[str, str] = {}  # look-alike -> the real counterparty it imitates
        self.poisoning_txs: list[str] = []
        self.swap_txs: dict[str, list[str]] = defaultdict(list)  # what went through which venue
        self.takeover: dict[str, str] = {}
        self._keys: dict[tuple[str, int], str] = {}
        self._secrets: dict[str, bytes] = {}

    # ---- addresses ----------------------------------------------------------------------
    def addr(self, role: str, i: int = 0) -> str:
        """A deterministic address with a real private key (keccak of seed, role and index)."""
        k = (role, i)
        if k not in self._keys:
            secret = keccak(text=f"hotpursuit-drill/{self.cfg.seed}/{role}/{i}")
            self._keys[k] = keys.PrivateKey(secret).public_key.to_address().lower()
            self._secrets[self._keys[k]] = secret
        return self._keys[k]

    def btc_address(self, i: int) -> str:
        """The P2WPKH mainnet address the i-th bridge memo asks to be paid (a key the thief holds)."""
        return memo_address(self.cfg.seed, i)

    # ---- bookkeeping --------------------------------------------------------------------
    def fund(self, address: str, wei: int) -> None:
        """Set an address's starting ETH (anvil_setBalance), known to the reference as clean."""
        self.client.call("anvil_setBalance", [address, hex(wei)])
        self.initial[(address, ETH)] = wei
        self.avail[(address, ETH)] = wei
        self.balance[(address, ETH)] = wei

    def plan(self, tx: PlannedTx, spends: dict[tuple[str, str], int] | None = None) -> PlannedTx:
        """Reserve what a tx spends (net, within the tx, plus `spends` its receipt will show) so later
        plans in its wave cannot overspend."""
        need = {k: -c for k, c in _net_changes(tx.moves).items() if c < 0}
        for key, amount in (spends or {}).items():
            need[key] = need.get(key, 0) + amount
        for key, amount in need.items():
            if self.avail[key] < amount:
                raise DrillError(f"drill plan overspends {key[0]} {key[1]}: "
                                 f"{amount} > {self.avail[key]} ({tx.purpose})")
            self.avail[key] -= amount
        tx.reserved = need
        return tx

    def call(self, purpose: str, src: str, to: str, data: str, value: int = 0, gas: int = 1_000_000,
             spends: dict[tuple[str, str], int] | None = None, eth_out: list[Move] | None = None) -> PlannedTx:
        """A contract call whose movements are read back from its receipt: the tx's own ETH, the
        WETH wraps/unwraps made inside it, `eth_out` (other internal ETH payments the call semantics
        imply), then every token movement in log order."""
        moves = [Move(0, "native", src, to, ETH, value)] if value else []
        weth = self.venues.weth if hasattr(self, "venues") else ""

        def read(receipt: dict[str, Any]) -> list[Move]:
            internal = [*weth_calls(receipt, weth, src, to), *(eth_out or [])]
            seq = len(moves)
            out = [Move(seq + i, m.kind, m.from_address, m.to_address, m.asset, m.amount)
                   for i, m in enumerate(internal)]
            return out + token_moves(receipt, weth, seq + len(out))

        return self.plan(PlannedTx(purpose, src, to, value, data, gas=gas, moves=moves, read_moves=read),
                         spends)

    def deploy(self, purpose: str, src: str, data: str, gas: int = 12_000_000) -> PlannedTx:
        """A contract creation."""
        return PlannedTx(purpose, src, None, data=data, gas=gas)

    def wave(self, txs: list[PlannedTx]) -> None:
        """Send a wave, then book every movement at its on-chain position."""
        self.sender.send_wave(txs)
        self.tx_count += len(txs)
        for t in txs:
            r = t.receipt
            block, index = int(r["blockNumber"], 16), int(r["transactionIndex"], 16)
            if t.reverted:  # nothing moved; what the plan reserved stays reserved (the funds are frozen)
                self.reverted.append({"purpose": t.purpose, "from": t.sender, "tx_hash": t.tx_hash, "block": block,
                                      "moves": [{"to": m.to_address, "asset": m.asset, "amount": str(m.amount)}
                                                for m in t.moves]})
                continue
            late = t.read_moves(r) if t.read_moves else []
            for key, amount in t.reserved.items():
                self.avail[key] += amount
            for key, change in _net_changes([*t.moves, *late]).items():
                self.avail[key] += change
            for m in [*t.moves, *late]:
                self.ledger.append(LedgerEntry(block, index, t.tx_hash, t.purpose, t.memo, m))
                if m.from_address != ZERO:
                    self.balance[(m.from_address, m.asset)] -= m.amount
                self.balance[(m.to_address, m.asset)] += m.amount

    def eth_transfer(self, purpose: str, src: str, dst: str, wei: int, gas: int = 21_000) -> PlannedTx:
        """A plain ETH payment."""
        return self.plan(PlannedTx(purpose, src, dst, wei, gas=gas,
                                   moves=[Move(0, "native", src, dst, ETH, wei)]))

    def token_transfer(self, purpose: str, src: str, dst: str, units: int) -> PlannedTx:
        """A stablecoin payment."""
        return self.plan(PlannedTx(purpose, src, self.token, 0, TOKEN.call_data("transfer", dst, units),
                                   gas=120_000, moves=[Move(0, "erc20", src, dst, self.token, units)]))

    # ---- swaps (by the thief and by other people) ------------------------------------------
    def _swap(self, purpose: str, src: str, wei: int) -> PlannedTx:
        """ETH for the stablecoin through Uniswap V2 Router02 (WETH -> HUSD/WETH pair)."""
        v = self.venues
        return self.call(purpose, src, v.uniswap_v2_router, pv.V2_ROUTER.call_data(
            "swapExactETHForTokens", 1, [v.weth, self.token], src, pv.DEADLINE), wei, 400_000)

    def _swap_v3(self, purpose: str, src: str, wei: int) -> PlannedTx:
        """ETH for stETH through Uniswap V3 SwapRouter (it wraps the ETH and pays the pool)."""
        v = self.venues
        params = (v.weth, v.staking_token, pv.V3_FEE, src, pv.DEADLINE, wei, 1, 0)
        return self.call(purpose, src, v.uniswap_v3_router, pv.V3_ROUTER.call_data("exactInputSingle", params),
                         wei, 400_000)


def _net_changes(moves: list[Move]) -> dict[tuple[str, str], int]:
    """Net balance change per (address, asset) over a transaction's movements (mints excluded)."""
    net: dict[tuple[str, str], int] = defaultdict(int)
    for m in moves:
        if m.from_address != ZERO:
            net[(m.from_address, m.asset)] -= m.amount
        net[(m.to_address, m.asset)] += m.amount
    return dict(net)
