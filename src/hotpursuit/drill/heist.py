"""The Bybit-shaped heist: setup on real protocol contracts, the Safe takeover, the stETH sold through
the aggregator (once by a solver), split, layering with peel chains, Uniswap swaps, bridging, exchange
deposits that sweep to hot wallets, parked stablecoins, address poisoning and background traffic."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import rlp
from eth_keys import keys
from eth_utils import keccak

from hotpursuit.devnet.contracts import load_artifact
from hotpursuit.drill import cold_wallet as safe
from hotpursuit.drill import protocol_venues as pv
from hotpursuit.drill.bitcoin_leg import ONWARD_EVERY, memo_address, onward_address
from hotpursuit.drill.haircut_reference import Service
from hotpursuit.drill.ledger import ETH, LedgerEntry, Move
from hotpursuit.drill.poisoning import FAKE_TOKEN, FAKE_TOKENS, lookalike
from hotpursuit.drill.receipt_moves import token_moves, weth_calls
from hotpursuit.drill.wave_sender import PlannedTx, WaveSender
from hotpursuit.errors import DrillError
from hotpursuit.ingest.rpc_client import JsonRpcClient

ZERO = "0x" + "00" * 20
ETHER = 10**18
USD = 10**6  # the stablecoin has 6 decimals, like USDT
STOLEN_WEI = 401_346_770_000_000_000_000_000  # Bybit, 2025-02-21: 401,346.77 ETH
STOLEN_STETH = 90_375_550_000_000_000_000_000  # and 90,375.55 stETH
SIGNERS = 3

TOKEN = load_artifact("BlacklistableStablecoin")
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
    dex_name: str = "Uniswap"
    lookalikes: int = 6


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

    # ---- phases -------------------------------------------------------------------------
    def _name_actors(self) -> None:
        cfg = self.cfg
        self.thief = self.addr("thief")
        self.signers = sorted((self.addr("victim-signer", i) for i in range(SIGNERS)), key=lambda a: int(a, 16))
        self.treasury = self.addr("victim-treasury")
        self.issuer, self.lp = self.addr("issuer"), self.addr("liquidity-provider")
        self.bridge_op, self.vault = self.addr("bridge-operator"), self.addr("bridge-vault")
        self.dex_op, self.staking_op = self.addr("dex-deployer"), self.addr("staking-operator")
        self.agg_op, self.safe_op = self.addr("aggregator-operator"), self.addr("safe-deployer")
        self.solver, self.poisoner = self.addr("solver"), self.addr("poisoner")
        self.users = [self.addr("user", i) for i in range(cfg.background_users)]
        self.exchange_ops = {name: self.addr("exchange-operator", i) for i, name in enumerate(cfg.exchanges)}
        self.hot_wallets = {name: self.addr("exchange-hot-wallet", i) for i, name in enumerate(cfg.exchanges)}

    def roster(self) -> dict[str, Any]:
        """Who will be who, before anything is sent: the victim's Safe, the exchanges (hot wallets and
        deposit addresses), the issuer and its token, the venues and the bridge. Contract addresses
        follow from each deployer's current nonce (CREATE) and from the factories' CREATE2 rules, so the
        defenders (organisations, controls, the incident) can be set up before a live drill starts;
        `setup()` checks them."""
        self._name_actors()
        deployers = sorted({self.issuer, self.bridge_op, self.dex_op, self.staking_op, self.agg_op, self.safe_op,
                            *self.exchange_ops.values()})
        counts = self.client.batch([("eth_getTransactionCount", [a, "pending"]) for a in deployers])
        nonce = {a: int(c, 16) for a, c in zip(deployers, counts, strict=True)}
        n = self.cfg.forwarders_per_exchange
        forwarders = {name: [create_address(op, nonce[op] + j) for j in range(n)]
                      for name, op in self.exchange_ops.items()}
        token = create_address(self.issuer, nonce[self.issuer])
        dex = [create_address(self.dex_op, nonce[self.dex_op] + j) for j in range(len(pv.NAMES))]
        self.venues = pv.Venues(**dict(zip(pv.NAMES, dex, strict=True)),
                                staking_token=create_address(self.staking_op, nonce[self.staking_op]),
                                aggregator=create_address(self.agg_op, nonce[self.agg_op]), stablecoin=token)
        singleton = create_address(self.safe_op, nonce[self.safe_op])
        factory = create_address(self.safe_op, nonce[self.safe_op] + 1)
        self.victim = safe.safe_address(factory, singleton, self.signers)
        return {
            "seed": self.cfg.seed, "victim": self.victim, "victim_signers": self.signers,
            "issuer": {"name": self.cfg.issuer_name, "address": self.issuer, "token": token,
                       "symbol": "HUSD", "decimals": 6},
            "exchanges": {name: {"hot_wallet": self.hot_wallets[name], "operator": self.exchange_ops[name],
                                 "deposit_addresses": forwarders[name]} for name in self.cfg.exchanges},
            "contracts": {"stablecoin": token, "dex_pool": self.venues.v2_stable_pair,
                          "bridge_router": create_address(self.bridge_op, nonce[self.bridge_op]),
                          "bridge_vault": self.vault, **self.venues.contracts(),
                          "safe_singleton": singleton, "safe_proxy_factory": factory, "victim_safe": self.victim},
            "venues": self.venues.kinds(),
            # the Bitcoin leg's onward moves land at deposit addresses of the second exchange
            "bitcoin": {"exchange": self.cfg.exchanges[1],
                        "deposit_addresses": [onward_address(self.cfg.seed, i)
                                              for i in range(0, 4 * self.cfg.split_count, ONWARD_EVERY)]},
        }

    def setup(self) -> None:
        """Fund the actors; deploy the token, bridge router, deposit forwarders, the real WETH9, Uniswap
        V2/V3 and Safe contracts, the staking token and the aggregator; the victim's Safe; liquidity."""
        cfg = self.cfg
        expected = self.roster()
        v = self.venues
        self.fund(self.lp, 1_200_000 * ETHER)
        self.fund(self.treasury, STOLEN_STETH + ETHER)
        for u in self.users:
            self.fund(u, 2_000 * ETHER)
        for name, hot in self.hot_wallets.items():
            self.fund(hot, 50_000 * ETHER)
            self.services[hot] = Service("exchange_hot_wallet", name)
        self.services[self.vault] = Service("bridge_vault", cfg.bridge_name)

        deploys = [self.deploy("deploy stablecoin", self.issuer, TOKEN.deploy_data("Haneul USD", "HUSD", 6)),
                   self.deploy("deploy bridge router", self.bridge_op, ROUTER.deploy_data())]
        fw_plan = [(name, j) for name in cfg.exchanges for j in range(cfg.forwarders_per_exchange)]
        for name, _ in fw_plan:
            deploys.append(self.deploy(f"deploy deposit forwarder of {name}", self.exchange_ops[name],
                                       FORWARDER.deploy_data(self.hot_wallets[name])))
        venues = [self.deploy(f"deploy {name}", self.dex_op,
                              pv.dex_deploy_data(j, self.dex_op, v.weth, v.uniswap_v2_factory, v.uniswap_v3_factory))
                  for j, name in enumerate(pv.NAMES)]
        venues += [self.deploy("deploy staking token", self.staking_op, pv.STAKING.deploy_data()),
                   self.deploy("deploy aggregator", self.agg_op, pv.AGGREGATOR.deploy_data()),
                   self.deploy("deploy Safe singleton", self.safe_op, safe.SAFE.deploy_data()),
                   self.deploy("deploy Safe proxy factory", self.safe_op, safe.PROXY_FACTORY.deploy_data())]
        self.wave(deploys + venues)
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
        deployed = [t.receipt["contractAddress"].lower() for t in venues]
        singleton, factory = deployed[-2], deployed[-1]
        self.safe_factory = factory
        pool, steth, weth = v.v3_staking_pool, v.staking_token, v.weth
        big = 2**256 - 1
        self.wave([
            self.call("create Safe (victim cold wallet)", self.safe_op, factory,
                      safe.create_safe_data(singleton, self.signers)),
            self.call("create V3 stETH/WETH pool", self.dex_op, v.uniswap_v3_factory,
                      pv.V3_FACTORY.call_data("createPool", steth, weth, pv.V3_FEE), gas=8_000_000),
            self._mint(self.lp, 600_000_000 * USD), *[self._mint(u, 1_000_000 * USD) for u in self.users],
            self.call("stake ETH", self.lp, steth, pv.STAKING.call_data("submit"), 400_000 * ETHER),
            self.call("stake ETH", self.treasury, steth, pv.STAKING.call_data("submit"), STOLEN_STETH),
            self.call("wrap ETH", self.lp, weth, pv.WETH9.call_data("deposit"), 200_000 * ETHER)])
        got = {"stablecoin": self.token, "dex_pool": v.v2_stable_pair, "bridge_router": self.router,
               "bridge_vault": self.vault, **v.contracts(), "safe_singleton": singleton,
               "safe_proxy_factory": factory, "victim_safe": self.victim}
        code = self.client.call("eth_getCode", [self.victim, "latest"])
        named = dict(zip(pv.NAMES, deployed, strict=False))
        if named != {k: got[k] for k in pv.NAMES} or got != expected["contracts"] or len(str(code)) <= 2 \
                or any(self.forwarders[n] != e["deposit_addresses"] for n, e in expected["exchanges"].items()):
            raise DrillError("deployed contract addresses differ from the roster's prediction "
                             f"({got} vs {expected['contracts']})")
        self.wave([
            self.call("initialize V3 pool at par", self.dex_op, pool, pv.V3_POOL.call_data("initialize", pv.Q96)),
            self.call("approve router", self.lp, self.token, TOKEN.call_data("approve", v.uniswap_v2_router, big)),
            self.call("approve router", self.lp, steth, pv.STAKING.call_data("approve", v.uniswap_v2_router, big)),
            self.call("approve minter", self.lp, steth, pv.STAKING.call_data("approve", v.v3_position_minter, big)),
            self.call("approve minter", self.lp, weth, pv.WETH9.call_data("approve", v.v3_position_minter, big)),
            self.call("stETH into the cold wallet", self.treasury, steth,
                      pv.STAKING.call_data("transfer", self.victim, STOLEN_STETH),
                      spends={(self.treasury, steth): STOLEN_STETH})])
        self.fund(self.victim, STOLEN_WEI)
        eth_in, usd_in, st_in = 200_000 * ETHER, 500_000_000 * USD, 150_000 * ETHER
        router = v.uniswap_v2_router
        self.wave([
            self.call("add liquidity HUSD/WETH (Router02)", self.lp, router, pv.V2_ROUTER.call_data(
                "addLiquidityETH", self.token, usd_in, usd_in, eth_in, self.lp, pv.DEADLINE), eth_in, 6_000_000,
                spends={(self.lp, self.token): usd_in}),
            self.call("add liquidity stETH/WETH (Router02)", self.lp, router, pv.V2_ROUTER.call_data(
                "addLiquidityETH", steth, st_in, st_in, st_in, self.lp, pv.DEADLINE), st_in, 6_000_000,
                spends={(self.lp, steth): st_in}),
            self.call("mint V3 stETH/WETH position", self.lp, v.v3_position_minter, pv.V3_MINTER.call_data(
                "mint", pool, *pv.V3_TICKS, 5 * 10**23), gas=3_000_000)])
        for t, label in ((v.v2_stable_pair, "v2_pair"), (v.v2_staking_pair, "v2_pair"), (pool, "v3_pool")):
            if len(str(self.client.call("eth_getCode", [t, "latest"]))) <= 2:
                raise DrillError(f"{label} {t} was not created where Router02/SwapRouter expect it")

    def _mint(self, to: str, units: int) -> PlannedTx:
        return PlannedTx("issue stablecoin", self.issuer, self.token, 0, TOKEN.call_data("issue", to, units),
                         gas=150_000, moves=[Move(0, "erc20", ZERO, to, self.token, units)])

    def take_over_the_safe(self) -> None:
        """Bybit, 2025-02-21: the signers sign what they think is a routine transaction; it DELEGATECALLs
        the thief's trojan, which writes the thief's backdoor into the Safe's singleton slot; the
        thief then sweeps the ETH and the stETH out in one call (the theft transaction)."""
        trojan = self.deploy("deploy trojan", self.thief, safe.TROJAN.deploy_data(), gas=1_000_000)
        backdoor = self.deploy("deploy backdoor singleton", self.thief, safe.BACKDOOR.deploy_data(self.thief),
                               gas=1_000_000)
        self.wave([trojan, backdoor])
        t_addr, b_addr = (t.receipt["contractAddress"].lower() for t in (trojan, backdoor))
        before = safe.singleton_of(self.client, self.victim)
        signed = safe.malicious_exec_data(self.client, self.victim, t_addr, b_addr,
                                          {s: self._secrets[s] for s in self.signers})
        exec_tx = self.call("Safe execTransaction (DELEGATECALL to the trojan)", self.signers[0], self.victim, signed)
        self.wave([exec_tx])
        after = safe.singleton_of(self.client, self.victim)
        if after != b_addr:
            raise DrillError(f"the Safe's singleton is {after}, not the backdoor {b_addr}, after the takeover")
        steth = self.venues.staking_token
        eth = self.avail[(self.victim, ETH)]
        theft = self.call("theft: cold wallet drained", self.thief, self.victim,
                          safe.BACKDOOR.call_data("sweep", self.thief, [steth]), gas=500_000,
                          spends={(self.victim, ETH): eth, (self.victim, steth): STOLEN_STETH},
                          eth_out=[Move(0, "internal", self.victim, self.thief, ETH, eth)])
        self.wave([theft])
        self.theft_tx = theft.tx_hash
        self.takeover = {"trojan": t_addr, "backdoor": b_addr, "singleton_before": before, "singleton_after": after,
                         "exec_tx": exec_tx.tx_hash, "sweep_tx": theft.tx_hash, "operation": "DELEGATECALL"}

    def sell_the_staking_token(self) -> None:
        """The thief sells the stETH through the aggregator (split V2/V3): half himself, half through a
        solver it authorised (the solver sends, proceeds go to the thief); then unwraps the WETH."""
        v, steth, thief = self.venues, self.venues.staking_token, self.thief
        half = STOLEN_STETH // 2
        self.wave([self.call("approve aggregator", thief, steth,
                             pv.STAKING.call_data("approve", v.aggregator, 2**256 - 1)),
                   self.call("name a solver", thief, v.aggregator,
                             pv.AGGREGATOR.call_data("setSolver", self.solver))])
        own = self.call("sell stETH through the aggregator", thief, v.aggregator, pv.AGGREGATOR.call_data(
            "swapSplit", v.v2_staking_pair, v.v3_staking_pool, steth, half, 6_000, 1), spends={(thief, steth): half})
        rest = STOLEN_STETH - half
        solved = self.call("solver sells stETH for the thief", self.solver, v.aggregator, pv.AGGREGATOR.call_data(
            "swapSplitFor", thief, v.v2_staking_pair, v.v3_staking_pool, steth, rest, 4_000, 1),
            spends={(thief, steth): rest})
        self.wave([own])
        self.wave([solved])
        self.swap_txs["aggregator"] += [own.tx_hash, solved.tx_hash]
        self.swap_txs["solver"].append(solved.tx_hash)
        wad = self.avail[(thief, v.weth)]
        self.wave([self.call("unwrap WETH", thief, v.weth, pv.WETH9.call_data("withdraw", wad),
                             spends={(thief, v.weth): wad})])

    def theft_and_split(self) -> list[LaunderingPath]:
        """Drain the cold wallet to the thief, sell the stETH, then split across fresh addresses."""
        self.take_over_the_safe()
        self.thief_addresses.append(self.thief)
        self.sell_the_staking_token()
        n = self.cfg.split_count
        big = min(40, n)
        amounts = [10_000 * ETHER] * big
        rest = self.avail[(self.thief, ETH)] - sum(amounts)
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
        self.poison([self.victim, *(self.addr("split", i) for i in range(self.cfg.lookalikes - 1))])
        return paths

    def poison(self, counterparties: list[str]) -> None:
        """The poisoning campaign: fake tokens sprayed from and to look-alikes of the thief's real
        counterparties, and zero-value transferFroms of real tokens naming the thief."""
        specs = list(FAKE_TOKENS)
        deploys = [self.deploy(f"deploy fake token {s.symbol}", self.poisoner,
                               FAKE_TOKEN.deploy_data(s.name, s.symbol, s.decimals), gas=2_000_000) for s in specs]
        self.wave(deploys)
        fakes = [t.receipt["contractAddress"].lower() for t in deploys]
        for s, a in zip(specs, fakes, strict=True):
            self.fake_tokens[a] = {"symbol": s.symbol, "name": s.name, "decimals": str(s.decimals),
                                   "impersonates": s.impersonates, "reason": s.reason}
        txs = []
        taken = set(self.lookalikes)
        for real in counterparties:
            fake = lookalike(self.rng, real, taken)
            taken.add(fake)
            self.lookalikes[fake] = real
            amount = self.rng.randint(1, 10_000) * ETHER
            txs += [self.call("poisoning: fake ETH from a look-alike", self.poisoner, fakes[0],
                              FAKE_TOKEN.call_data("spray", fake, [self.thief], amount), gas=200_000),
                    self.call("poisoning: fake USDT from the thief to a look-alike", self.poisoner, fakes[1],
                              FAKE_TOKEN.call_data("spray", self.thief, [fake], amount // 10**12), gas=200_000),
                    self.call("poisoning: fake stETH to a look-alike", self.poisoner, fakes[2],
                              FAKE_TOKEN.call_data("spray", self.thief, [fake], amount), gas=200_000),
                    self.call("poisoning: zero-value transferFrom of WETH", self.poisoner, self.venues.weth,
                              pv.WETH9.call_data("transferFrom", self.thief, fake, 0), gas=200_000),
                    self.call("poisoning: zero-value transferFrom of HUSD", self.poisoner, self.token,
                              TOKEN.call_data("transferFrom", self.thief, fake, 0), gas=200_000)]
        self.wave(txs)
        self.poisoning_txs += [t.tx_hash for t in txs]

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
                if self.rng.random() < 0.5:
                    out.append(self._swap("background swap", u, wei))
                else:
                    out.append(self._swap_v3("background swap (V3)", u, wei))
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
        # fake tokens are left out: their Transfer events come from addresses that never held them
        keys_ = sorted(k for k in self.balance if k[0] != ZERO and k[1] not in self.fake_tokens)
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
