"""What the drill builds: its configuration, the Bybit figures it copies, and the service contracts
(stablecoin, bridge router, deposit forwarder) its issuer, bridge and exchanges deploy."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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


class Scenario(StrEnum):
    """Which drill `hotpursuit drill --scenario` runs."""

    heist = "heist"
    scam_ring = "scam-ring"


@dataclass(frozen=True)
class ScamRingConfig:
    """What the scam-ring drill builds: a counterfeit exchange taking victims' money over several days,
    its sweeps to one collector and cash-out at two real exchanges, a decoy scam beside it, and the
    victims' complaints. The seed decides every address, amount, day and typo."""

    seed: int = 7
    victims: int = 48
    reported: int = 30
    paying_twice: int = 5
    deposit_addresses: int = 16
    consolidators: int = 3
    days: int = 7
    decoy_victims: int = 9
    decoy_addresses: int = 3
    background_users: int = 16
    background_ops_per_wave: int = 10
    min_transfers: int = 600
    start: int | None = None  # unix time of the first scam day's 00:00 KST; None: the next one after the head
    imitates: str = "Hanbit Exchange"  # the drill's real exchange the counterfeit one passes for
    domain: str = "hanbit-pro.exchange"
    app: str = "Hanbit Pro"
    app_ko: str = "한빛 프로"
    phones: tuple[str, ...] = ("+82 2-3478-1190", "+82 70-4812-3356")
    cash_out_exchanges: tuple[str, str] = ("Hanbit Exchange", "Nordvik Exchange")
    decoy_exchange: str = "Lumen Exchange"
    krw_per_eth: int = 4_650_000  # what victims who remember won think a coin cost
    krw_per_husd: int = 1_450

    def drill_config(self) -> DrillConfig:
        """The world the ring works in: the heist drill's setup with a smaller crowd of customers."""
        return DrillConfig(seed=self.seed, background_users=self.background_users,
                           background_ops_per_wave=self.background_ops_per_wave, min_transfers=self.min_transfers)
