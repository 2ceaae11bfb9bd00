"""The poisoning campaign sent around the heist: fake tokens deployed and sprayed between the thief and
look-alikes of its counterparties, and zero-value transferFroms of real tokens naming the thief."""

from __future__ import annotations

from hotpursuit.drill import protocol_venues as pv
from hotpursuit.drill.booking import DrillBooking
from hotpursuit.drill.poisoning import FAKE_TOKEN, FAKE_TOKENS, lookalike
from hotpursuit.drill.scenario import ETHER, TOKEN


class PoisoningCampaign(DrillBooking):
    """The poisoner's transactions."""

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
