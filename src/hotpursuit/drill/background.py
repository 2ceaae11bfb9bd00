"""The world around the heist: other people's payments, exchange deposits and withdrawals and small
swaps, and the exchanges sweeping their deposit addresses to their hot wallets."""

from __future__ import annotations

from typing import Any

from hotpursuit.drill.booking import DrillBooking
from hotpursuit.drill.ledger import ETH, Move
from hotpursuit.drill.scenario import ETHER, FORWARDER, USD
from hotpursuit.drill.wave_sender import PlannedTx
from hotpursuit.errors import DrillError


class BackgroundTraffic(DrillBooking):
    """Traffic that is not the thief's: customers, and the exchanges' sweeps."""

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
