"""The Bybit-shaped heist: setup, theft, split, layering with peel chains, swaps, bridging,
exchange deposits that sweep to hot wallets, parked stablecoins, and background traffic."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import rlp
from eth_keys import keys
from eth_utils import keccak

from hotpursuit.devnet.contracts import load_artifact
from hotpursuit.drill.bitcoin_leg import ONWARD_EVERY, memo_address, onward_address
from hotpursuit.drill.haircut_reference import Service
from hotpursuit.drill.ledger import ETH, LedgerEntry, Move
from hotpursuit.drill.wave_sender import PlannedTx, WaveSender
from hotpursuit.errors import DrillError
from hotpursuit.ingest.rpc_client import JsonRpcClient

ZERO = "0x" + "00" * 20
ETHER = 10**18
USD = 10**6  # the stablecoin has 6 decimals, like USDT
STOLEN_WEI = 401_346_770_000_000_000_000_000  # Bybit, 2025-02-21: 401,346.77 ETH

TOKEN = load_artifact("BlacklistableStablecoin")
POOL = load_artifact("ConstantProductPool")
ROUTER = load_artifact("BridgeRouter")
FORWARDER = load_artifact("DepositForwarder")


@dataclass(frozen=True)
class DrillConfig:
    """What the drill builds; the seed decides every address, amount and route."""

    seed: int = 7
    live: bool = False
    split_count: int = 48
    exchanges: tuple[str, ...] = ("Hanbit Exchange", "Nordvik Exchange", "Lumen Exchange")
    forwarders_per_exchange: int = 6
    background_users: int = 40
    background_ops_per_wave: int = 70
    min_transfers: int = 2_000
    issuer_name: str = "Haneul Stable Issuer"
    bridge_name: str = "Thor-style Bridge"
    dex_name: str = "Constant-product DEX"


@dataclass
class LaunderingPath:
    """One split address's route: the addresses it walks and the steps still to do."""

    route: str
    steps: list[str]
    holder: str
    parking: list[str] = field(default_factory=list)


class HeistDrill:
    """Runs the drill against one node; `run()` returns the ground truth as a JSON-ready dict."""

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
        self._keys: dict[tuple[str, int], str] = {}

    # ---- addresses ----------------------------------------------------------------------
    def addr(self, role: str, i: int = 0) -> str:
        """A deterministic address with a real private key (keccak of seed, role and index)."""
        k = (role, i)
        if k not in self._keys:
            secret = keccak(text=f"hotpursuit-drill/{self.cfg.seed}/{role}/{i}")
            self._keys[k] = keys.PrivateKey(secret).public_key.to_address().lower()
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

    def plan(self, tx: PlannedTx) -> PlannedTx:
        """Reserve what a tx spends (net, within the tx) so later plans in its wave cannot overspend."""
        for key, change in _net_changes(tx.moves).items():
            if change < 0:
                if self.avail[key] < -change:
                    raise DrillError(f"drill plan overspends {key[0]} {key[1]}: "
                                     f"{-change} > {self.avail[key]} ({tx.purpose})")
                self.avail[key] += change
        return tx

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
            for key, change in _net_changes(t.moves).items():
                if change > 0:
                    self.avail[key] += change
            for key, change in _net_changes(late).items():
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

    # ---- phases -------------------------------------------------------------------------
    def _name_actors(self) -> None:
        cfg = self.cfg
        self.victim, self.thief = self.addr("victim-cold-wallet"), self.addr("thief")
        self.issuer, self.lp = self.addr("issuer"), self.addr("liquidity-provider")
        self.bridge_op, self.vault = self.addr("bridge-operator"), self.addr("bridge-vault")
        self.dex_op = self.addr("dex-deployer")
        self.users = [self.addr("user", i) for i in range(cfg.background_users)]
        self.exchange_ops = {name: self.addr("exchange-operator", i) for i, name in enumerate(cfg.exchanges)}
        self.hot_wallets = {name: self.addr("exchange-hot-wallet", i) for i, name in enumerate(cfg.exchanges)}

    def roster(self) -> dict[str, Any]:
        """Who will be who, before anything is sent: the victim, the exchanges (hot wallets and
        deposit addresses), the issuer and its token, the pool and the bridge. Contract addresses
        follow from each deployer's current nonce (CREATE), so the defenders (organisations, controls,
        the incident) can be set up before a live drill starts; `setup()` checks them."""
        self._name_actors()
        deployers = sorted({self.issuer, self.bridge_op, self.dex_op, *self.exchange_ops.values()})
        counts = self.client.batch([("eth_getTransactionCount", [a, "pending"]) for a in deployers])
        nonce = {a: int(c, 16) for a, c in zip(deployers, counts, strict=True)}
        n = self.cfg.forwarders_per_exchange
        forwarders = {name: [create_address(op, nonce[op] + j) for j in range(n)]
                      for name, op in self.exchange_ops.items()}
        token = create_address(self.issuer, nonce[self.issuer])
        return {
            "seed": self.cfg.seed, "victim": self.victim,
            "issuer": {"name": self.cfg.issuer_name, "address": self.issuer, "token": token,
                       "symbol": "HUSD", "decimals": 6},
            "exchanges": {name: {"hot_wallet": self.hot_wallets[name], "operator": self.exchange_ops[name],
                                 "deposit_addresses": forwarders[name]} for name in self.cfg.exchanges},
            "contracts": {"stablecoin": token, "dex_pool": create_address(self.dex_op, nonce[self.dex_op]),
                          "bridge_router": create_address(self.bridge_op, nonce[self.bridge_op]),
                          "bridge_vault": self.vault},
            # the Bitcoin leg's onward moves land at deposit addresses of the second exchange
            "bitcoin": {"exchange": self.cfg.exchanges[1],
                        "deposit_addresses": [onward_address(self.cfg.seed, i)
                                              for i in range(0, 4 * self.cfg.split_count, ONWARD_EVERY)]},
        }

    def setup(self) -> None:
        """Fund the actors and deploy the token, pool, bridge router and deposit forwarders."""
        cfg = self.cfg
        expected = self.roster()
        self.fund(self.victim, STOLEN_WEI + 1_000 * ETHER)
        self.fund(self.lp, 300_000 * ETHER)
        for u in self.users:
            self.fund(u, 2_000 * ETHER)
        for name, hot in self.hot_wallets.items():
            self.fund(hot, 50_000 * ETHER)
            self.services[hot] = Service("exchange_hot_wallet", name)
        self.services[self.vault] = Service("bridge_vault", cfg.bridge_name)

        deploys = [PlannedTx("deploy stablecoin", self.issuer, None,
                             data=TOKEN.deploy_data("Haneul USD", "HUSD", 6), gas=3_000_000),
                   PlannedTx("deploy bridge router", self.bridge_op, None, data=ROUTER.deploy_data(),
                             gas=3_000_000)]
        fw_plan = [(name, j) for name in cfg.exchanges for j in range(cfg.forwarders_per_exchange)]
        for name, _ in fw_plan:
            deploys.append(PlannedTx(f"deploy deposit forwarder of {name}", self.exchange_ops[name], None,
                                     data=FORWARDER.deploy_data(self.hot_wallets[name]), gas=3_000_000))
        self.wave(deploys)
        self.token = deploys[0].receipt["contractAddress"].lower()
        self.router = deploys[1].receipt["contractAddress"].lower()
        self.services[self.router] = Service("bridge_router", cfg.bridge_name)
        self.forwarders: dict[str, list[str]] = defaultdict(list)
        for (name, _), tx in zip(fw_plan, deploys[2:], strict=True):
            fw = tx.receipt["contractAddress"].lower()
            self.forwarders[name].append(fw)
            self.services[fw] = Service("exchange_deposit", name)
        half = cfg.forwarders_per_exchange // 2
        # the thief opened accounts at every exchange; customers use the other deposit addresses
        self.thief_forwarders = [fw for name in cfg.exchanges for fw in self.forwarders[name][:half]]
        self.user_forwarders = {u: self.rng.choice([fw for n in cfg.exchanges for fw in self.forwarders[n][half:]])
                                for u in self.users}

        deploy_pool = PlannedTx("deploy pool", self.dex_op, None, data=POOL.deploy_data(self.token),
                                gas=3_000_000)
        mints = [self._mint(self.lp, 600_000_000 * USD)] + [self._mint(u, 1_000_000 * USD) for u in self.users]
        self.wave([deploy_pool, *mints])
        self.pool = deploy_pool.receipt["contractAddress"].lower()
        self.services[self.pool] = Service("dex_pool", cfg.dex_name)
        got = {"stablecoin": self.token, "dex_pool": self.pool, "bridge_router": self.router,
               "bridge_vault": self.vault}
        if got != expected["contracts"] or any(
                self.forwarders[n] != e["deposit_addresses"] for n, e in expected["exchanges"].items()):
            raise DrillError("deployed contract addresses differ from the roster's prediction "
                             f"({got} vs {expected['contracts']})")
        self.wave([PlannedTx("approve pool", self.lp, self.token,
                             data=TOKEN.call_data("approve", self.pool, 2**256 - 1), gas=100_000)])
        eth_in, usd_in = 200_000 * ETHER, 500_000_000 * USD
        self.wave([self.plan(PlannedTx("add liquidity", self.lp, self.pool, eth_in,
                                       POOL.call_data("addLiquidity", usd_in), gas=300_000,
                                       moves=[Move(0, "native", self.lp, self.pool, ETH, eth_in),
                                              Move(1, "erc20", self.lp, self.pool, self.token, usd_in)]))])

    def _mint(self, to: str, units: int) -> PlannedTx:
        return PlannedTx("issue stablecoin", self.issuer, self.token, 0, TOKEN.call_data("issue", to, units),
                         gas=150_000, moves=[Move(0, "erc20", ZERO, to, self.token, units)])

    def theft_and_split(self) -> list[LaunderingPath]:
        """Drain the cold wallet to the thief, then split across fresh addresses."""
        theft = self.eth_transfer("theft: cold wallet drained", self.victim, self.thief, STOLEN_WEI)
        self.wave([theft])
        self.theft_tx = theft.tx_hash
        self.thief_addresses.append(self.thief)
        n = self.cfg.split_count
        big = min(40, n)
        amounts = [10_000 * ETHER] * big
        rest = STOLEN_WEI - sum(amounts)
        cuts = sorted(self.rng.randint(1, rest - 1) for _ in range(n - big - 1))
        amounts += [b - a for a, b in zip([0, *cuts], [*cuts, rest], strict=True)] if n > big else []
        paths, txs = [], []
        for i, wei in enumerate(amounts):
            holder = self.addr("split", i)
            self.thief_addresses.append(holder)
            txs.append(self.eth_transfer("split", self.thief, holder, wei))
            route = self.rng.choices(["exchange", "swap", "bridge", "hold"], weights=[40, 20, 25, 15])[0]
            hops = self.rng.randint(3, 6)
            steps = [self.rng.choice(["hop", "peel"]) for _ in range(hops - 1)]
            tail = {"exchange": ["deposit"], "swap": ["swap", "park"], "bridge": ["bridge"], "hold": []}[route]
            paths.append(LaunderingPath(route, steps + tail, holder))
        self.wave(txs)
        return paths

    def launder(self, paths: list[LaunderingPath]) -> None:
        """Walk every path one step per wave, with background traffic and periodic sweeps."""
        hop_ids = iter(range(10**6))
        wave_no = 0
        while any(p.steps for p in paths):
            txs: list[PlannedTx] = []
            for p in paths:
                if p.steps:
                    txs += self._step(p, p.steps.pop(0), hop_ids)
            txs += self.background(sweep_wave=False)
            self.wave(txs)
            wave_no += 1
            if wave_no % 3 == 0:
                self.wave(self.sweeps() + self.background(sweep_wave=True))
        self.wave(self.sweeps() + self.background(sweep_wave=True))
        while len(self.ledger) < self.cfg.min_transfers:
            self.wave(self.background(sweep_wave=False))
            self.wave(self.sweeps() + self.background(sweep_wave=True))

    def _step(self, p: LaunderingPath, step: str, ids: Any) -> list[PlannedTx]:
        src = p.holder
        have = self.avail[(src, ETH)]
        if step in ("hop", "peel"):
            nxt = self.addr("layer", next(ids))
            self.thief_addresses.append(nxt)
            out = []
            if step == "peel":
                peel = have * self.rng.randint(5, 30) // 1000
                out.append(self.eth_transfer("peel to exchange", src, self.rng.choice(self.thief_forwarders),
                                             peel, gas=60_000))
                have -= peel
            out.append(self.eth_transfer("layering hop", src, nxt, have))
            if self.rng.random() < 0.25:  # clean money mixed in (OTC, dusting): haircut below 100%
                u = self.rng.choice(self.users)
                out.append(self.eth_transfer("clean funds into a layer", u, nxt,
                                             self.rng.randint(1, 50) * ETHER // 10))
            p.holder = nxt
            return out
        if step == "deposit":
            return [self.eth_transfer("deposit at exchange", src, self.rng.choice(self.thief_forwarders),
                                      have, gas=60_000)]
        if step == "bridge":
            i = len(self.bridge_memos)
            btc = self.btc_address(i)
            memo = f"SWAP:BTC.BTC:{btc}" if i % 2 == 0 else f"=:BTC.BTC:{btc}"
            tx = self.plan(PlannedTx("bridge deposit", src, self.router, have,
                                     ROUTER.call_data("deposit", self.vault, ZERO, have, memo), gas=200_000,
                                     moves=[Move(0, "native", src, self.router, ETH, have),
                                            Move(1, "internal", self.router, self.vault, ETH, have)],
                                     memo=memo))
            self.bridge_memos.append({"memo": memo, "btc_address": btc, "amount": have, "tx": tx,
                                      "from": src})
            return [tx]
        if step == "swap":
            return [self._swap("swap stolen ETH for stablecoin", src, have)]
        if step == "park":
            units = self.avail[(src, self.token)]
            if units < 2:
                return []
            parts = self.rng.randint(2, 3)
            cuts = sorted(self.rng.randint(1, units - 1) for _ in range(parts - 1))
            out = []
            for j, (a, b) in enumerate(zip([0, *cuts], [*cuts, units], strict=True)):
                park = self.addr("parking", len(self.thief_addresses) * 10 + j)
                self.thief_addresses.append(park)
                p.parking.append(park)
                out.append(self.token_transfer("park stablecoin", src, park, b - a))
            if self.rng.random() < 0.5:
                p.steps.append("cash-out")
            return out
        if step == "cash-out":
            park = p.parking[0]
            if self.avail[(park, self.token)] == 0:  # the parking move reverted: nothing to cash out
                return []
            return [self.token_transfer("stablecoin to exchange", park, self.rng.choice(self.thief_forwarders),
                                        self.avail[(park, self.token)])]
        raise DrillError(f"unknown drill step {step!r}")

    def _swap(self, purpose: str, src: str, wei: int) -> PlannedTx:
        pool, token = self.pool, self.token

        def read(receipt: dict[str, Any]) -> list[Move]:
            for log in receipt["logs"]:
                if log["address"].lower() == token and len(log["topics"]) == 3:
                    return [Move(1, "erc20", pool, src, token, int(log["data"], 16))]
            raise DrillError(f"swap {receipt['transactionHash']} paid out no stablecoin")

        return self.plan(PlannedTx(purpose, src, pool, wei, POOL.call_data("swapEthForToken", 1),
                                   gas=200_000, moves=[Move(0, "native", src, pool, ETH, wei)],
                                   read_moves=read))

    def sweeps(self) -> list[PlannedTx]:
        """Every exchange sweeps each deposit address holding funds to its hot wallet."""
        out = []
        for name, fws in self.forwarders.items():
            hot, op = self.hot_wallets[name], self.exchange_ops[name]
            for fw in fws:
                if self.avail[(fw, ETH)] > 0:
                    out.append(PlannedTx("sweep ETH to hot wallet", op, fw, 0, FORWARDER.call_data("sweep"),
                                         gas=100_000, read_moves=self._swept(fw, hot, ETH)))
                if self.avail[(fw, self.token)] > 0:
                    out.append(PlannedTx("sweep stablecoin to hot wallet", op, fw, 0,
                                         FORWARDER.call_data("sweepToken", self.token), gas=150_000,
                                         read_moves=self._swept(fw, hot, self.token)))
        return out

    def _swept(self, fw: str, hot: str, asset: str) -> Any:
        topic = FORWARDER.event_topic("Swept")

        def read(receipt: dict[str, Any]) -> list[Move]:
            for log in receipt["logs"]:
                if log["address"].lower() == fw and log["topics"][0] == topic:
                    amount = int(log["data"], 16)
                    kind = "internal" if asset == ETH else "erc20"
                    return [Move(0, kind, fw, hot, asset, amount)] if amount else []
            raise DrillError(f"sweep {receipt['transactionHash']} emitted no Swept event")

        return read

    def background(self, *, sweep_wave: bool) -> list[PlannedTx]:
        """Unrelated traffic: payments, deposits, withdrawals and small swaps by other people."""
        out = []
        kinds = ["eth", "usd", "withdraw", "swap"] if sweep_wave else \
            ["eth", "usd", "deposit_eth", "deposit_usd", "withdraw", "swap"]
        weights = [30, 25, 15, 5] if sweep_wave else [30, 25, 15, 10, 15, 5]
        swapped = False
        for _ in range(self.cfg.background_ops_per_wave):
            kind = self.rng.choices(kinds, weights=weights)[0]
            u, v = self.rng.sample(self.users, 2)
            wei = self.rng.randint(1, 500) * ETHER // 100
            units = self.rng.randint(10, 5_000) * USD
            if kind == "eth" and self.avail[(u, ETH)] >= wei:
                out.append(self.eth_transfer("background payment", u, v, wei))
            elif kind == "usd" and self.avail[(u, self.token)] >= units:
                out.append(self.token_transfer("background stablecoin payment", u, v, units))
            elif kind == "deposit_eth" and self.avail[(u, ETH)] >= wei:
                out.append(self.eth_transfer("customer deposit", u, self.user_forwarders[u], wei, gas=60_000))
            elif kind == "deposit_usd" and self.avail[(u, self.token)] >= units:
                out.append(self.token_transfer("customer stablecoin deposit", u, self.user_forwarders[u], units))
            elif kind == "withdraw":
                name = self.rng.choice(self.cfg.exchanges)
                out.append(self.eth_transfer("exchange withdrawal", self.hot_wallets[name], u, wei))
            elif kind == "swap" and not swapped and self.avail[(u, ETH)] >= wei:
                swapped = True  # at most one background swap a wave, like a quiet pool
                out.append(self._swap("background swap", u, wei))
        return out

    # ---- the run ------------------------------------------------------------------------
    def run(self) -> None:
        """Setup, heist, laundering; then check the chain agrees with the ledger."""
        self.sender.begin()
        try:
            self.first_block = int(self.client.call("eth_blockNumber", []), 16) + 1
            self.setup()
            paths = self.theft_and_split()
            self.launder(paths)
            self.last_block = int(self.client.call("eth_blockNumber", []), 16)
        finally:
            self.sender.end()
        self.verify_against_chain()

    def verify_against_chain(self) -> None:
        """Every tracked address's ETH and stablecoin balance on chain equals the ledger's."""
        keys_ = sorted(k for k in self.balance if k[0] != ZERO)
        calls: list[tuple[str, list[Any]]] = []
        for address, asset in keys_:
            if asset == ETH:
                calls.append(("eth_getBalance", [address, hex(self.last_block)]))
            else:
                calls.append(("eth_call", [{"to": asset, "data": TOKEN.call_data("balanceOf", address)},
                                           hex(self.last_block)]))
        results = self.client.batch(calls)
        for (address, asset), got in zip(keys_, results, strict=True):
            if int(got, 16) != self.balance[(address, asset)]:
                raise DrillError(f"ledger disagrees with chain for {address} {asset}: "
                                 f"ledger {self.balance[(address, asset)]}, chain {int(got, 16)}")


def create_address(deployer: str, nonce: int) -> str:
    """The address of the contract `deployer` creates with `nonce` (CREATE: keccak(rlp([sender, nonce])))."""
    return "0x" + keccak(rlp.encode([bytes.fromhex(deployer[2:]), nonce]))[12:].hex()


def _net_changes(moves: list[Move]) -> dict[tuple[str, str], int]:
    """Net balance change per (address, asset) over a transaction's movements (mints excluded)."""
    net: dict[tuple[str, str], int] = defaultdict(int)
    for m in moves:
        if m.from_address != ZERO:
            net[(m.from_address, m.asset)] -= m.amount
        net[(m.to_address, m.asset)] += m.amount
    return dict(net)
