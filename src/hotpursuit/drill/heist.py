"""The Bybit-shaped heist: setup on real protocol contracts, the Safe takeover, the stETH sold through
the aggregator (once by a solver), split, layering with peel chains, Uniswap swaps, bridging, exchange
deposits that sweep to hot wallets, parked stablecoins, address poisoning and background traffic."""

from __future__ import annotations

from typing import Any

from hotpursuit.drill.background import BackgroundTraffic
from hotpursuit.drill.deployment import DrillSetup, create_address
from hotpursuit.drill.laundering import Laundering, LaunderingPath
from hotpursuit.drill.ledger import ETH, ZERO
from hotpursuit.drill.poisoning_campaign import PoisoningCampaign
from hotpursuit.drill.scenario import (
    ETHER,
    FORWARDER,
    ROUTER,
    SIGNERS,
    STOLEN_STETH,
    STOLEN_WEI,
    TOKEN,
    USD,
    DrillConfig,
)
from hotpursuit.drill.staking_sale import StakingTokenSale
from hotpursuit.drill.takeover import SafeTakeover
from hotpursuit.drill.wave_sender import PlannedTx
from hotpursuit.errors import DrillError

__all__ = ["ETHER", "FORWARDER", "ROUTER", "SIGNERS", "STOLEN_STETH", "STOLEN_WEI", "TOKEN", "USD", "ZERO",
           "DrillConfig", "HeistDrill", "LaunderingPath", "create_address"]


class HeistDrill(DrillSetup, SafeTakeover, StakingTokenSale, Laundering, BackgroundTraffic, PoisoningCampaign):
    """Runs the drill against one node; `run()` returns the ground truth as a JSON-ready dict."""

    # the phases live in their own modules (setup, takeover, stETH sale, laundering, background traffic
    # and sweeps, poisoning); this class runs them in order and checks the chain at the end
    def theft_and_split(self) -> list[LaunderingPath]:
        """Drain the cold wallet to the thief, sell the stETH, then split across fresh addresses."""
        self.take_over_the_safe()
        self.thief_addresses.append(self.thief)
        self.sell_the_staking_token()
        paths = self.split()
        self.poison([self.victim, *(self.addr("split", i) for i in range(self.cfg.lookalikes - 1))])
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
