"""Swaps by net flows on real mainnet transactions (mev-inspect-rs traces + receipt logs), against the pools' own
swap events: recall and precision per venue, and no plain transfer taken for a swap.

The oracle: mev-inspect classifies one pool's swap from that pool's call/event; here each pool swap event in
the receipt (Uniswap V2 / Sushi `Swap`, Balancer V1 `LOG_SWAP`, Curve `TokenExchange[Underlying]`, 0x v3
`Fill`, whose counterparty is the order's maker) and each WETH `Deposit`/`Withdrawal` is one expected swap,
found when its pool (maker, WETH contract) is among `find_swaps`' swappers of that tx. Run with `-s` for the
tables.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from eth_utils import keccak

from hotpursuit.trace.account_taint import Movement
from hotpursuit.trace.net_flows import Swap, find_swaps, net_flows

from .swap_traces import load_mev_rs, movements_of, transaction_of, transfers_of

FILES = ["11017338", "balancer_trade", "balancer_trade2", "bot_selfdestruct", "bot_trade", "compound_liquidation",
         "curve_arb", "dydx_loan", "exact_tokens_for_eth", "exchange_proxy", "liquidation_1", "reverted_arb",
         "simple_curve_arb", "simple_liquidation", "triangular_arb", "zapper1"]
SUSHI_ROUTER = "0xd9e1ce17f2641f24ae83637ab66a2cca9c378b9f"


def _topic(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


VENUE_EVENTS = {
    _topic("Swap(address,uint256,uint256,uint256,uint256,address)"): "uniswap_v2",
    _topic("LOG_SWAP(address,address,address,uint256,uint256)"): "balancer_v1",
    _topic("TokenExchange(address,int128,uint256,int128,uint256)"): "curve",
    _topic("TokenExchangeUnderlying(address,int128,uint256,int128,uint256)"): "curve",
    _topic("Fill(address,address,bytes,bytes,bytes,bytes,bytes32,address,address,uint256,uint256,uint256,uint256,"
           "uint256)"): "0x_v3",
    _topic("Deposit(address,uint256)"): "weth",
    _topic("Withdrawal(address,uint256)"): "weth",
}
PLAIN_EVENTS = {_topic("Transfer(address,address,uint256)"), _topic("Approval(address,address,uint256)")}


@dataclass
class RealTx:
    """One real transaction: the oracle's expected swaps and what net flows found."""

    name: str
    tx: Any
    expected: list[tuple[str, str]]  # (venue, pool that must be a swapper)
    swaps: list[Swap]
    movements: list[Movement]
    plain: bool  # only Transfer/Approval logs (or none)

    @property
    def moved(self) -> int:
        """Movements that move value (zero-value Transfers are stored as poisoning evidence, move nothing)."""
        return sum(1 for m in self.movements if m.amount)

    @property
    def swappers(self) -> set[str]:
        return {s.address for s in self.swaps}


def _expected(obj: dict[str, Any], tx_to: str | None) -> list[tuple[str, str]]:
    out = []
    for log in obj["logs"]:
        venue = VENUE_EVENTS.get(str(log["topics"][0]).lower()) if log["topics"] else None
        if venue is None:
            continue
        if venue == "0x_v3":
            out.append((venue, "0x" + str(log["topics"][1])[26:]))  # the maker trades with the taker
        elif venue == "uniswap_v2" and tx_to == SUSHI_ROUTER:
            out.append(("sushiswap", str(log["address"]).lower()))
        else:
            out.append((venue, str(log["address"]).lower()))
    return out


def _load() -> list[RealTx]:
    txs = []
    for name in FILES:
        for obj in load_mev_rs(name):
            tx = transaction_of(obj)
            transfers = transfers_of(obj)
            plain = all(log["topics"] and str(log["topics"][0]).lower() in PLAIN_EVENTS for log in obj["logs"])
            movements = movements_of(transfers)
            txs.append(RealTx(name, tx, _expected(obj, tx.to_address), find_swaps(movements), movements, plain))
    return txs


REAL = _load()


def _own_token(swap: Swap) -> bool:
    """A token contract minting or burning its own token (an LP share, a yToken, a cToken)."""
    return any(asset == swap.address for asset, _ in swap.sold + swap.bought)


def test_every_pool_swap_of_the_oracle_is_found_per_venue() -> None:
    totals: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for real in REAL:
        for venue, pool in real.expected:
            totals[venue] += 1
            found[venue] += pool in real.swappers
    print("\nvenue          expected  found  recall")
    for venue in sorted(totals):
        print(f"{venue:<14} {totals[venue]:>8} {found[venue]:>6} {found[venue] / totals[venue]:>7.1%}")
    print(f"{'all':<14} {sum(totals.values()):>8} {sum(found.values()):>6} "
          f"{sum(found.values()) / sum(totals.values()):>7.1%}")
    assert set(totals) == {"uniswap_v2", "sushiswap", "balancer_v1", "curve", "0x_v3", "weth"}
    assert totals["uniswap_v2"] >= 50 and totals["weth"] >= 25  # the data really holds these
    assert found == totals  # measured: 100% on every venue


# Transactions where neither the sender nor the contract it called is a swapper: the trader ends with more of
# the asset it started with (arbitrage bots, liquidators paid in the asset they borrowed), so net flows see
# no exchange for it, only the pools' (which are all found).
TRADER_NOT_A_SWAPPER = {
    "0xddbf97f758bd0958487e18d9e307cd1256b1ad6763cd34090f4c9720ba1b4acc": "circular WETH arbitrage over 4 pairs",
    "0xd369757f482fb8c62b86a136742c0ff11881ef0427a69be79f7d301bf9cf9a89": "bot arbitrage ETH -> ... -> ETH",
    "0x0e0e7c690589d9b94c3fbc4bae8abb4c5cac5c965abbb5bf1533e9f546b10b92": "flash-loan liquidation, profit in DAI",
    "0x97afae49a25201dbb34502d36a7903b51754362ceb231ff775c07db540f4a3d6": "flash-swap liquidation, profit in DAI",
    "0x1d9a2c8bfcd9f6e133c490d892fe3869bada484160a81966e645616cfc21652a": "bot arbitrage ETH -> ... -> ETH",
    "0xd9306dc8c1230cc0faef22a8442d0994b8fc9a8f4c9faeab94a9a7eac8e59710": "bot arbitrage ETH -> ... -> ETH",
    "0xdfeae07360e2d7695a498e57e2054c658d1d78bbcd3c763fc8888b5433b6c6d5": "bot arbitrage ETH -> ... -> ETH",
    "0x46f4a4d409b44d85e64b1722b8b0f70e9713eb16d2c89da13cffd91486442627": "bot arbitrage ETH -> ... -> ETH",
}


def _trader(real: RealTx) -> str | None:
    """The swapping trader: the tx's sender if it swapped, else the contract it called if that swapped."""
    for candidate in (real.tx.from_address, real.tx.to_address):
        if candidate in real.swappers and candidate not in {pool for _, pool in real.expected}:
            return str(candidate)
    return None


def test_the_trader_is_a_swapper_except_where_it_ends_in_the_asset_it_started_with() -> None:
    with_swaps = [r for r in REAL if any(v != "weth" for v, _ in r.expected)]
    missed = {r.tx.hash: r for r in with_swaps if _trader(r) is None}
    print(f"\ntrader (tx sender, or the contract it called) a swapper: {len(with_swaps) - len(missed)} of "
          f"{len(with_swaps)} transactions with pool swaps; the others:")
    for tx_hash, real in sorted(missed.items()):
        print(f"  {tx_hash[:10]} ({real.name}): {TRADER_NOT_A_SWAPPER.get(tx_hash, '?')}")
    assert set(missed) == set(TRADER_NOT_A_SWAPPER)
    for real in missed.values():  # each ends with at least what it paid in every asset: profit, no exchange
        nets = net_flows(real.movements)
        trader_nets = [v for (a, _), v in nets.items() if a in (real.tx.from_address, real.tx.to_address)]
        assert trader_nets and all(v > 0 for v in trader_nets)
        assert len({pool for _, pool in real.expected} & real.swappers) == len({p for _, p in real.expected})


def _classify(real: RealTx, swap: Swap) -> str:
    pools = {pool for _, pool in real.expected}
    if swap.address in pools:
        return "oracle venue"
    if swap.address == _trader(real):
        return "trader"
    if _own_token(swap):
        return "own-token mint/burn"
    return "other"


# swappers that are neither an oracle venue, nor the trader, nor a token minting/burning its own token
OTHER_SWAPPERS = {
    ("0xec423a81daaf9436d359f967dc56bf17e7f539270b489470eaa140b7d379b52a",
     "0x1b7902a66f133d899130bf44d7d879da89913b2e"): "RFQ/OTC contract filling an order (no standard swap event)",
    ("0x93690c02fc4d58734225d898ea4091df104040450c0f204b6bf6f6850ac4602f",
     "0x3dfd23a6c5e8bbcfc9581d2e864a68feb6a076d3"): "Aave V1 LendingPoolCore: liquidation, debt in, collateral out",
    ("0x0e0e7c690589d9b94c3fbc4bae8abb4c5cac5c965abbb5bf1533e9f546b10b92",
     "0x3dfd23a6c5e8bbcfc9581d2e864a68feb6a076d3"): "Aave V1 LendingPoolCore: liquidation",
    ("0x97afae49a25201dbb34502d36a7903b51754362ceb231ff775c07db540f4a3d6",
     "0x3dfd23a6c5e8bbcfc9581d2e864a68feb6a076d3"): "Aave V1 LendingPoolCore: liquidation",
}


def test_every_swapper_found_is_a_venue_the_trader_or_a_known_exchange() -> None:
    kinds: Counter[str] = Counter()
    other = set()
    for real in REAL:
        for swap in real.swaps:
            kind = _classify(real, swap)
            kinds[kind] += 1
            if kind == "other":
                other.add((real.tx.hash, swap.address))
    total = sum(kinds.values())
    print("\nswappers found by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(f"precision against the oracle's venues and traders: {(kinds['oracle venue'] + kinds['trader']) / total:.1%}"
          f"; with own-token mints/burns (LP, yTokens): {(total - kinds['other']) / total:.1%}")
    for key in sorted(other):
        print(f"  other: tx {key[0][:10]} {key[1]}: {OTHER_SWAPPERS.get(key, '?')}")
    assert {tx[:10] for tx, _ in other} == {tx[:10] for tx, _ in OTHER_SWAPPERS}
    assert {a for _, a in other} == {a for _, a in OTHER_SWAPPERS}


RFQ_FILL = "0xec423a81daaf9436d359f967dc56bf17e7f539270b489470eaa140b7d379b52a"  # a real swap, no pool event


def test_no_transaction_of_the_whole_block_that_moves_value_without_swapping_is_a_swap() -> None:
    """Block 11017338: every tx without a pool/WETH event (ETH and token transfers, approvals, farm reward
    claims that mint and pay out two tokens) moves value without swapping; none is taken for a swap."""
    block = [r for r in REAL if r.name == "11017338"]
    no_swap = [r for r in block if not r.expected and r.tx.hash != RFQ_FILL]
    moving = [r for r in no_swap if r.moved]
    several = [r for r in moving if r.moved > 1]
    print(f"\nblock 11017338: {len(block)} txs; {len(no_swap)} without a swap event, {len(moving)} of them move value "
          f"({sum(r.plain for r in moving)} plain transfers, {len(several)} with several movements); "
          f"swaps found in them: {sum(len(r.swaps) for r in no_swap)}")
    assert len(block) == 124 and len(moving) == 38 and len(several) == 2
    assert all(r.swaps == [] for r in no_swap)
    # a farm's reward claim: the farm receives a minted reward token and pays out another one, so it alone
    # has an outflow and an inflow; with no second swapper the rule takes nothing in it for a swap
    claim = next(r for r in several if r.tx.hash.startswith("0x47f7aed0"))
    nets = net_flows(claim.movements)
    farm = "0x669bffac935be666219c68d20931cbf677b8fa1c"
    assert sorted(v > 0 for (a, _), v in nets.items() if a == farm) == [False, True]


def test_an_rfq_fill_without_any_pool_event_is_found_by_net_flows() -> None:
    (real,) = [r for r in REAL if r.tx.hash == RFQ_FILL]
    assert real.swappers == {real.tx.from_address, "0x1b7902a66f133d899130bf44d7d879da89913b2e"}


@pytest.mark.parametrize("name", ["exchange_proxy", "reverted_arb"])
def test_a_reverted_swap_moves_nothing_and_is_no_swap(name: str) -> None:
    (real,) = [r for r in REAL if r.name == name]
    assert real.moved == 0 and real.swaps == []


def test_a_router_swap_for_eth_names_the_user_pool_and_weth_with_exact_amounts() -> None:
    """Router02 swapExactTokensForETH: the user sold 17.3545 of token 0xc259… for exactly 1.066763791375109028 ETH."""
    (real,) = [r for r in REAL if r.name == "exact_tokens_for_eth"]
    user = {s.address: s for s in real.swaps}["0xe94cf39bbe5613071d8bf16263c94ada65a70fc8"]
    assert user.sold == (("0xc259bd68fe764cfa3fd5c04a3bd24363c7e112ec", 17354500000000000000),)
    assert user.bought == (("ETH", 1066763791375109028),)
    assert user.venues == ("0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2", "0xe7240d0da75b3ad88ff12b38756c50405ff39fe3")
    assert "0x7a250d5630b4cf539739df2c5dacb4c659f2488d" not in real.swappers  # the router only relays
