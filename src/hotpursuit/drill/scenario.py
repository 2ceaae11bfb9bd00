"""What the drill builds: its configuration, the Bybit figures it copies, and the service contracts
(stablecoin, bridge router, deposit forwarder) its issuer, bridge and exchanges deploy."""

from __future__ import annotations

from dataclasses import dataclass

from hotpursuit.drill.devnet.contracts import load_artifact

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
