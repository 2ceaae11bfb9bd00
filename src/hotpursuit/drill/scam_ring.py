"""The scam-ring drill: a counterfeit exchange (a look-alike of the drill's Hanbit Exchange) hands out
deposit addresses; victims pay them in ETH and the stablecoin over several days; the ring sweeps them
every evening to consolidators and on to one collector, which swaps part through Uniswap V2 and cashes
out at two real exchanges, partly through an intermediate; a decoy scam and other people's traffic run
beside it. Block times are set day by day (Korean time), so the payments span days."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotpursuit.drill.background import BackgroundTraffic
from hotpursuit.drill.deployment import DrillSetup
from hotpursuit.drill.ledger import ETH, ZERO
from hotpursuit.drill.scenario import ETHER, TOKEN, USD, ScamRingConfig
from hotpursuit.drill.victim_complaints import Complaint, Counterfeit, Payment, write_complaints
from hotpursuit.drill.wave_sender import PlannedTx
from hotpursuit.errors import DrillError
from hotpursuit.ingest.rpc_client import JsonRpcClient

HOUR, DAY, KST_OFFSET = 3_600, 86_400, 9 * 3_600
MORNING, EVENING = 8 * HOUR + 600, 22 * HOUR + 2_400  # consolidation; sweeping the deposit addresses
SLOTS = (10 * HOUR, 12 * HOUR + 1_800, 15 * HOUR, 17 * HOUR + 1_800, 20 * HOUR)  # payment waves after 00:00 KST
SWAP_SLOT, CASH_OUT_SLOT, FORWARD_SLOT, DECOY_SLOT = 1, 2, 3, 4


@dataclass
class ScheduledPayment:
    """A payment a victim will make: when (day, slot), from whom to which address, what and how much."""

    day: int
    slot: int
    victim: int
    sender: str
    paid_to: str
    asset: str
    amount: int
    decoy: bool = False
    tx: PlannedTx | None = None


class ScamRingDrill(DrillSetup, BackgroundTraffic):
    """Runs the scam ring against one node: `run()`, then `payments()` and `complaints()`."""

    def __init__(self, client: JsonRpcClient, ring: ScamRingConfig) -> None:
        super().__init__(client, ring.drill_config())
        if ring.days < 4 or not 0 < ring.reported <= ring.victims or ring.paying_twice > ring.victims \
                or ring.deposit_addresses > ring.victims or ring.decoy_addresses > ring.decoy_victims:
            raise DrillError(f"scam ring: inconsistent configuration {ring}")
        if not {*ring.cash_out_exchanges, ring.decoy_exchange} <= set(self.cfg.exchanges):
            raise DrillError(f"scam ring: the cash-out exchanges must be among the drill's {self.cfg.exchanges}")
        self.ring = ring
        self.first_block = self.last_block = self.scam_first_block = self.start = 0
        self.deposits = [self.addr("scam-deposit", i) for i in range(ring.deposit_addresses)]
        self.consolidators = [self.addr("scam-consolidator", i) for i in range(ring.consolidators)]
        self.collector = self.addr("scam-collector")
        self.intermediate = self.addr("scam-cash-out")
        self.scam_victims = [self.addr("scam-victim", i) for i in range(ring.victims)]
        self.decoy_deposits = [self.addr("decoy-scam-deposit", i) for i in range(ring.decoy_addresses)]
        self.decoy_collector = self.addr("decoy-scam-collector")
        self.decoy_victims = [self.addr("decoy-scam-victim", i) for i in range(ring.decoy_victims)]
        self.accounts: dict[str, list[str]] = {}  # exchange -> the ring's deposit addresses there
        self.decoy_account = ""
        self.ring_swaps: list[PlannedTx] = []
        self.block_times: dict[int, int] = {}
        self._plan: list[ScheduledPayment] = []
        self._decoy_plan: list[ScheduledPayment] = []

    @property
    def ring_addresses(self) -> list[str]:
        """Every address the ring controls (not its accounts at exchanges, which the exchanges hold)."""
        return [*self.deposits, *self.consolidators, self.collector, self.intermediate]

    def counterfeit(self) -> Counterfeit:
        """The counterfeit exchange as its victims saw it."""
        r = self.ring
        return Counterfeit(r.domain, r.app, r.app_ko, r.phones, {"ETH": r.krw_per_eth, "HUSD": r.krw_per_husd})

    # ---- the run ------------------------------------------------------------------------------
    def run(self) -> None:
        """Setup, the scam days, the cash-out; then check the chain agrees with the ledger."""
        r = self.ring
        self.sender.begin()
        try:
            self.first_block = int(self.client.call("eth_blockNumber", []), 16) + 1
            self.setup()
            self.accounts = {name: self.forwarders[name][:2] for name in r.cash_out_exchanges}
            self.decoy_account = self.forwarders[r.decoy_exchange][0]
            self._schedule()
            self._open_the_clock()
            self.scam_first_block = int(self.client.call("eth_blockNumber", []), 16) + 1
            self._fund_victims()
            for day in range(r.days):
                self._day(day)
            self._finish()
            self.last_block = int(self.client.call("eth_blockNumber", []), 16)
        finally:
            self.client.call("anvil_removeBlockTimestampInterval", [])
            self.sender.end()
        self.verify_against_chain()
        blocks = range(self.first_block, self.last_block + 1)
        found = self.client.batch([("eth_getBlockByNumber", [hex(b), False]) for b in blocks])
        self.block_times = {b: int(f["timestamp"], 16) for b, f in zip(blocks, found, strict=True)}

    def payments(self) -> list[Payment]:
        """The victims' payments to the counterfeit exchange, as mined (after `run()`)."""
        return self._mined(self._plan)

    def decoy_payments(self) -> list[Payment]:
        """The decoy scam's victims' payments, as mined."""
        return self._mined(self._decoy_plan)

    def complaints(self) -> list[Complaint]:
        """The reported victims' complaints (deterministic from the seed and the mined payments)."""
        return write_complaints(self.payments(), self.ring.reported, self.counterfeit(), self.ring.seed)

    def verify_against_chain(self) -> None:
        """Every tracked address's ETH and stablecoin balance on chain equals the ledger's (as the heist's)."""
        keys_ = sorted(k for k in self.balance if k[0] != ZERO)
        calls: list[tuple[str, list[Any]]] = [
            ("eth_getBalance", [a, hex(self.last_block)]) if asset == ETH else
            ("eth_call", [{"to": asset, "data": TOKEN.call_data("balanceOf", a)}, hex(self.last_block)])
            for a, asset in keys_]
        for (address, asset), got in zip(keys_, self.client.batch(calls), strict=True):
            if int(got, 16) != self.balance[(address, asset)]:
                raise DrillError(f"ledger disagrees with chain for {address} {asset}: "
                                 f"ledger {self.balance[(address, asset)]}, chain {int(got, 16)}")

    # ---- the plan -----------------------------------------------------------------------------
    def _schedule(self) -> None:
        r, rng = self.ring, self.rng
        pay_days = r.days - 1  # the last day the ring only cashes out
        handed = [*self.deposits, *(rng.choice(self.deposits) for _ in range(r.victims - len(self.deposits)))]
        rng.shuffle(handed)  # each address handed out at least once, several shared
        twice = set(rng.sample(range(r.victims), r.paying_twice))
        for i, victim in enumerate(self.scam_victims):
            asset = self.token if rng.random() < 0.3 else ETH
            day = rng.randrange(pay_days - 2 if i in twice else pay_days)
            first = ScheduledPayment(day, rng.randrange(len(SLOTS)), i, victim, handed[i], asset, self._amount(asset))
            self._plan.append(first)
            if i in twice:  # a 'withdrawal fee' or 'tax' a day or two later, sometimes to another address
                to = handed[i] if rng.random() < 0.7 else rng.choice(self.deposits)
                self._plan.append(ScheduledPayment(day + rng.randint(1, 2), rng.randrange(len(SLOTS)), i, victim, to,
                                                   asset, first.amount * rng.randint(10, 50) // 100))
        decoy_to = [*self.decoy_deposits, *(rng.choice(self.decoy_deposits)
                                            for _ in range(r.decoy_victims - r.decoy_addresses))]
        for i, victim in enumerate(self.decoy_victims):
            self._decoy_plan.append(ScheduledPayment(rng.randrange(pay_days), rng.randrange(len(SLOTS)), i, victim,
                                                     decoy_to[i], ETH, rng.randint(20, 800) * ETHER // 100, True))

    def _amount(self, asset: str) -> int:
        """What one victim pays: 0.5-40 ETH or 1,000-60,000 HUSD, mostly small, round or not."""
        rng = self.rng
        if asset == ETH:
            lo, hi = rng.choices([(5, 20), (20, 80), (80, 200), (200, 399)], weights=[45, 35, 15, 5])[0]
            odd = rng.randint(1, 99) * ETHER // 1_000 if rng.random() < 0.4 else 0
            return rng.randint(lo, hi) * ETHER // 10 + odd
        lo, hi = rng.choices([(1_000, 4_999), (5_000, 19_999), (20_000, 59_999)], weights=[55, 35, 10])[0]
        units = rng.randint(lo, hi) * USD
        return units // (100 * USD) * 100 * USD if rng.random() < 0.5 else units + rng.randint(0, 99) * USD // 100

    def _open_the_clock(self) -> None:
        """Day 0 starts at the next Korean midnight (or the configured start); extra blocks 12 s apart."""
        head = int(self.client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
        start = self.ring.start
        if start is None:
            start = ((head + KST_OFFSET) // DAY + 1) * DAY - KST_OFFSET
        if start <= head:
            raise DrillError(f"scam ring: start {start} is not after the chain's head (block time {head})")
        self.start = start
        self.client.call("anvil_setBlockTimestampInterval", [12])

    def _wave_at(self, when: int, txs: list[PlannedTx]) -> None:
        if txs:
            self.client.call("anvil_setNextBlockTimestamp", [when])
            self.wave(txs)

    def _fund_victims(self) -> None:
        """Victims hold what they will pay (and a little ETH): ETH set, the stablecoin bought from the issuer."""
        mints = []
        for victim in [*self.scam_victims, *self.decoy_victims]:
            plan = [p for p in [*self._plan, *self._decoy_plan] if p.sender == victim]
            self.fund(victim, sum(p.amount for p in plan if p.asset == ETH) + 5 * ETHER // 100)
            units = sum(p.amount for p in plan if p.asset != ETH)
            if units:
                mints.append(self._mint(victim, units))
        self._wave_at(self.start + 7 * HOUR, mints)

    # ---- one day -------------------------------------------------------------------------------
    def _day(self, day: int) -> None:
        r = self.ring
        base, last = self.start + day * DAY, day == r.days - 1
        if day % 2 == 1 or last:
            self._wave_at(base + MORNING, [*(tx for c in self.consolidators for tx in
                                             self._drain("consolidation to the collector", c, self.collector)),
                                           *self.background(sweep_wave=False)])
        for slot, offset in enumerate(SLOTS):
            at = base + offset + self.rng.randint(-20, 20) * 60
            txs = [self._pay(p) for p in [*self._plan, *self._decoy_plan] if (p.day, p.slot) == (day, slot)]
            if day >= r.days - 3:
                txs += self._cash_out(slot, day, last)
            self._wave_at(at, txs + self.background(sweep_wave=False))
            if slot % 2 == 1:
                self._wave_at(at + 25 * 60, self.sweeps() + self.background(sweep_wave=True))
        sweeps = [tx for i, d in enumerate(self.deposits)
                  for tx in self._drain("sweep to a consolidator", d, self.consolidators[i % len(self.consolidators)])]
        sweeps += [tx for d in self.decoy_deposits for tx in self._drain("decoy scam sweep", d, self.decoy_collector)]
        self._wave_at(base + EVENING, sweeps + self.background(sweep_wave=False))

    def _pay(self, p: ScheduledPayment) -> PlannedTx:
        purpose = "decoy victim pays another scam" if p.decoy else "victim pays the counterfeit exchange"
        p.tx = (self.eth_transfer(purpose, p.sender, p.paid_to, p.amount) if p.asset == ETH
                else self.token_transfer(purpose, p.sender, p.paid_to, p.amount))
        return p.tx

    def _drain(self, purpose: str, src: str, dst: str) -> list[PlannedTx]:
        eth, units = self.avail[(src, ETH)], self.avail[(src, self.token)]
        return [*([self.eth_transfer(purpose, src, dst, eth)] if eth else []),
                *([self.token_transfer(purpose, src, dst, units)] if units else [])]

    def _cash_out(self, slot: int, day: int, last: bool) -> list[PlannedTx]:
        """The last three days: swap part of the ETH, send chunks to the first exchange and to the
        intermediate, which forwards them to the second; the decoy scam cashes out at its own exchange."""
        c, rng, token = self.collector, self.rng, self.token
        first, second = (self.accounts[name] for name in self.ring.cash_out_exchanges)
        if slot == SWAP_SLOT and day in (self.ring.days - 3, self.ring.days - 1):
            wei = self.avail[(c, ETH)] * rng.randint(20, 30) // 100 // ETHER * ETHER
            if not wei:
                return []
            self.ring_swaps.append(self._swap("ring swaps ETH for the stablecoin", c, wei))
            return [self.ring_swaps[-1]]
        if slot == CASH_OUT_SLOT:
            share = rng.randint(85, 95) if last else rng.randint(30, 45)
            out = []
            for asset, unit in ((ETH, ETHER), (token, 1_000 * USD)):
                total = self.avail[(c, asset)] * share // 100
                direct = total * rng.randint(45, 60) // 100
                out += [self._send("ring cashes out at an exchange", c, fw, asset, amount)
                        for fw, amount in self._chunks(first, direct, unit)]
                out += [self._send("ring moves funds to its cash-out address", c, self.intermediate, asset,
                                   total - direct)] if total > direct else []
            return out
        if slot == FORWARD_SLOT:
            return [self._send("ring cashes out at an exchange", self.intermediate, fw, asset, amount)
                    for asset, unit in ((ETH, ETHER), (token, 1_000 * USD))
                    for fw, amount in self._chunks(second, self.avail[(self.intermediate, asset)], unit)]
        if slot == DECOY_SLOT and self.avail[(self.decoy_collector, ETH)]:
            return [self._send("decoy scam cashes out", self.decoy_collector, self.decoy_account, ETH,
                               self.avail[(self.decoy_collector, ETH)])]
        return []

    def _chunks(self, accounts: list[str], total: int, unit: int) -> list[tuple[str, int]]:
        """`total` in two or three chunks (round ones, then the rest) to the ring's accounts at an exchange."""
        out, left = [], total
        for _ in range(self.rng.randint(1, 2)):
            piece = total * self.rng.randint(25, 45) // 100 // unit * unit
            if 0 < piece < left:
                out.append((self.rng.choice(accounts), piece))
                left -= piece
        return [*out, (self.rng.choice(accounts), left)] if left else out

    def _send(self, purpose: str, src: str, dst: str, asset: str, amount: int) -> PlannedTx:
        return (self.eth_transfer(purpose, src, dst, amount, gas=60_000) if asset == ETH
                else self.token_transfer(purpose, src, dst, amount))

    def _finish(self) -> None:
        """The exchanges sweep what the ring deposited; other people's traffic until the ledger is big enough."""
        at = self.start + self.ring.days * DAY + 9 * HOUR
        self._wave_at(at, self.sweeps() + self.background(sweep_wave=True))
        while len(self.ledger) < self.cfg.min_transfers:
            self._wave_at(at + HOUR, self.background(sweep_wave=False))
            self._wave_at(at + HOUR + 600, self.sweeps() + self.background(sweep_wave=True))
            at += HOUR + 600

    def _mined(self, plan: list[ScheduledPayment]) -> list[Payment]:
        out = []
        for p in plan:
            if p.tx is None or not p.tx.receipt:
                raise DrillError(f"scam ring: victim {p.victim}'s payment on day {p.day} was never sent")
            block = int(p.tx.receipt["blockNumber"], 16)
            symbol, decimals = ("ETH", 18) if p.asset == ETH else ("HUSD", 6)
            out.append(Payment(p.victim, p.sender, p.paid_to, p.asset, symbol, decimals, p.amount, p.tx.tx_hash,
                               block, self.block_times[block]))
        return sorted(out, key=lambda q: (q.block, q.victim))
