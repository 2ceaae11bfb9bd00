"""Setup: the actors named, the contracts' addresses predicted (the roster), the actors funded, the
real protocol contracts and the victim's Safe deployed where predicted, and liquidity added."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import rlp
from eth_utils import keccak

from hotpursuit.drill import cold_wallet as safe
from hotpursuit.drill import protocol_venues as pv
from hotpursuit.drill.bitcoin_leg import ONWARD_EVERY, onward_address
from hotpursuit.drill.booking import DrillBooking
from hotpursuit.drill.haircut_reference import Service
from hotpursuit.drill.ledger import ZERO, Move
from hotpursuit.drill.scenario import ETHER, FORWARDER, ROUTER, SIGNERS, STOLEN_STETH, STOLEN_WEI, TOKEN, USD
from hotpursuit.drill.wave_sender import PlannedTx
from hotpursuit.errors import DrillError


class DrillSetup(DrillBooking):
    """Names, funds and deploys everything the heist needs before the theft."""

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
        self.forwarders = defaultdict(list)
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


def create_address(deployer: str, nonce: int) -> str:
    """The address of the contract `deployer` creates with `nonce` (CREATE: keccak(rlp([sender, nonce])))."""
    return "0x" + keccak(rlp.encode([bytes.fromhex(deployer[2:]), nonce]))[12:].hex()
