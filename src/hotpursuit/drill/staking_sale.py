"""The stolen stETH sold through the split aggregator over Uniswap V2 and V3, half of it by a solver."""

from __future__ import annotations

from hotpursuit.drill import protocol_venues as pv
from hotpursuit.drill.booking import DrillBooking
from hotpursuit.drill.scenario import STOLEN_STETH


class StakingTokenSale(DrillBooking):
    """The thief's sale of the staking token, and the unwrap of the WETH it brings."""

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
