"""Swaps by net flows: property tests against brute-force references, and the small cases by hand."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from hotpursuit.trace.account_taint import Movement
from hotpursuit.trace.net_flows import ZERO_ADDRESS, Swap, find_swaps, net_flows

TX = "0x" + "ab" * 32
USER, ROUTER, POOL1, POOL2, BOB = ("0x" + c * 40 for c in "12345")
WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
TOKENS = ["0x" + c * 40 for c in "abcdef"]
ADDRESSES = ["0x" + c * 40 for c in "123456789"]

amounts = st.integers(min_value=1, max_value=10**30)


def _mv(i: int, sender: str, receiver: str, asset: str, amount: int) -> Movement:
    return Movement((1, 0, i), TX, sender, receiver, asset, amount)


def _moves(rows: list[tuple[str, str, str, int]]) -> list[Movement]:
    return [_mv(i, *row) for i, row in enumerate(rows)]


def test_weth_wrap_is_a_swap_with_weth_as_the_venue() -> None:
    swaps = find_swaps(_moves([(USER, WETH, "ETH", 5), (ZERO_ADDRESS, USER, WETH, 5)]))
    assert swaps == [
        Swap(TX, USER, (("ETH", 5),), ((WETH, 5),), (WETH,)),
        Swap(TX, WETH, ((WETH, 5),), (("ETH", 5),), (USER,)),
    ]


def test_minting_oneself_a_token_beside_a_plain_transfer_is_not_a_swap() -> None:
    # the thief pays Bob ETH and mints himself a worthless token: he alone has an outflow and an inflow
    moves = _moves([(USER, BOB, "ETH", 10**18), (ZERO_ADDRESS, USER, TOKENS[0], 10**24)])
    assert net_flows(moves) == {(USER, "ETH"): -10**18, (BOB, "ETH"): 10**18,
                                (TOKENS[0], TOKENS[0]): -10**24, (USER, TOKENS[0]): 10**24}
    assert find_swaps(moves) == []


def test_burn_counts_as_received_by_the_token_and_zero_nets_drop() -> None:
    moves = _moves([(USER, ZERO_ADDRESS, TOKENS[0], 7), (USER, POOL1, "ETH", 3), (POOL1, USER, "ETH", 3)])
    assert net_flows(moves) == {(USER, TOKENS[0]): -7, (TOKENS[0], TOKENS[0]): 7}


def test_zero_amounts_take_no_part() -> None:
    moves = _moves([(USER, POOL1, TOKENS[0], 0), (POOL1, USER, TOKENS[1], 0), (USER, BOB, "ETH", 1)])
    assert net_flows(moves) == {(USER, "ETH"): -1, (BOB, "ETH"): 1}
    assert find_swaps(moves) == []


@given(asset=st.sampled_from(["ETH", *TOKENS]),
       legs=st.lists(st.tuples(st.sampled_from([*ADDRESSES, ZERO_ADDRESS]),
                               st.sampled_from([*ADDRESSES, ZERO_ADDRESS]), amounts),
                     min_size=1, max_size=12))
def test_movements_of_one_asset_are_never_a_swap(asset: str, legs: list[tuple[str, str, int]]) -> None:
    """A plain transfer, a split, a sweep, a chain of hops, mints and burns: one asset, no swap."""
    assert find_swaps(_moves([(s, r, asset, a) for s, r, a in legs])) == []


@given(asset=st.sampled_from(["ETH", *TOKENS]), parts=st.lists(amounts, min_size=1, max_size=20),
       gas_token=st.sampled_from(TOKENS))
def test_a_split_with_an_unrelated_token_transfer_is_not_a_swap(asset: str, parts: list[int],
                                                                 gas_token: str) -> None:
    """The source splits value to many addresses and also pays some other token out: no inflow, no swap."""
    rows = [(USER, ADDRESSES[1 + i % 8], asset, a) for i, a in enumerate(parts)]
    rows.append((USER, BOB, gas_token if gas_token != asset else TOKENS[-1], 1))
    assert find_swaps(_moves(rows)) == []


@given(x=amounts, y=amounts, z=amounts, fee=st.integers(min_value=0, max_value=10**6),
       through_router=st.booleans(), tokens=st.permutations(TOKENS))
def test_router_pool_pool_route_finds_the_user_and_both_pools(
    x: int, y: int, z: int, fee: int, through_router: bool, tokens: list[str]
) -> None:
    """User pays X, pool 1 turns X into Y, pool 2 turns Y into Z, the user gets Z (a router may relay)."""
    tx, ty, tz = tokens[:3]
    if through_router:
        rows = [(USER, ROUTER, tx, x), (ROUTER, POOL1, tx, x), (POOL1, POOL2, ty, y),
                (POOL2, ROUTER, tz, z + fee), (ROUTER, USER, tz, z)]
    else:
        rows = [(USER, POOL1, tx, x), (POOL1, POOL2, ty, y), (POOL2, USER, tz, z)]
    swaps = {s.address: s for s in find_swaps(_moves(rows))}
    assert set(swaps) == {USER, POOL1, POOL2}  # the router only relays: no net of its own to swap
    assert swaps[USER].sold == ((tx, x),) and swaps[USER].bought == ((tz, z),)
    assert swaps[POOL1].sold == ((ty, y),) and swaps[POOL1].bought == ((tx, x),)
    assert swaps[POOL2].bought == ((ty, y),)
    assert swaps[POOL2].sold == ((tz, z + fee if through_router else z),)
    assert swaps[USER].venues == tuple(sorted((POOL1, POOL2)))


movement_rows = st.lists(
    st.tuples(st.sampled_from([*ADDRESSES, ZERO_ADDRESS]), st.sampled_from([*ADDRESSES, ZERO_ADDRESS]),
              st.sampled_from(["ETH", *TOKENS]), st.integers(min_value=0, max_value=10**30)),
    max_size=25)


@given(rows=movement_rows)
def test_net_flows_sum_to_zero_per_asset(rows: list[tuple[str, str, str, int]]) -> None:
    totals: dict[str, int] = defaultdict(int)
    nets = net_flows(_moves(rows))
    for (_, asset), net in nets.items():
        assert net != 0
        totals[asset] += net
    assert all(v == 0 for v in totals.values())


def _reference_nets(rows: list[tuple[str, str, str, int]]) -> dict[tuple[str, str], int]:
    nets: dict[tuple[str, str], int] = defaultdict(int)
    for sender, receiver, asset, amount in rows:
        if asset != "ETH":
            sender = asset if sender == ZERO_ADDRESS else sender
            receiver = asset if receiver == ZERO_ADDRESS else receiver
        nets[(sender, asset)] -= amount
        nets[(receiver, asset)] += amount
    return {k: v for k, v in nets.items() if v}


@settings(max_examples=300)
@given(rows=movement_rows)
def test_swaps_agree_with_a_brute_force_reference(rows: list[tuple[str, str, str, int]]) -> None:
    nets = _reference_nets(rows)
    assert net_flows(_moves(rows)) == nets
    by_address: dict[str, dict[str, int]] = defaultdict(dict)
    for (address, asset), net in nets.items():
        by_address[address][asset] = net
    swappers = sorted(a for a, row in by_address.items()
                      if any(v < 0 for v in row.values()) and any(v > 0 for v in row.values()))
    expected = [] if len(swappers) < 2 else [
        Swap(TX, a, tuple(sorted((x, -v) for x, v in by_address[a].items() if v < 0)),
             tuple(sorted((x, v) for x, v in by_address[a].items() if v > 0)),
             tuple(s for s in swappers if s != a))
        for a in swappers]
    assert find_swaps(_moves(rows)) == expected
