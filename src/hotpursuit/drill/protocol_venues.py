"""The drill's real DeFi venues: WETH9, Uniswap V2 and V3 (npm builds), the staking token and the
split aggregator; their addresses predicted before deployment, and the calls that use them."""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak

from hotpursuit.drill.devnet.contracts import create2_address, load_artifact

WETH9 = load_artifact("WETH9")
V2_FACTORY = load_artifact("UniswapV2Factory")
V2_PAIR = load_artifact("UniswapV2Pair")
V2_ROUTER = load_artifact("UniswapV2Router02")
V3_FACTORY = load_artifact("UniswapV3Factory")
V3_POOL = load_artifact("UniswapV3Pool")
V3_ROUTER = load_artifact("SwapRouter")
V3_MINTER = load_artifact("V3PositionMinter")
STAKING = load_artifact("StakedEther")
AGGREGATOR = load_artifact("SplitRouter")

V3_FEE = 3000  # 0.3%, tick spacing 60
V3_TICKS = (-6000, 6000)  # the LP's range around price 1
Q96 = 2**96  # sqrtPriceX96 of price 1 (stETH:WETH at par)
DEADLINE = 2**64
NAMES = ("weth", "uniswap_v2_factory", "uniswap_v2_router", "uniswap_v3_factory", "uniswap_v3_router",
         "v3_position_minter")
DEX_ARTIFACTS = (WETH9, V2_FACTORY, V2_ROUTER, V3_FACTORY, V3_ROUTER, V3_MINTER)


@dataclass(frozen=True)
class Venues:
    """Where the venues are (all lowercase hex)."""

    weth: str
    uniswap_v2_factory: str
    uniswap_v2_router: str
    uniswap_v3_factory: str
    uniswap_v3_router: str
    v3_position_minter: str
    staking_token: str
    aggregator: str
    stablecoin: str

    @property
    def v2_stable_pair(self) -> str:
        """The Uniswap V2 stablecoin/WETH pair (the drill's `dex_pool`)."""
        return v2_pair_address(self.uniswap_v2_factory, self.stablecoin, self.weth)

    @property
    def v2_staking_pair(self) -> str:
        """The Uniswap V2 stETH/WETH pair."""
        return v2_pair_address(self.uniswap_v2_factory, self.staking_token, self.weth)

    @property
    def v3_staking_pool(self) -> str:
        """The Uniswap V3 stETH/WETH 0.3% pool."""
        return v3_pool_address(self.uniswap_v3_factory, self.staking_token, self.weth, V3_FEE)

    def contracts(self) -> dict[str, str]:
        """Name -> address, for the ground truth's `contracts`."""
        return {"weth": self.weth, "uniswap_v2_factory": self.uniswap_v2_factory,
                "uniswap_v2_router": self.uniswap_v2_router, "uniswap_v2_stable_pair": self.v2_stable_pair,
                "uniswap_v2_staking_pair": self.v2_staking_pair, "uniswap_v3_factory": self.uniswap_v3_factory,
                "uniswap_v3_router": self.uniswap_v3_router, "uniswap_v3_staking_pool": self.v3_staking_pool,
                "v3_position_minter": self.v3_position_minter, "staking_token": self.staking_token,
                "aggregator": self.aggregator}

    def kinds(self) -> dict[str, str]:
        """Venue address -> kind (dex, aggregator, weth, staking): pass-through for a trace."""
        return {self.weth: "weth", self.uniswap_v2_router: "dex", self.v2_stable_pair: "dex",
                self.v2_staking_pair: "dex", self.uniswap_v3_router: "dex", self.v3_staking_pool: "dex",
                self.staking_token: "staking", self.aggregator: "aggregator"}


def _sorted_tokens(a: str, b: str) -> tuple[str, str]:
    return (a, b) if int(a, 16) < int(b, 16) else (b, a)


def v2_pair_address(factory: str, a: str, b: str) -> str:
    """UniswapV2Factory.createPair's CREATE2 address (what Router02's pairFor computes)."""
    t0, t1 = _sorted_tokens(a, b)
    salt = keccak(bytes.fromhex(t0[2:]) + bytes.fromhex(t1[2:]))
    return create2_address(factory, salt, bytes.fromhex(V2_PAIR.bytecode[2:]))


def v3_pool_address(factory: str, a: str, b: str, fee: int) -> str:
    """UniswapV3Factory.createPool's CREATE2 address (what SwapRouter's PoolAddress computes)."""
    t0, t1 = _sorted_tokens(a, b)
    salt = keccak(encode(["address", "address", "uint24"], [t0, t1, fee]))
    return create2_address(factory, salt, bytes.fromhex(V3_POOL.bytecode[2:]))


def dex_deploy_data(position: int, dex_op: str, weth: str, v2_factory: str, v3_factory: str) -> str:
    """Creation data of the dex deployer's `position`-th contract (order of NAMES)."""
    art = DEX_ARTIFACTS[position]
    if art is V2_FACTORY:
        return art.deploy_data(dex_op)
    if art is V2_ROUTER:
        return art.deploy_data(v2_factory, weth)
    if art is V3_ROUTER:
        return art.deploy_data(v3_factory, weth)
    return art.deploy_data()
