"""Where victims' money converges (victim_reports.convergence), on small hand-made flows: the collector
ranks first, a relay after it ranks behind it, an unlabelled exchange (where the victims' money is a sliver
of what it takes in) and its customers are never the ring's, the deposit-address rule finds an unreported
victim's deposit address but not a victim funded by an exchange who paid the collector directly."""

from __future__ import annotations

from hotpursuit.cluster.evm_deposit import Move
from hotpursuit.victim_reports.convergence import Payment, converge

ETH = 10**18
V1, V2, V3, V_UNREPORTED, V_DIRECT = ("0x" + c * 40 for c in "12345")
D1, D2, D3 = ("0x" + c * 40 for c in "abc")  # deposit addresses (D3: only an unreported victim paid it)
COLLECTOR, RELAY, HOT, CUSTOMER, LABELLED_HOT = ("0x" + c * 40 for c in "def09")
BLOCKS = {f"t{i}": i for i in range(20)}


def _flows() -> tuple[dict[str, dict[tuple[str, str, str, str], int]], dict[str, list[Payment]]]:
    payments = {"r1": [Payment(V1, D1, "ETH", 10 * ETH, "t1", 1)], "r2": [Payment(V2, D1, "ETH", 5 * ETH, "t2", 2)],
                "r3": [Payment(V3, D2, "ETH", 6 * ETH, "t3", 3)]}
    flows = {
        "r1": {(V1, D1, "ETH", "t1"): 10 * ETH,  # the engine's flows include the payment itself
               (D1, COLLECTOR, "ETH", "t5"): 10 * ETH, (COLLECTOR, RELAY, "ETH", "t7"): 10 * ETH,
               (RELAY, HOT, "ETH", "t8"): 10 * ETH, (HOT, CUSTOMER, "ETH", "t9"): ETH // 1000},
        "r2": {(D1, COLLECTOR, "ETH", "t5"): 5 * ETH, (COLLECTOR, RELAY, "ETH", "t7"): 5 * ETH,
               (RELAY, HOT, "ETH", "t8"): 5 * ETH},
        "r3": {(D2, COLLECTOR, "ETH", "t6"): 6 * ETH, (COLLECTOR, RELAY, "ETH", "t7"): 4 * ETH,
               (RELAY, LABELLED_HOT, "ETH", "t8"): 4 * ETH},
    }
    return flows, payments


def test_the_collector_ranks_first_and_an_unlabelled_exchange_is_never_the_rings() -> None:
    flows, payments = _flows()
    inflow = {(HOT, "ETH"): 100_000 * ETH, (CUSTOMER, "ETH"): 50 * ETH, (COLLECTOR, "ETH"): 21 * ETH}
    ring = converge(flows, payments, {LABELLED_HOT: "exchange"}, BLOCKS, inflow=inflow)
    assert [(r.address, r.role, len(r.reports)) for r in ring.collectors()] == [
        (COLLECTOR, "collector", 3), (RELAY, "collector", 3), (D1, "deposit", 2)]
    assert {r.address for r in ring.addresses} == {D1, D2, COLLECTOR, RELAY}
    assert set(ring.diluted) == {HOT, CUSTOMER} and ring.diluted[HOT] < 0.01
    deposit = next(r for r in ring.addresses if r.address == D1)
    assert deposit.received == {"ETH": 15 * ETH}  # each payment once
    relay = next(r for r in ring.addresses if r.address == RELAY)
    assert relay.paid_services == {LABELLED_HOT: {"ETH": 4 * ETH}} and relay.received == {"ETH": 19 * ETH}


def test_the_deposit_rule_finds_an_unreported_deposit_address_but_no_victim() -> None:
    flows, payments = _flows()
    traffic = [Move(4, V_UNREPORTED, D3, "ETH", 7 * ETH, "t4"), Move(6, D3, COLLECTOR, "ETH", 7 * ETH, "t6b"),
               Move(4, LABELLED_HOT, V_DIRECT, "ETH", 3 * ETH, "t4b"),  # a victim who bought at an exchange
               Move(5, V_DIRECT, COLLECTOR, "ETH", 3 * ETH, "t5b")]  # and paid the collector itself
    ring = converge(flows, payments, {LABELLED_HOT: "exchange"}, BLOCKS, payer_traffic=traffic)
    found = {r.address: r for r in ring.addresses}
    assert found[D3].role == "deposit" and "forwards 100%" in found[D3].why
    assert V_DIRECT not in found and ring.further_payers == {V_UNREPORTED: [D3]}
