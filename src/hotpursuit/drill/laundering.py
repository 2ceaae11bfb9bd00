"""The split and layering: the stolen ETH split across fresh addresses, each walking its route of hops,
peels, swaps, parking, bridge deposits and exchange deposits, one step per wave."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hotpursuit.drill.booking import DrillBooking
from hotpursuit.drill.ledger import ETH, ZERO, Move
from hotpursuit.drill.scenario import ETHER, ROUTER
from hotpursuit.drill.wave_sender import PlannedTx
from hotpursuit.errors import DrillError


@dataclass
class LaunderingPath:
    """One split address's route: the addresses it walks and the steps still to do."""

    route: str
    steps: list[str]
    holder: str
    parking: list[str] = field(default_factory=list)


class Laundering(DrillBooking):
    """The thief's side after the theft: the split, then each path's next step."""

    def split(self) -> list[LaunderingPath]:
        """Split the thief's ETH across fresh addresses, each given its route to walk."""
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
        return paths

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
